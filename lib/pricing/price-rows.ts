import type { PriceRates } from "@/lib/pricing/compute-cost";
import type { LongContextRates, PriceEntry } from "@/lib/pricing/match-price";

/**
 * A prices row as read with plain pg (the hot paths use pg, not Prisma) -> a price entry:
 * the one mapping of the rate columns to PriceRates. Rates come back as canonical decimal
 * strings (numeric(20, 10) "2.5000000000" -> "2.5").
 */

/** A prices row's entry columns as priceEntryColumns() selects them. */
export interface PriceEntryRow {
  id: string;
  provider: string;
  model: string;
  service_tier: string;
  effective_from: Date;
  input_per_mtok: string;
  output_per_mtok: string;
  cache_read_per_mtok: string;
  cache_write_per_mtok: string;
  /** null: the 5-minute rate applies to 1-hour writes too. */
  cache_write_1h_per_mtok: string | null;
  reasoning_per_mtok: string;
  long_context_threshold?: number | null;
  long_input_per_mtok?: string | null;
  long_output_per_mtok?: string | null;
  long_cache_read_per_mtok?: string | null;
  long_cache_write_per_mtok?: string | null;
  long_cache_write_1h_per_mtok?: string | null;
  long_reasoning_per_mtok?: string | null;
}

const ENTRY_COLUMNS: readonly (readonly [column: string, cast: string])[] = [
  ["id", "::text"],
  ["provider", ""],
  ["model", ""],
  ["service_tier", "::text"],
  ["effective_from", ""],
  ["input_per_mtok", "::text"],
  ["output_per_mtok", "::text"],
  ["cache_read_per_mtok", "::text"],
  ["cache_write_per_mtok", "::text"],
  ["cache_write_1h_per_mtok", "::text"],
  ["reasoning_per_mtok", "::text"],
  ["long_context_threshold", ""],
  ["long_input_per_mtok", "::text"],
  ["long_output_per_mtok", "::text"],
  ["long_cache_read_per_mtok", "::text"],
  ["long_cache_write_per_mtok", "::text"],
  ["long_cache_write_1h_per_mtok", "::text"],
  ["long_reasoning_per_mtok", "::text"],
];

/**
 * The select list that reads a PriceEntryRow (usable after RETURNING too). `table`
 * qualifies the columns, for a query that joins prices to something with a provider or
 * model column of its own.
 */
export function priceEntryColumns(table?: string): string {
  const prefix = table ? `${table}.` : "";
  return ENTRY_COLUMNS.map(([column, cast]) => `${prefix}${column}${cast} AS ${column}`).join(", ");
}

/** "2.5000000000" -> "2.5", "3.0000000000" -> "3" (plain decimal strings only). */
export function trimDecimal(value: string): string {
  if (!value.includes(".")) return value;
  return value.replace(/0+$/, "").replace(/\.$/, "");
}

export function ratesFromRow(row: PriceEntryRow): PriceRates {
  return {
    inputPerMtok: trimDecimal(row.input_per_mtok),
    outputPerMtok: trimDecimal(row.output_per_mtok),
    cacheReadPerMtok: trimDecimal(row.cache_read_per_mtok),
    cacheWritePerMtok: trimDecimal(row.cache_write_per_mtok),
    cacheWrite1hPerMtok: trimDecimal(row.cache_write_1h_per_mtok ?? row.cache_write_per_mtok),
    reasoningPerMtok: trimDecimal(row.reasoning_per_mtok),
  };
}

/** The long-context tier of a row: each long rate missing falls back to the base rate. */
export function longContextFromRow(row: PriceEntryRow): LongContextRates | null {
  if (row.long_context_threshold === null || row.long_context_threshold === undefined) return null;
  const base = ratesFromRow(row);
  const long = (value: string | null | undefined, fallback: string) => (value === null || value === undefined ? fallback : trimDecimal(value));
  return {
    threshold: row.long_context_threshold,
    rates: {
      inputPerMtok: long(row.long_input_per_mtok, base.inputPerMtok),
      outputPerMtok: long(row.long_output_per_mtok, base.outputPerMtok),
      cacheReadPerMtok: long(row.long_cache_read_per_mtok, base.cacheReadPerMtok),
      cacheWritePerMtok: long(row.long_cache_write_per_mtok, base.cacheWritePerMtok),
      cacheWrite1hPerMtok: long(row.long_cache_write_1h_per_mtok, base.cacheWrite1hPerMtok),
      reasoningPerMtok: long(row.long_reasoning_per_mtok, base.reasoningPerMtok),
    },
  };
}

export function priceEntryFromRow(row: PriceEntryRow): PriceEntry {
  return {
    id: row.id,
    provider: row.provider,
    model: row.model,
    serviceTier: row.service_tier,
    effectiveFrom: row.effective_from,
    rates: ratesFromRow(row),
    ...(row.long_context_threshold != null ? { longContext: longContextFromRow(row) } : {}),
  };
}
