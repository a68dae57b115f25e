import { READS, readRoute } from "@/lib/http/read-endpoints";

export const dynamic = "force-dynamic";

/** ?from&to[&team]: the opportunities in the caller's teams, largest saving first. */
export const GET = readRoute(READS.savings);
