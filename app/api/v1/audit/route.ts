import { queryAudit } from "@/lib/audit/query-audit";
import { parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { auditQuerySchema } from "@/lib/schemas/access";

export const dynamic = "force-dynamic";

export const GET = withRoute({ permission: "audit:read" }, async ({ request }) =>
  jsonResponse(await queryAudit(parseQuery(auditQuerySchema, request))),
);
