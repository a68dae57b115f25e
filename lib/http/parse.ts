import type { z } from "zod";
import { invalidRequest } from "@/lib/http/errors";

/** Parses a body with its contract schema; failure is a 400 naming every wrong field. */
export function parseBody<S extends z.ZodType>(schema: S, value: unknown, message = "The request body is not valid."): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidRequest(message, parsed.error.issues);
  return parsed.data;
}

/** Query parameters as a plain object (a repeated name keeps its last value). */
export function parseQuery<S extends z.ZodType>(schema: S, request: Request, message = "The query is not valid."): z.infer<S> {
  const query = Object.fromEntries(new URL(request.url).searchParams.entries());
  return parseBody(schema, query, message);
}
