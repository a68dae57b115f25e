import type { z } from "zod";
import { invalidRequest } from "@/lib/http/errors";
import { findUnstorableText } from "@/lib/schemas/storable-text";

// Request bodies of the JSON routes are small documents: deeper than this is hostile.
const MAX_BODY_DEPTH = 32;

/**
 * Parses a body with its contract schema; failure is a 400 naming every wrong field. Strings
 * PostgreSQL cannot store (a NUL, a lone surrogate) and absurd nesting are refused first, with
 * their path, so no route ever hands them to a query (contract: storable strings).
 */
export function parseBody<S extends z.ZodType>(schema: S, value: unknown, message = "The request body is not valid."): z.infer<S> {
  const unstorable = findUnstorableText(value, MAX_BODY_DEPTH);
  if (unstorable) throw invalidRequest(message, [{ path: unstorable.path === "" ? [] : unstorable.path.split("."), message: unstorable.message }]);
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidRequest(message, parsed.error.issues);
  return parsed.data;
}

/** Query parameters as a plain object (a repeated name keeps its last value). */
export function parseQuery<S extends z.ZodType>(schema: S, request: Request, message = "The query is not valid."): z.infer<S> {
  const query = Object.fromEntries(new URL(request.url).searchParams.entries());
  return parseBody(schema, query, message);
}
