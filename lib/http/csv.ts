/**
 * The one CSV writer: every CSV Burnrate produces (spend export, FOCUS export, Showback
 * download, audit log) goes through here. Pure — no Node-only APIs — so the browser uses
 * it too (Showback builds its CSV client-side).
 *
 * - RFC 4180: a field is quoted when it holds a comma, a double quote, CR or LF; quotes
 *   inside are doubled; every record ends with CRLF.
 * - Formula injection (OWASP "CSV Injection"): tag values, models, providers, team and key
 *   names come from users and ingest keys. A spreadsheet evaluates a cell that starts with
 *   `=`, `+`, `-`, `@`, tab or carriage return as a formula (`=HYPERLINK(…)`,
 *   `+cmd|' /C calc'!A0`, `@SUM(…)`), so such a text cell is written with a leading `'`,
 *   which spreadsheets take as "this is text" and hide.
 * - Numbers stay numbers: a JS number (finite), a bigint, and a cell of a column the
 *   caller declares numeric whose text is a plain decimal number ("-0.5",
 *   "12.000000000000", "1e-7") are written as they are, never prefixed. A numeric
 *   column's cell that is NOT a plain number is treated as text (and neutralized), so a
 *   wrong declaration can never let a formula through.
 */

export type CsvValue = string | number | bigint | boolean | null | undefined;

/** Characters that make a spreadsheet read a text cell as a formula when they come first. */
export const FORMULA_TRIGGERS = ["=", "+", "-", "@", "\t", "\r"] as const;

const NEEDS_QUOTES = /[",\r\n]/;
/** A plain decimal number as databases and JS print them: optional minus, digits, optional fraction and exponent. */
const PLAIN_NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Whether `text` is a plain decimal number (what a numeric column may hold unprefixed). */
export function isPlainNumber(text: string): boolean {
  return PLAIN_NUMBER.test(text);
}

/** Whether a text cell would be read as a formula: its first character is one of FORMULA_TRIGGERS. */
export function startsLikeFormula(text: string): boolean {
  return text.length > 0 && (FORMULA_TRIGGERS as readonly string[]).includes(text[0] as string);
}

/** A text cell made safe for spreadsheets: `'` in front when it starts like a formula. */
export function neutralize(text: string): string {
  return startsLikeFormula(text) ? `'${text}` : text;
}

function quote(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * One field. null and undefined are empty; finite numbers and bigints are written as
 * numbers; with `numeric`, a string that is a plain decimal number is too. Everything
 * else is text: neutralized, then quoted when needed.
 */
export function csvCell(value: CsvValue, numeric = false): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  const text = String(value);
  if (numeric && isPlainNumber(text)) return text;
  return quote(neutralize(text));
}

/** One record, CRLF-terminated. `numeric[i]` declares column i numeric. */
export function csvRecord(values: readonly CsvValue[], numeric: readonly boolean[] = []): string {
  return values.map((value, index) => csvCell(value, numeric[index] ?? false)).join(",") + "\r\n";
}

export interface CsvTable<Column extends string> {
  readonly columns: readonly Column[];
  /** The header record (column names go through the same neutralization). */
  header(): string;
  /** One record from values in column order. */
  row(values: readonly CsvValue[]): string;
  /** One record from an object keyed by column name (missing keys are empty). */
  record(values: Partial<Record<Column, CsvValue>>): string;
}

/**
 * A writer for a fixed set of columns, some declared numeric:
 *   const table = csvTable(["team", "cost_usd"], ["cost_usd"]);
 *   table.header() + rows.map((row) => table.record(row)).join("")
 */
export function csvTable<Column extends string>(columns: readonly Column[], numericColumns: Iterable<Column> = []): CsvTable<Column> {
  const numericSet = new Set<string>(numericColumns);
  const numeric = columns.map((column) => numericSet.has(column));
  return {
    columns,
    header: () => csvRecord(columns),
    row: (values) => csvRecord(values, numeric),
    record: (values) => csvRecord(columns.map((column) => values[column]), numeric),
  };
}

/** A whole document: the header, then every row (in column order). */
export function csvDocument<Column extends string>(
  columns: readonly Column[],
  rows: Iterable<readonly CsvValue[]>,
  numericColumns: Iterable<Column> = [],
): string {
  const table = csvTable(columns, numericColumns);
  let out = table.header();
  for (const row of rows) out += table.row(row);
  return out;
}
