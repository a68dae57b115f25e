import { READS, readRoute } from "@/lib/http/read-endpoints";

export const dynamic = "force-dynamic";

/** {"months": [{month, closed_at, closed_by}]}: the closed months, newest first. */
export const GET = readRoute(READS.closedMonths);
