import { READS, readRoute } from "@/lib/http/read-endpoints";

export const dynamic = "force-dynamic";

/** The current month day by day: cumulative actual vs budget vs forecast band. Team-scoped like GET /budgets/{id}. */
export const GET = readRoute(READS.burndown);
