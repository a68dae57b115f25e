import { getStatement, statementCsv } from "@/lib/chargeback/chargeback";
import { csvResponse } from "@/lib/http/csv-response";
import { READS, queryOf } from "@/lib/http/read-endpoints";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

/** ?month&team[&format=csv]: one team's statement (403 naming team outside the caller's teams). */
export const GET = withRoute({ permission: READS.statement.permission }, async (route) => {
  const query = READS.statement.input(queryOf(route.request.url), route.params);
  const view = await getStatement(route, query);
  if (query.format === "csv") return csvResponse(statementCsv(view), `burnrate-statement-${query.month}.csv`);
  return jsonResponse(view);
});
