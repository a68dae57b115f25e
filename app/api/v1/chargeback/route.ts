import { chargebackCsv, getChargeback } from "@/lib/chargeback/chargeback";
import { csvResponse } from "@/lib/http/csv-response";
import { READS, queryOf } from "@/lib/http/read-endpoints";
import { jsonResponse, withRoute } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

/** ?month=YYYY-MM[&format=csv]: the month's table (a lead sees their teams' rows only). */
export const GET = withRoute({ permission: READS.chargeback.permission }, async (route) => {
  const query = READS.chargeback.input(queryOf(route.request.url), route.params);
  const view = await getChargeback(route, query);
  if (query.format === "csv") return csvResponse(chargebackCsv(view), `burnrate-chargeback-${query.month}.csv`);
  return jsonResponse(view);
});
