import { createKey, listKeys } from "@/lib/access/api-keys";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createKeySchema } from "@/lib/schemas/access";

export const dynamic = "force-dynamic";

export const GET = withRoute({ permission: "keys:manage" }, async (route) =>
  jsonResponse({ keys: await listKeys(route) }),
);

/** Answers the secret once; a key is never wider than its creator (403 naming `scopes` or `team`). */
export const POST = withRoute({ permission: "keys:manage" }, async (route) => {
  const input = parseBody(createKeySchema, await route.json(), "The key is not valid.");
  return jsonResponse(await createKey(route, input), 201);
});
