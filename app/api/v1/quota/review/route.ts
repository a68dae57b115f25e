import { READS, readRoute } from "@/lib/http/read-endpoints";

export const dynamic = "force-dynamic";

/** Team-scoped; `?month=YYYY-MM`, default the last complete UTC month. */
export const GET = readRoute(READS.quotaReview);
