import type { ApiKeyScope } from "@/lib/generated/prisma/client";

/** Key scopes per the contract: `admin` is everything; `ingest` and `read` stand alone. */
export function hasScope(granted: readonly ApiKeyScope[], needed: ApiKeyScope): boolean {
  return granted.includes(needed) || granted.includes("admin");
}
