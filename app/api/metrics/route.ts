import { readEnv } from "@/lib/env";
import { admit, authenticateRequest, toErrorResponse } from "@/lib/http/with-route";
import { allowListOf, isAllowed } from "@/lib/ops/allow-list";
import { scrapeMetrics } from "@/lib/ops/metrics";
import { CLIENT_IP_HEADER } from "@/lib/server/request-context";

export const dynamic = "force-dynamic";

/**
 * Prometheus scrape: from an address on BURNRATE_METRICS_ALLOW (the socket's address, which
 * the custom server writes into X-Burnrate-Client-Ip over anything a client sent), or with
 * credentials holding metrics:read; otherwise 401/403 like every other route.
 */
export async function GET(request: Request): Promise<Response> {
  try {
    const allowList = allowListOf(readEnv().BURNRATE_METRICS_ALLOW, "BURNRATE_METRICS_ALLOW");
    if (!isAllowed(allowList, request.headers.get(CLIENT_IP_HEADER))) admit(await authenticateRequest(request), "metrics:read");
    const { contentType, body } = await scrapeMetrics();
    return new Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
  } catch (error) {
    return toErrorResponse(error);
  }
}
