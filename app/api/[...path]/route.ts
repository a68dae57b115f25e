import { ApiError } from "@/lib/http/errors";
import { errorResponse } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

// Any /api/ path no route serves: the contract's JSON 404, never the HTML not-found page
// (a sender configured with a wrong path must read why, e.g. LiteLLM's generic_api logger).
function notFound(request: Request): Response {
  const path = new URL(request.url).pathname;
  return errorResponse(new ApiError("not_found", `No API route at ${path.slice(0, 200)}; see docs/API.md.`));
}

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
