import { closeMonth, reopenMonth } from "@/lib/chargeback/chargeback";
import { parseBody, parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { closeMonthSchema, reopenMonthQuerySchema } from "@/lib/schemas/chargeback";

export const dynamic = "force-dynamic";

/** {month}: freezes an ended month's statements → 201 with the month (409 when not over or already closed). */
export const POST = withRoute({ permission: "chargeback:close" }, async (route) => {
  const input = parseBody(closeMonthSchema, await route.json(), "The month is not valid.");
  return jsonResponse(await closeMonth(route, input), 201);
});

/** ?month: reopens the newest closed month (409 when a later month is closed). */
export const DELETE = withRoute({ permission: "chargeback:close" }, async (route) =>
  jsonResponse(await reopenMonth(route, parseQuery(reopenMonthQuerySchema, route.request))),
);
