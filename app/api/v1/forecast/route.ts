import { READS, readRoute } from "@/lib/http/read-endpoints";

export const dynamic = "force-dynamic";

/** The current month's spend forecast (docs/API.md), scoped to the caller's teams; no budget needed. */
export const GET = readRoute(READS.forecast);
