import { checkQuota } from "@/lib/quotas/check";
import { QUOTA_CHECK_MAX_BODY_BYTES } from "@/lib/quotas/check-server";
import { parseBody } from "@/lib/http/parse";
import { jsonResponse, withRoute } from "@/lib/http/with-route";
import { quotaCheckSchema } from "@/lib/schemas/quota";

export const dynamic = "force-dynamic";

/**
 * Scope ingest (contract): answered from the in-memory snapshot (lib/quotas/check.ts), so
 * `used` may lag ingestion by up to 5 seconds. Under `npm start` a request with an API key
 * is answered by the custom server before it reaches this route (lib/quotas/check-server.ts);
 * this route serves session-cookie callers and keeps the same contract.
 */
export const POST = withRoute({ permission: "usage:ingest", maxBodyBytes: QUOTA_CHECK_MAX_BODY_BYTES }, async (route) => {
  const input = parseBody(quotaCheckSchema, await route.json(), "The quota check is not valid.");
  return jsonResponse(await checkQuota(route, input));
});
