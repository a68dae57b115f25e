import { createUser, listUsers } from "@/lib/access/users";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createUserSchema } from "@/lib/schemas/access";

export const dynamic = "force-dynamic";

export const GET = withRoute({ permission: "users:manage" }, async () => jsonResponse({ users: await listUsers() }));

export const POST = withRoute({ permission: "users:manage" }, async ({ json, principal, ip }) => {
  const input = parseBody(createUserSchema, await json(), "The user is not valid.");
  return jsonResponse(await createUser(principal, input, ip), 201);
});
