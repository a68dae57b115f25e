/**
 * The Cache page's view logic, pure, by idea: its URL state and window (./cache-page.ts),
 * how figures read (./cache-format.ts), chart rows and their summaries (./cache-charts.ts),
 * the sorted tables (./cache-tables.ts). This index re-exports them for the page's
 * components until those import the modules themselves.
 */
export * from "./cache-page";
export * from "./cache-format";
export * from "./cache-charts";
export * from "./cache-tables";
