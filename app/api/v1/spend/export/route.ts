import { querySpend } from "@/lib/analytics/spend";
import { exportFilename, streamFocusCsv, spendCsv } from "@/lib/analytics/spend-export";
import { parseQuery } from "@/lib/http/parse";
import { withRoute } from "@/lib/http/with-route";
import { spendExportQuerySchema } from "@/lib/schemas/spend";

export const dynamic = "force-dynamic";

/** The /api/v1/spend rows as CSV (format=csv, default) or a FOCUS 1.2 file (format=focus). */
export const GET = withRoute({ permission: "exports" }, async (route) => {
  const query = parseQuery(spendExportQuerySchema, route.request);
  const headers: Record<string, string> = {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="${exportFilename(query.format, query.from, query.to)}"`,
    "cache-control": "no-store",
  };
  if (query.format === "focus") return new Response(await streamFocusCsv(route, query), { headers });

  const result = await querySpend(route, query);
  // Same cap as the JSON answer; a header says so because a CSV has no place for it.
  if (result.truncated) headers["x-burnrate-truncated"] = "true";
  return new Response(spendCsv(result), { headers });
});
