import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createConnection, listConnections } from "@/lib/reconciliation/reconciliation";
import { createConnectionSchema } from "@/lib/schemas/reconciliation";

export const dynamic = "force-dynamic";

/** {"connections": [{id, provider, base_url, key_hint, created_at, last_run}]}: the admin key is never answered. */
export const GET = withRoute({ permission: "reconciliation:manage" }, async (route) => jsonResponse({ connections: await listConnections(route) }));

/** {provider: "openai" | "anthropic", admin_key, base_url?}: 201; a base URL the outbound guard refuses is a 400 naming base_url. */
export const POST = withRoute({ permission: "reconciliation:manage", maxBodyBytes: 16_384 }, async (route) => {
  const input = parseBody(createConnectionSchema, await route.json(), "The connection is not valid.");
  return jsonResponse(await createConnection(route, input), 201);
});
