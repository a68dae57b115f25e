import "server-only";
import { prisma } from "@/lib/db";
import { writeAudit } from "@/lib/audit/audit-log";
import { dbOf, ipOf, type Ctx } from "@/lib/context";
import { afterResponse } from "@/lib/http/after-response";
import { ApiError } from "@/lib/http/errors";
import { priceJson } from "@/lib/pricing/price-json";
import { withTransaction } from "@/lib/db/sql";
import { EXCLUSIVE_PRICING_LOCK_SQL } from "@/lib/pricing/lock";
import { insertPrice, loadPrices, PRICE_COLUMNS, priceFromRow, type PriceRow, type StoredPrice } from "@/lib/pricing/price-store";
import { repriceForNewPrice } from "@/lib/pricing/reprice";
import { enqueueReprice } from "@/lib/pricing/reprice-queue";
import { resolvePriceInput, type PriceChange, type PriceInput } from "@/lib/schemas/price";

/**
 * The price catalog as the API and the Prices page change it: the caller's actions, audited.
 * The storage underneath (the pricing lock, the row shape) is ./price-store.ts; re-pricing
 * the events a change covers is ./reprice-queue.ts, started once the answer is on its way.
 */

/** GET /api/v1/prices: every entry, oldest effective_from first. */
export async function listPrices(ctx: Ctx): Promise<StoredPrice[]> {
  return loadPrices(dbOf(ctx));
}

/** POST /api/v1/prices: 409 naming effective_from when the same provider/model/tier/instant exists. */
export async function createPrice(ctx: Ctx, input: PriceInput): Promise<StoredPrice> {
  const db = dbOf(ctx);
  const result = await insertPrice(db, { ...resolvePriceInput(input), source: "api" });
  if (!result.inserted) {
    throw new ApiError("conflict", "A price for this provider, model, service tier and effective_from already exists.", {
      details: [{ path: "effective_from", message: `exists as price ${result.existing.id}` }],
    });
  }
  await writeAudit(prisma, ctx.principal, {
    action: "price.create",
    targetType: "price",
    targetId: result.price.id,
    after: priceJson(result.price),
    ip: ipOf(ctx),
  });
  const { provider, model, serviceTier, effectiveFrom } = result.price;
  afterResponse(() => enqueueReprice(db, { provider, model, serviceTier, effectiveFrom }));
  return result.price;
}

/**
 * PATCH /api/v1/prices/{id}: corrects an entry's rates (rates not sent keep their stored
 * values; null resets one to its default). Under the exclusive pricing lock, so no batch
 * prices with half a change; audited with before and after; the events it covers are
 * re-priced once the answer is on its way, and the rollups follow them.
 */
export async function updatePrice(ctx: Ctx, { id, changes }: { id: string; changes: PriceChange }): Promise<StoredPrice> {
  const db = dbOf(ctx);
  const { before, after } = await withTransaction(db, async (client) => {
    await client.query(EXCLUSIVE_PRICING_LOCK_SQL);
    const found = await client.query<PriceRow>(`SELECT ${PRICE_COLUMNS} FROM prices WHERE id = $1::uuid FOR UPDATE`, [id]);
    const row = found.rows[0];
    if (!row) throw new ApiError("not_found", "No such price.");
    const current = priceFromRow(row);
    const input = changes.input_per_mtok ?? current.rates.inputPerMtok;
    const output = changes.output_per_mtok ?? current.rates.outputPerMtok;
    const pick = (change: string | null | undefined, stored: string, fallback: string) => (change === undefined ? stored : (change ?? fallback));
    const cacheWrite = pick(changes.cache_write_per_mtok, current.rates.cacheWritePerMtok, input);
    const updated = await client.query<PriceRow>(
      `UPDATE prices SET input_per_mtok = $2, output_per_mtok = $3, cache_read_per_mtok = $4, cache_write_per_mtok = $5,
                         cache_write_1h_per_mtok = $6, reasoning_per_mtok = $7
       WHERE id = $1::uuid RETURNING ${PRICE_COLUMNS}`,
      [
        id,
        input,
        output,
        pick(changes.cache_read_per_mtok, current.rates.cacheReadPerMtok, input),
        cacheWrite,
        changes.cache_write_1h_per_mtok === undefined ? row.cache_write_1h_per_mtok : changes.cache_write_1h_per_mtok,
        pick(changes.reasoning_per_mtok, current.rates.reasoningPerMtok, output),
      ],
    );
    const next = updated.rows[0];
    if (!next) throw new Error("price row missing after update");
    return { before: current, after: priceFromRow(next) };
  });
  await writeAudit(prisma, ctx.principal, {
    action: "price.update",
    targetType: "price",
    targetId: id,
    before: priceJson(before),
    after: priceJson(after),
    ip: ipOf(ctx),
  });
  const { provider, model, serviceTier, effectiveFrom } = after;
  afterResponse(() => enqueueReprice(db, { provider, model, serviceTier, effectiveFrom }));
  return after;
}

export interface DeletedPrice {
  id: string;
  deleted: true;
  /** Events re-priced with the entries that remain. */
  repriced: number;
  /** Of those, events no entry covers any more: unpriced now, never a silent $0. */
  unpriced: number;
}

/**
 * DELETE /api/v1/prices/{id}: removes a wrong entry. Its events are first re-priced as if it
 * were gone — with the entry in effect before it, or none (then they are unpriced and counted
 * as such, never $0) — and the row is deleted under the exclusive pricing lock once no event
 * refers to it (a batch priced with it meanwhile is re-priced again first). Audited with the
 * entry as it was and what the re-pricing changed; the answer comes when all of it is done.
 */
export async function deletePrice(ctx: Ctx, { id }: { id: string }): Promise<DeletedPrice> {
  const db = dbOf(ctx);
  const found = await db.query<PriceRow>(`SELECT ${PRICE_COLUMNS} FROM prices WHERE id = $1::uuid`, [id]);
  const row = found.rows[0];
  if (!row) throw new ApiError("not_found", "No such price.");
  const removed = priceFromRow(row);
  const { provider, model, serviceTier, effectiveFrom } = removed;
  const result = { updated: 0, newlyUnpriced: 0 };
  for (let attempt = 1; ; attempt++) {
    const pass = await repriceForNewPrice(db, { provider, model, serviceTier, effectiveFrom, excludePriceId: id });
    result.updated += pass.updated;
    result.newlyUnpriced += pass.newlyUnpriced;
    const deleted = await withTransaction(db, async (client) => {
      await client.query(EXCLUSIVE_PRICING_LOCK_SQL);
      const inUse = await client.query(`SELECT 1 FROM usage_events WHERE price_id = $1::uuid LIMIT 1`, [id]);
      if (inUse.rows.length > 0) return false;
      await client.query(`DELETE FROM prices WHERE id = $1::uuid`, [id]);
      return true;
    });
    if (deleted) break;
    if (attempt >= 5) throw new ApiError("conflict", "Events keep arriving priced with this entry; try again.");
  }
  await writeAudit(prisma, ctx.principal, {
    action: "price.delete",
    targetType: "price",
    targetId: id,
    before: priceJson(removed),
    after: { repriced: result.updated, unpriced: result.newlyUnpriced },
    ip: ipOf(ctx),
  });
  return { id, deleted: true, repriced: result.updated, unpriced: result.newlyUnpriced };
}
