import { jsonResponse } from "@/lib/http/with-route";
import { checkReadiness, databaseProbes, NOT_READY_RETRY_AFTER_SECONDS, readinessStatusCode } from "@/lib/ops/readiness";

export const dynamic = "force-dynamic";

/** Readiness for load balancers (no credentials): database, migrations, alert scheduler; 503 until all are fine. */
export async function GET(): Promise<Response> {
  const report = await checkReadiness(databaseProbes());
  const status = readinessStatusCode(report);
  return jsonResponse(report, status, status === 503 ? { "retry-after": String(NOT_READY_RETRY_AFTER_SECONDS) } : {});
}
