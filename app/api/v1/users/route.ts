import { createUser, listUsers } from "@/lib/access/users";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { createUserSchema } from "@/lib/schemas/access";

export const dynamic = "force-dynamic";

export const GET = withRoute({ permission: "users:manage" }, async (route) => jsonResponse({ users: await listUsers(route) }));

export const POST = withRoute({ permission: "users:manage" }, async (route) => {
  const input = parseBody(createUserSchema, await route.json(), "The user is not valid.");
  return jsonResponse(await createUser(route, input), 201);
});
