import { READS, readRoute } from "@/lib/http/read-endpoints";

export const dynamic = "force-dynamic";

/**
 * Prompt-cache hit rates, response-cache hits and money saved (at current prices) per
 * bucket and group, with hit-rate drop episodes; team-scoped. Query: from, to (required),
 * bucket=hour|day, group_by, limit, drop_pp, baseline_buckets, min_requests and the
 * team/feature/tenant/environment/model filters (lib/schemas/cache.ts).
 */
export const GET = readRoute(READS.cacheReport);
