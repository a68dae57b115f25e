import { READS, readRoute } from "@/lib/http/read-endpoints";
import { createChannel } from "@/lib/alerts/channels";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createChannelSchema } from "@/lib/schemas/alerts";

export const dynamic = "force-dynamic";

/** {"channels": [channel, ...]}: secrets never answered (has_secret), Slack URLs masked. */
export const GET = readRoute(READS.alertChannels);

/**
 * {type: "webhook" | "slack", url, secret?, name?, enabled?} or {type: "email", to, ...} (needs BURNRATE_SMTP_URL): 201 with the channel.
 * A URL the outbound guard refuses (link-local, metadata, or loopback/private not in BURNRATE_OUTBOUND_ALLOW) is a 400 naming `url`.
 */
export const POST = withRoute({ permission: "alerts:manage" }, async (route) => {
  const input = parseBody(createChannelSchema, await route.json(), "The alert channel is not valid.");
  return jsonResponse(await createChannel(route, input), 201);
});
