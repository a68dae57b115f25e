import { listNotifications } from "@/lib/notifications/notifications";
import { parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { notificationsQuerySchema } from "@/lib/schemas/notifications";

export const dynamic = "force-dynamic";

/** ?limit=&unread=true: the signed-in user's notifications, newest first, with the unread count. API keys: 403. */
export const GET = withRoute({ permission: "notifications:read" }, async (route) => {
  const query = parseQuery(notificationsQuerySchema, route.request);
  return jsonResponse(await listNotifications(route, query));
});
