import { createFirstAdmin } from "@/lib/access/setup";
import { ApiError } from "@/lib/http/errors";
import { parseBody } from "@/lib/http/parse";
import { isSameOrigin } from "@/lib/http/same-origin";
import { clientIp, jsonResponse, readJsonBody, toErrorResponse } from "@/lib/http/with-route";
import { setupSchema } from "@/lib/schemas/access";

export const dynamic = "force-dynamic";

/** First run only: creates the first admin while no user exists (409 afterwards). */
export async function POST(request: Request): Promise<Response> {
  try {
    if (!isSameOrigin(request)) throw new ApiError("forbidden", "Cross-site request refused.");
    const input = parseBody(setupSchema, await readJsonBody(request, 16_384), "The first admin's details are not valid.");
    const user = await createFirstAdmin({ ip: clientIp(request) }, input);
    return jsonResponse({ id: user.id, email: user.email, role: "admin" }, 201);
  } catch (error) {
    return toErrorResponse(error);
  }
}
