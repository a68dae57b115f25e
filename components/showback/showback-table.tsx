import { Fragment } from "react";
import { dimensionLabel, type ShowbackDimension, type ShowbackRow, type SortKey } from "@/lib/view/showback";
import { formatChange, formatCount, formatMoney, formatPercent, formatTokens } from "@/lib/format";
import { Money } from "@/lib/money";
import { Sparkline } from "@/components/charts/sparkline";
import { cn } from "@/components/ui/cn";
import { ScrollRegion } from "@/components/ui/scroll-region";

export type Column = { key: SortKey; label: string; numeric: boolean };

const COLUMNS: Column[] = [
  { key: "cost_usd", label: "Spend", numeric: true },
  { key: "share", label: "Share", numeric: true },
  { key: "change", label: "vs prev.", numeric: true },
  { key: "requests", label: "Requests", numeric: true },
  { key: "retries", label: "Retries", numeric: true },
  { key: "retry_cost_usd", label: "Retry cost", numeric: true },
  { key: "error_cost_usd", label: "Error cost", numeric: true },
  { key: "input_tokens", label: "Input", numeric: true },
  { key: "cache_read_input_tokens", label: "Cache read", numeric: true },
  { key: "cache_creation_input_tokens", label: "Cache write", numeric: true },
  { key: "output_tokens", label: "Output", numeric: true },
  { key: "reasoning_output_tokens", label: "Reasoning", numeric: true },
  { key: "unpriced_requests", label: "Unpriced", numeric: true },
];

// When any sender reported what its calls cost (LiteLLM), the two figures sit side by side so a
// mispriced catalog shows up.
const WITH_REPORTED: Column[] = [
  { key: "cost_usd", label: "Computed", numeric: true },
  { key: "reported_cost_usd", label: "Reported", numeric: true },
  ...COLUMNS.slice(1),
];

const FORECAST_COLUMN: Column = { key: "forecast_usd", label: "Forecast", numeric: true };

/** The columns shown: the month-end forecast right after the spend figures when the window is the current month. */
export function columnsFor(withReported: boolean, forecast: boolean): Column[] {
  const base = withReported ? WITH_REPORTED : COLUMNS;
  if (!forecast) return base;
  const at = withReported ? 2 : 1;
  return [...base.slice(0, at), FORECAST_COLUMN, ...base.slice(at)];
}

function cellValue(row: ShowbackRow, key: SortKey): string {
  switch (key) {
    case "cost_usd":
    case "retry_cost_usd":
    case "error_cost_usd":
      return formatMoney(row.measures[key]);
    case "reported_cost_usd":
      return row.measures.reported_cost_usd === null ? "—" : formatMoney(row.measures.reported_cost_usd);
    case "share":
      return row.share === null ? "—" : formatPercent(row.share);
    case "change": {
      const change = formatChange(row.measures.cost_usd, row.previousCostUsd);
      return change ? change.text : new Money(row.measures.cost_usd).isZero() ? "—" : "new";
    }
    case "requests":
    case "retries":
    case "unpriced_requests":
      return formatCount(row.measures[key]);
    case "key":
      return row.key ?? "untagged";
    case "forecast_usd":
      // undefined: still loading; null: no forecast for this row (second-level rows).
      return row.forecast === undefined ? "…" : row.forecast === null ? "—" : formatMoney(row.forecast.forecastUsd);
    default:
      return formatTokens(row.measures[key]);
  }
}

/** The forecast cell's range (a tooltip) and a test id. */
function forecastCellProps(row: ShowbackRow): { title?: string; "data-testid": string } {
  const f = row.forecast;
  return {
    "data-testid": "forecast-cell",
    ...(f ? { title: `Month-end forecast ${formatMoney(f.forecastUsd)}, likely range ${formatMoney(f.lowUsd)} – ${formatMoney(f.highUsd)}` } : {}),
  };
}

