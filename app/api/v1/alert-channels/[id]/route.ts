import { deleteChannel, updateChannel } from "@/lib/alerts/channels";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { updateChannelSchema } from "@/lib/schemas/alerts";

export const dynamic = "force-dynamic";

/** {name?, url? | to?, secret? (null removes it), enabled?}: the channel; a `url` the outbound guard refuses is a 400 naming it. */
export const PATCH = withRoute({ permission: "alerts:manage" }, async (route) => {
  const id = uuidParam(route.params, "id");
  const changes = parseBody(updateChannelSchema, await route.json(), "The change is not valid.");
  return jsonResponse(await updateChannel(route, { id, changes }));
});

/** {"id": "...", "deleted": true}; its deliveries go with it, the alerts stay. */
export const DELETE = withRoute({ permission: "alerts:manage" }, async (route) =>
  jsonResponse(await deleteChannel(route, { id: uuidParam(route.params, "id") })),
);
