import { getBadges } from "@/lib/notifications/notifications";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

/** {unread_notifications, pending_burst_requests}: the navigation's counts (pending: null unless the caller decides bursts). */
export const GET = withRoute({ permission: "notifications:read" }, async (route) => jsonResponse(await getBadges(route)));
