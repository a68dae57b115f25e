/**
 * PostgreSQL's COPY text format (tab-separated, `\N` for NULL, one line per row), for the bulk
 * paths that stream rows with COPY FROM STDIN. Text from senders may hold anything storable:
 * backslash, tab, newline and carriage return are escaped as the format requires
 * (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"); nothing else is special.
 */
export type CopyValue = string | number | boolean | null;

export const COPY_NULL = "\\N";
// The characters the format reserves: text holding none is written as it is.
const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

/** One field: NULL as `\N`, booleans as t/f, numbers as they print, text escaped. */
export function copyField(value: CopyValue): string {
  if (value === null) return COPY_NULL;
  if (typeof value === "string") return copyText(value);
  if (typeof value === "boolean") return value ? "t" : "f";
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  return String(value);
}

/** One row, newline-terminated. */
export function copyLine(values: readonly CopyValue[]): string {
  let line = "";
  for (let i = 0; i < values.length; i++) line += (i === 0 ? "" : "\t") + copyField(values[i] as CopyValue);
  return `${line}\n`;
}

/** A text (or NULL) field: for the hot paths that write a row's fields one by one. */
export function copyText(value: string | null): string {
  if (value === null) return COPY_NULL;
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c] as string) : value;
}
