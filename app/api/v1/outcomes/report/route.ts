import { READS, readRoute } from "@/lib/http/read-endpoints";

export const dynamic = "force-dynamic";

/** The Outcomes page: per-type cost per success, cost per trace distribution, top traces. */
export const GET = readRoute(READS.outcomeReport);
