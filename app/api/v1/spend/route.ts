import { READS, readRoute } from "@/lib/http/read-endpoints";

export const dynamic = "force-dynamic";

/** Showback (contract: GET /api/v1/spend), scoped to the caller's teams. */
export const GET = readRoute(READS.spend);
