import type { TeamScope } from "@/lib/auth/permissions";
import type { QueryResult, QueryResultRow } from "pg";

/** What the analytics queries need from a connection: a pg Pool, PoolClient or Client. */
export interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/**
 * A bigint count sent as text (pg's default for int8). Counts stay far below 2^53,
 * but a silent precision loss would be worse than failing loudly.
 */
export function toCount(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`count out of range: ${text}`);
  return value;
}

/** Timestamps go over the wire as ISO strings so the session time zone never matters. */
export function iso(at: Date): string {
  return at.toISOString();
}

/**
 * The team-scope filter of a query, so scoping happens in SQL and never by hiding rows
 * afterwards: "" for everything, else `AND team = ANY($n)` with the slugs as parameter n.
 */
export function teamFilter(scope: TeamScope, parameterIndex: number): { sql: string; params: unknown[] } {
  if (scope.kind === "all") return { sql: "", params: [] };
  return { sql: ` AND team = ANY($${parameterIndex}::text[])`, params: [scope.slugs] };
}
