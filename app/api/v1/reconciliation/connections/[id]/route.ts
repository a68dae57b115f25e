import { uuidParam } from "@/lib/http/params";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { deleteConnection } from "@/lib/reconciliation/reconciliation";

export const dynamic = "force-dynamic";

/** Removes the connection and what it pulled: {id, deleted: true}. */
export const DELETE = withRoute({ permission: "reconciliation:manage" }, async (route) =>
  jsonResponse(await deleteConnection(route, { id: uuidParam(route.params, "id") })),
);
