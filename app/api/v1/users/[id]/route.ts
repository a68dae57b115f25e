import { updateUser } from "@/lib/access/users";
import { uuidParam } from "@/lib/http/params";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { updateUserSchema } from "@/lib/schemas/access";

export const dynamic = "force-dynamic";

/** Name, role, disabled, password: nothing else (the schema is strict). */
export const PATCH = withRoute({ permission: "users:manage" }, async ({ json, principal, params, ip }) => {
  const id = uuidParam(params, "id");
  const input = parseBody(updateUserSchema, await json(), "The change is not valid.");
  return jsonResponse(await updateUser(principal, id, input, ip));
});
