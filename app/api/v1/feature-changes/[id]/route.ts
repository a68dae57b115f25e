import { uuidParam } from "@/lib/http/params";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { deleteFeatureChange } from "@/lib/savings/feature-changes";

export const dynamic = "force-dynamic";

export const DELETE = withRoute({ permission: "savings:defer" }, async (route) =>
  jsonResponse(await deleteFeatureChange(route, { id: uuidParam(route.params, "id") })),
);