export function ShowbackTable({
  rows,
  primary,
  secondary,
  expanded,
  toggle,
  sort,
  onSort,
  columns,
}: {
  columns: Column[];
  rows: ShowbackRow[];
  primary: ShowbackDimension;
  secondary: ShowbackDimension | null;
  expanded: Set<string>;
  toggle: (id: string) => void;
  sort: { key: SortKey; direction: "asc" | "desc" };
  onSort: (key: SortKey) => void;
}) {
  const header = (key: SortKey, label: string, numeric: boolean) => (
    <th
      key={key}
      scope="col"
      aria-sort={sort.key === key ? (sort.direction === "asc" ? "ascending" : "descending") : "none"}
      className={cn("px-2 py-2 font-medium whitespace-nowrap", numeric ? "text-right" : "text-left")}
    >
      <button type="button" onClick={() => onSort(key)} className="inline-flex items-center gap-1 rounded hover:text-zinc-900">
        {label}
        <span aria-hidden="true" className="text-zinc-400">{sort.key === key ? (sort.direction === "asc" ? "▲" : "▼") : ""}</span>
      </button>
    </th>
  );
  return (
    <ScrollRegion label={`Spend by ${dimensionLabel(primary)}`} className="rounded-lg border border-zinc-200 bg-white shadow-xs">
      <table data-testid="showback-table" className="w-full text-sm">
        <caption className="sr-only">Spend by {dimensionLabel(primary)}{secondary ? ` and ${dimensionLabel(secondary)}` : ""}; column headers sort</caption>
        <thead className="bg-zinc-50 text-xs text-zinc-500">
          <tr>
            {header("key", dimensionLabel(primary) + (secondary ? ` → ${dimensionLabel(secondary)}` : ""), false)}
            {columns.map((c) => header(c.key, c.label, c.numeric))}
            <th scope="col" className="px-2 py-2 text-left font-medium">Daily</th>
          </tr>
        </thead>
        <tbody className="tabular">
          {rows.map((row) => {
            const open = expanded.has(row.id);
            return (
              <Fragment key={row.id}>
                <tr className="border-t border-zinc-100" data-row-key={row.key ?? ""}>
                  <th scope="row" className="px-2 py-2 text-left font-medium text-zinc-900">
                    {secondary && row.children.length > 0 ? (
                      <button
                        type="button"
                        aria-expanded={open}
                        onClick={() => toggle(row.id)}
                        className="inline-flex items-center gap-1.5 rounded hover:underline"
                      >
                        <span aria-hidden="true" className="inline-block w-3 text-zinc-400">{open ? "▾" : "▸"}</span>
                        {row.key ?? <em className="font-normal text-zinc-500">untagged</em>}
                        <span className="sr-only">, {open ? "collapse" : "expand"} {row.children.length} {dimensionLabel(secondary).toLowerCase()}s</span>
                      </button>
                    ) : (
                      row.key ?? <em className="font-normal text-zinc-500">untagged</em>
                    )}
                  </th>
                  {columns.map((c) => (
                    <td
                      key={c.key}
                      className={cn("px-2 py-2 text-right", c.key === "cost_usd" ? "font-medium text-zinc-900" : "text-zinc-700")}
                      {...(c.key === "forecast_usd" ? forecastCellProps(row) : {})}
                    >
                      {cellValue(row, c.key)}
                    </td>
                  ))}
                  <td className="px-2 py-1">
                    <Sparkline values={row.daily.map((d) => new Money(d).toNumber())} label={`Daily spend of ${row.key ?? "untagged"}`} />
                  </td>
                </tr>
                {open
                  ? row.children.map((child) => (
                      <tr key={child.id} className="border-t border-zinc-50 bg-zinc-50/50" data-child-key={child.key ?? ""}>
                        <th scope="row" className="py-1.5 pr-2 pl-8 text-left font-normal text-zinc-700">
                          {child.key ?? <em className="text-zinc-500">untagged</em>}
                        </th>
                        {columns.map((c) => (
                          <td key={c.key} className="px-2 py-1.5 text-right text-zinc-600">{cellValue(child, c.key)}</td>
                        ))}
                        <td />
                      </tr>
                    ))
                  : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
