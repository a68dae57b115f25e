import { randomUUID } from "node:crypto";
import type pg from "pg";
import { withTransaction } from "@/lib/db/sql";
import { EXCLUSIVE_PRICING_LOCK_SQL } from "@/lib/pricing/lock";
import { buildPriceIndex, type PriceEntry, type PriceLookup } from "@/lib/pricing/match-price";
import { withScaledRates, type ScaledEntry } from "@/lib/pricing/price-cost";
import { priceEntryColumns, priceEntryFromRow, type PriceEntryRow } from "@/lib/pricing/price-rows";
import type { ResolvedPriceInput } from "@/lib/schemas/price";

/**
 * Reading the prices table with plain pg (the hot paths use pg, not Prisma), and adding a
 * price (insertPrice). Rates come back as canonical decimal strings (numeric(20, 10)
 * "2.5000000000" -> "2.5").
 */

type Db = pg.Pool | pg.ClientBase;

export interface StoredPrice extends PriceEntry {
  source: string | null;
  /** YYYY-MM-DD, or null. */
  sourceDate: string | null;
  createdAt: Date;
  createdById: string | null;
}

export type IndexedPrice = StoredPrice & ScaledEntry;

/** A prices row as PRICE_COLUMNS selects it: the entry columns (price-rows.ts) and the bookkeeping ones. */
export interface PriceRow extends PriceEntryRow {
  source: string | null;
  source_date: string | null;
  created_at: Date;
  created_by_id: string | null;
}

/** The columns of a prices row as PriceRow reads them (usable after RETURNING too). */
export const PRICE_COLUMNS = `${priceEntryColumns()}, source, to_char(source_date, 'YYYY-MM-DD') AS source_date,
  created_at, created_by_id::text AS created_by_id`;


export function priceFromRow(row: PriceRow): StoredPrice {
  return {
    ...priceEntryFromRow(row),
    source: row.source,
    sourceDate: row.source_date,
    createdAt: row.created_at,
    createdById: row.created_by_id,
  };
}

/** Every price, or those of one provider/model, oldest effective_from first. */
export async function loadPrices(db: Db, filter?: { provider: string; model: string }): Promise<StoredPrice[]> {
  const result = filter
    ? await db.query<PriceRow>(
        `SELECT ${PRICE_COLUMNS} FROM prices WHERE provider = $1 AND model = $2 ORDER BY effective_from, service_tier, id`,
        [filter.provider, filter.model],
      )
    : await db.query<PriceRow>(`SELECT ${PRICE_COLUMNS} FROM prices ORDER BY provider, model, effective_from, service_tier, id`);
  return result.rows.map(priceFromRow);
}

/** A lookup over the given prices with scaled rates attached, ready for priceCost. */
export function indexPrices(prices: readonly StoredPrice[]): PriceLookup<IndexedPrice> {
  return buildPriceIndex(prices.map(withScaledRates));
}

/** loadPrices + indexPrices. */
export async function loadPriceIndex(db: Db, filter?: { provider: string; model: string }): Promise<PriceLookup<IndexedPrice>> {
  return indexPrices(await loadPrices(db, filter));
}

/**
 * A fingerprint of the whole prices table (ids and rates), for callers that cache a price
 * index across transactions: read it after taking the shared pricing lock and rebuild the
 * index when it changed. One cheap aggregate over a small table.
 */
export async function loadPriceVersion(db: Db): Promise<string> {
  const result = await db.query<{ version: string }>(
    `SELECT count(*)::text || ':' || coalesce(md5(string_agg(
              id::text || effective_from::text || input_per_mtok::text || output_per_mtok::text || cache_read_per_mtok::text
              || cache_write_per_mtok::text || coalesce(cache_write_1h_per_mtok::text, '-') || reasoning_per_mtok::text
              || coalesce(long_context_threshold::text || long_input_per_mtok::text || long_output_per_mtok::text
                 || long_cache_read_per_mtok::text || long_cache_write_per_mtok::text || long_cache_write_1h_per_mtok::text
                 || long_reasoning_per_mtok::text, '-'), ',' ORDER BY id)), '') AS version
     FROM prices`,
  );
  return result.rows[0]?.version ?? "";
}

// ---------------------------------------------------------------- adding a price

export type InsertPriceResult =
  | { inserted: true; price: StoredPrice }
  | { inserted: false; conflict: true; existing: StoredPrice };

/**
 * Inserts one price under the EXCLUSIVE pricing lock (waits for in-flight ingest
 * transactions, holds new ones back until commit). When a price with the same provider,
 * model, service tier and effective_from exists, nothing is written and the existing row
 * is returned as a conflict. Run repriceForNewPrice (./reprice.ts) after it returns { inserted: true }.
 */
export async function insertPrice(
  pool: pg.Pool,
  input: ResolvedPriceInput,
  createdById?: string | null,
): Promise<InsertPriceResult> {
  return withTransaction(pool, async (client): Promise<InsertPriceResult> => {
    await client.query(EXCLUSIVE_PRICING_LOCK_SQL);
    const inserted = await client.query<PriceRow>(
      `INSERT INTO prices (id, provider, model, service_tier, effective_from, input_per_mtok, output_per_mtok,
                           cache_read_per_mtok, cache_write_per_mtok, reasoning_per_mtok, source, source_date, created_by_id,
                           cache_write_1h_per_mtok, long_context_threshold, long_input_per_mtok, long_output_per_mtok,
                           long_cache_read_per_mtok, long_cache_write_per_mtok, long_cache_write_1h_per_mtok, long_reasoning_per_mtok)
       VALUES ($1, $2, $3, $4::"ServiceTier", $5, $6, $7, $8, $9, $10, $11, $12::date, $13, $14, $15, $16, $17, $18, $19, $20, $21)
       ON CONFLICT (provider, model, service_tier, effective_from) DO NOTHING
       RETURNING ${PRICE_COLUMNS}`,
      [
        randomUUID(),
        input.provider,
        input.model,
        input.serviceTier,
        input.effectiveFrom,
        input.rates.inputPerMtok,
        input.rates.outputPerMtok,
        input.rates.cacheReadPerMtok,
        input.rates.cacheWritePerMtok,
        input.rates.reasoningPerMtok,
        input.source ?? null,
        input.sourceDate ? input.sourceDate.toISOString().slice(0, 10) : null,
        createdById ?? null,
        // Stored only when it differs: null says "the 5-minute rate", which reconciliation reads as "no 1-hour rate".
        input.rates.cacheWrite1hPerMtok === input.rates.cacheWritePerMtok ? null : input.rates.cacheWrite1hPerMtok,
        input.longContext?.threshold ?? null,
        input.longContext?.rates.inputPerMtok ?? null,
        input.longContext?.rates.outputPerMtok ?? null,
        input.longContext?.rates.cacheReadPerMtok ?? null,
        input.longContext?.rates.cacheWritePerMtok ?? null,
        input.longContext?.rates.cacheWrite1hPerMtok ?? null,
        input.longContext?.rates.reasoningPerMtok ?? null,
      ],
    );
    const row = inserted.rows[0];
    if (row) return { inserted: true, price: priceFromRow(row) };
    const existing = await client.query<PriceRow>(
      `SELECT ${PRICE_COLUMNS} FROM prices
       WHERE provider = $1 AND model = $2 AND service_tier = $3::"ServiceTier" AND effective_from = $4`,
      [input.provider, input.model, input.serviceTier, input.effectiveFrom],
    );
    const found = existing.rows[0];
    if (!found) throw new Error("price insert conflicted but the conflicting row is not visible");
    return { inserted: false, conflict: true, existing: priceFromRow(found) };
  });
}
