import { getPool, prisma } from "@/lib/db";
import { writeAudit } from "@/lib/audit/audit-log";
import { afterResponse } from "@/lib/http/after-response";
import { ApiError } from "@/lib/http/errors";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { priceJson } from "@/lib/pricing/price-json";
import { loadPrices } from "@/lib/pricing/price-store";
import { insertPrice } from "@/lib/pricing/price-store";
import { enqueueReprice } from "@/lib/pricing/reprice-queue";
import { priceInputSchema, resolvePriceInput } from "@/lib/schemas/price";

export const dynamic = "force-dynamic";

export const GET = withRoute({ permission: "prices:read" }, async () => {
  const prices = await loadPrices(getPool());
  return jsonResponse({ prices: prices.map(priceJson) });
});

export const POST = withRoute({ permission: "prices:write" }, async ({ json, principal, ip }) => {
  const price = parseBody(priceInputSchema, await json(), "The price is not valid.");
  const result = await insertPrice(getPool(), { ...resolvePriceInput(price), source: "api" });
  if (!result.inserted) {
    throw new ApiError("conflict", "A price for this provider, model, service tier and effective_from already exists.", {
      details: [{ path: "effective_from", message: `exists as price ${result.existing.id}` }],
    });
  }
  await writeAudit(prisma, principal, {
    action: "price.create",
    targetType: "price",
    targetId: result.price.id,
    after: priceJson(result.price),
    ip,
  });
  const { provider, model, serviceTier, effectiveFrom } = result.price;
  // Re-price the events this entry now covers once the response is sent.
  afterResponse(() => enqueueReprice(getPool(), { provider, model, serviceTier, effectiveFrom }));
  return jsonResponse(priceJson(result.price), 201);
});
