import { READS, readRoute } from "@/lib/http/read-endpoints";

export const dynamic = "force-dynamic";

/** Cost per outcome (contract): from, to, type, group_by over the outcome's own tags. */
export const GET = readRoute(READS.outcomeCost);
