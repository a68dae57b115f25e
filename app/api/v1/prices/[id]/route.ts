import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { priceJson } from "@/lib/pricing/price-json";
import { deletePrice, updatePrice } from "@/lib/pricing/prices";
import { priceChangeSchema } from "@/lib/schemas/price";

export const dynamic = "force-dynamic";

/**
 * Corrects a price's rates (admin): {input_per_mtok?, output_per_mtok?, cache_read_per_mtok?,
 * cache_write_per_mtok?, cache_write_1h_per_mtok?, reasoning_per_mtok?}; 200 with the entry.
 * Audited before/after; the events it covers are re-priced within 60 seconds.
 */
export const PATCH = withRoute({ permission: "prices:write" }, async (route) => {
  const changes = parseBody(priceChangeSchema, await route.json(), "The change is not valid.");
  return jsonResponse(priceJson(await updatePrice(route, { id: uuidParam(route.params, "id"), changes })));
});

/**
 * Removes the entry (admin): 200 {id, deleted: true, repriced, unpriced} once the events it
 * priced are re-priced with the entries that remain (the previous one, or none: unpriced).
 */
export const DELETE = withRoute({ permission: "prices:write" }, async (route) =>
  jsonResponse(await deletePrice(route, { id: uuidParam(route.params, "id") })),
);
