import { markNotificationsRead } from "@/lib/notifications/notifications";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { markReadSchema } from "@/lib/schemas/notifications";

export const dynamic = "force-dynamic";

/** {ids: [...]} or {all: true}: marks them read for the signed-in user; answers {marked, unread_count}. */
export const POST = withRoute({ permission: "notifications:read" }, async (route) => {
  const input = parseBody(markReadSchema, await route.json(), "The request is not valid.");
  return jsonResponse(await markNotificationsRead(route, input));
});
