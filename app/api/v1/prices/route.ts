import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { priceJson } from "@/lib/pricing/price-json";
import { createPrice, listPrices } from "@/lib/pricing/prices";
import { priceInputSchema } from "@/lib/schemas/price";

export const dynamic = "force-dynamic";

export const GET = withRoute({ permission: "prices:read" }, async (route) => {
  const prices = await listPrices(route);
  return jsonResponse({ prices: prices.map(priceJson) });
});

/** 201 with the entry; the events it now covers are re-priced once the answer is sent. */
export const POST = withRoute({ permission: "prices:write" }, async (route) => {
  const input = parseBody(priceInputSchema, await route.json(), "The price is not valid.");
  return jsonResponse(priceJson(await createPrice(route, input)), 201);
});
