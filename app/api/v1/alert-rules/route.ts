import { listRules } from "@/lib/alerts/rule-store";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

/** {"rules": [rule, ...]}; the default rules are created on first use. */
export const GET = withRoute({ permission: "alerts:manage" }, async () => jsonResponse({ rules: await listRules() }));
