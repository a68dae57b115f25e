import "server-only";
import { prisma } from "@/lib/db";
import { writeAudit } from "@/lib/audit/audit-log";
import { dbOf, ipOf, type Ctx } from "@/lib/context";
import { afterResponse } from "@/lib/http/after-response";
import { ApiError } from "@/lib/http/errors";
import { priceJson } from "@/lib/pricing/price-json";
import { insertPrice, loadPrices, type StoredPrice } from "@/lib/pricing/price-store";
import { enqueueReprice } from "@/lib/pricing/reprice-queue";
import { resolvePriceInput, type PriceInput } from "@/lib/schemas/price";

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
