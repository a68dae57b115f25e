import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { receiveEventBatch } from "@/lib/ingestion/events-receiver";

export const dynamic = "force-dynamic";

/** Session-cookie callers; keyed senders are answered by the custom server (lib/ingestion/events-receiver.ts). */
export const POST = withRoute({ permission: "usage:ingest" }, async (route) => {
  const { status, body } = await receiveEventBatch(route, await route.json());
  return jsonResponse(body, status);
});
