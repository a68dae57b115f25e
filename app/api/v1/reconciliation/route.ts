import { READS, readRoute } from "@/lib/http/read-endpoints";

export const dynamic = "force-dynamic";

/**
 * ?from&to (UTC days, to exclusive)[&provider]: Burnrate's cost and tokens against each
 * provider's own usage and cost reports, per day and model, with the usual causes of drift
 * (contract: reconciliation). Finance and admins.
 */
export const GET = readRoute(READS.reconciliation);
