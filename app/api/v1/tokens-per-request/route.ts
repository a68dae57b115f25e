import { READS, readRoute } from "@/lib/http/read-endpoints";

export const dynamic = "force-dynamic";

/**
 * Average input and output tokens per request per bucket and group, with a per-group jump
 * flag (last 7 days vs the 28 before); team-scoped. Query: from, to (required),
 * bucket=hour|day, group_by=feature|prompt_version|model and the
 * team/feature/tenant/environment/model filters (lib/schemas/cache.ts).
 */
export const GET = readRoute(READS.tokensPerRequest);
