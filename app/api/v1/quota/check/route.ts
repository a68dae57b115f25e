import { checkQuota } from "@/lib/quotas/check";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { quotaCheckSchema } from "@/lib/schemas/quota";

export const dynamic = "force-dynamic";

const CHECK_MAX_BODY_BYTES = 16_000;

/**
 * Scope ingest (contract): answered from the in-memory snapshot (lib/quotas/check.ts), so
 * `used` may lag ingestion by up to 5 seconds.
 */
export const POST = withRoute({ permission: "usage:ingest", maxBodyBytes: CHECK_MAX_BODY_BYTES }, async ({ json, principal }) => {
  const input = parseBody(quotaCheckSchema, await json(), "The quota check is not valid.");
  return jsonResponse(await checkQuota(principal, input));
});
