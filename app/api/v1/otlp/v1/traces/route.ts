import { getPool } from "@/lib/db";
import { ApiError } from "@/lib/http/errors";
import { boundTeamOf, jsonResponse, withRoute } from "@/lib/http/with-route";
import { ingestOtlpTraces } from "@/lib/ingestion/ingest-otlp";

export const dynamic = "force-dynamic";

/** OTLP/HTTP with JSON encoding; gen_ai spans become usage events (contract). */
export const POST = withRoute({ permission: "usage:ingest" }, async ({ json, request, principal }) => {
  const contentType = request.headers.get("content-type") ?? "";
  if (contentType.includes("protobuf")) {
    throw new ApiError("invalid_request", "Send OTLP/HTTP with JSON encoding (Content-Type: application/json); protobuf is not supported yet.");
  }
  return jsonResponse(await ingestOtlpTraces(getPool(), await json(), { boundTeam: boundTeamOf(principal) }));
});
