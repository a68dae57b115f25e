import { updateUser } from "@/lib/access/users";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { updateUserSchema } from "@/lib/schemas/access";

export const dynamic = "force-dynamic";

/** Name, role, disabled, password: nothing else (the schema is strict). */
export const PATCH = withRoute({ permission: "users:manage" }, async (route) => {
  const userId = uuidParam(route.params, "id");
  const changes = parseBody(updateUserSchema, await route.json(), "The change is not valid.");
  return jsonResponse(await updateUser(route, { userId, changes }));
});
