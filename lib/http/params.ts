import { ApiError } from "@/lib/http/errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A route's [id] segment as a UUID; anything else is simply not found (never a 500 from the database). */
export function uuidParam(params: Record<string, string>, name: string): string {
  const value = params[name];
  if (!value || !UUID.test(value)) throw new ApiError("not_found", `No such ${name === "id" ? "record" : name}.`);
  return value;
}
