import { uuidParam } from "@/lib/http/params";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { unmarkDeferrable } from "@/lib/savings/savings";

export const dynamic = "force-dynamic";

/** 200 with the feature no longer marked deferrable. */
export const DELETE = withRoute({ permission: "savings:defer" }, async (route) =>
  jsonResponse(await unmarkDeferrable(route, { id: uuidParam(route.params, "id") })),
);
