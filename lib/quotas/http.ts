import { ApiError } from "@/lib/http/errors";
import { tooLarge as bodyTooLarge } from "@/lib/http/read-body";

/** Decision bodies are small: {comment?, amount?}. */
export const DECISION_MAX_BODY_BYTES = 64_000;

/**
 * The body of approve / reject / cancel, where every field is optional: no body, an empty
 * body or whitespace is `{}`; otherwise it must be JSON (400) within the cap (413).
 */
export async function optionalJsonBody(request: Request, maxBytes = DECISION_MAX_BODY_BYTES): Promise<unknown> {
  const tooLarge = () => bodyTooLarge(maxBytes);
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  if (!request.body) return {};
  const text = await request.text();
  if (Buffer.byteLength(text, "utf8") > maxBytes) throw tooLarge();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError("invalid_request", "The body is not valid JSON.");
  }
}
