import { uuidParam } from "@/lib/http/params";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { deleteSubstitute } from "@/lib/savings/savings";

export const dynamic = "force-dynamic";

/** 200 with the removed substitute (admin). */
export const DELETE = withRoute({ permission: "savings:manage" }, async (route) =>
  jsonResponse(await deleteSubstitute(route, { id: uuidParam(route.params, "id") })),
);
