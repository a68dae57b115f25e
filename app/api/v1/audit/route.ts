import { auditCsv, queryAudit } from "@/lib/audit/query-audit";
import { parseQuery } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { auditQuerySchema } from "@/lib/schemas/access";

export const dynamic = "force-dynamic";

/** Newest first; filters action (prefix), actor, target_type, from, to; `before` pages; format=csv downloads. */
export const GET = withRoute({ permission: "audit:read" }, async (route) => {
  const query = parseQuery(auditQuerySchema, route.request);
  const page = await queryAudit(route, query);
  if (query.format === "csv") {
    return new Response(auditCsv(page), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": 'attachment; filename="burnrate-audit-log.csv"',
        "cache-control": "no-store",
      },
    });
  }
  return jsonResponse(page);
});
