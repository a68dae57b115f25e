import "server-only";
import type { TeamScope } from "@/lib/auth/permissions";
import { Money, formatUsd } from "@/lib/money";
import { iso, SqlParams, toCount } from "@/lib/db/sql";
import { dbOf, teamScopeOf, type Ctx } from "@/lib/context";
import type { OutcomeCostQueryInput } from "@/lib/schemas/outcome-cost";

/**
 * Cost per business outcome (GET /api/v1/outcomes/cost, contract). The window selects
 * outcomes by their own timestamp; the events of their traces count whatever their time.
 *
 * Rules (shared with the outcomes report in ./outcome-report.ts):
 * - A trace's cost is counted ONCE. When several outcomes of one type in the window share
 *   a trace, the trace's cost is attributed to the first of them (earliest timestamp, then
 *   smallest id); the others count in `outcomes` / `successful` and add $0. So no total
 *   counts a trace twice, and grouped rows always add up to the total.
 * - Unpriced events are never $0 in disguise: cost_usd sums the priced events, and
 *   `unpriced_requests` (extension) counts the events without a price. When it is above 0,
 *   cost_usd is a lower bound.
 * - Team scope: a scoped caller (team lead, viewer, team-bound key) sees the outcomes whose
 *   team tag is in scope. Of their traces it counts the events tagged with a team in scope
 *   or with no team (the outcome's owner owns untagged calls); events tagged with another
 *   team are that team's spend and are never shown to it. Unscoped callers see everything.
 */

export interface OutcomeFilter {
  from: Date;
  to: Date;
  type?: string;
  feature?: string;
  /** One of the caller's teams (the team page); 403 naming `team` for another. */
  team?: string;
}

/** The outcome columns that are tags; every other tag lives in outcomes.extra_tags. */
const OUTCOME_TAG_COLUMNS = ["team", "feature", "environment", "tenant"] as const;

/** SQL for one of the outcome's own tags (alias `o`): a column, or a key of extra_tags. */
export function outcomeTagSql(tag: string, p: SqlParams): string {
  return (OUTCOME_TAG_COLUMNS as readonly string[]).includes(tag) ? `o.${tag}` : `o.extra_tags ->> ${p.add(tag)}`;
}

/**
 * Two CTEs every outcome query starts from:
 * - `scoped_outcomes`: the visible outcomes in the window (and filters), each with
 *   `trace_rank` (1 = the outcome its trace's cost is attributed to, per type) and
 *   `trace_succeeded` (any outcome of that type on the trace succeeded);
 * - `trace_costs`: per trace of those outcomes, over its visible events: cost_usd (priced
 *   sum, NULL when none is priced), calls, unpriced, retries (attempt >= 2),
 *   retry_cost_usd, first_call_at, last_call_at.
 */
export function outcomeTraceCtes(filter: OutcomeFilter, scope: TeamScope, p: SqlParams): string {
  const conditions = [`o.occurred_at >= ${p.add(iso(filter.from), "timestamptz")}`, `o.occurred_at < ${p.add(iso(filter.to), "timestamptz")}`];
  if (filter.type !== undefined) conditions.push(`o.type = ${p.add(filter.type)}`);
  if (filter.feature !== undefined) conditions.push(`o.feature = ${p.add(filter.feature)}`);
  let eventScope = "";
  if (scope.kind === "teams") {
    const slugs = p.add(scope.slugs, "text[]");
    conditions.push(`o.team = ANY(${slugs})`);
    eventScope = ` AND (e.team = ANY(${slugs}) OR e.team IS NULL)`;
  }
  return `
  scoped_outcomes AS (
    SELECT o.*,
           row_number() OVER (PARTITION BY o.type, o.trace_id ORDER BY o.occurred_at, o.id) AS trace_rank,
           bool_or(o.success) OVER (PARTITION BY o.type, o.trace_id) AS trace_succeeded
    FROM outcomes o
    WHERE ${conditions.join(" AND ")}
  ),
  trace_costs AS (
    SELECT e.trace_id,
           sum(e.cost_usd) AS cost_usd,
           count(*) AS calls,
           count(*) FILTER (WHERE e.pricing_state = 'unpriced') AS unpriced,
           count(*) FILTER (WHERE e.attempt >= 2) AS retries,
           coalesce(sum(e.cost_usd) FILTER (WHERE e.attempt >= 2), 0) AS retry_cost_usd,
           min(e.occurred_at) AS first_call_at,
           max(e.occurred_at) AS last_call_at
    FROM usage_events e
    WHERE e.trace_id IN (SELECT trace_id FROM scoped_outcomes)${eventScope}
    GROUP BY e.trace_id
  )`;
}

/** cost / successful to 12 fractional digits (half-even), null when nothing succeeded. */
export function costPerSuccess(costUsd: string, successful: number): string | null {
  return successful > 0 ? formatUsd(new Money(costUsd).div(successful)) : null;
}

/** GET /api/v1/outcomes/cost's query (lib/schemas/outcome-cost.ts); group_by names outcome tags: team, feature, environment, tenant or any extra tag. */
export type OutcomeCostQuery = OutcomeCostQueryInput;

export interface OutcomeCostFigures {
  outcomes: number;
  successful: number;
  cost_usd: string;
  cost_per_success_usd: string | null;
  /** Extension: the events counted (priced or not). */
  requests: number;
  /** Extension: events counted without a price; cost_usd leaves them out. */
  unpriced_requests: number;
}

/** A row: the group keys (tag value, null when the outcome lacks the tag) and the figures. */
export type OutcomeCostRow = Record<string, string | number | null> & OutcomeCostFigures;

export interface OutcomeCostResult {
  currency: "USD";
  from: string;
  to: string;
  type: string;
  group_by: string[];
  /** Most expensive first. Without group_by: exactly one row (zeros when no outcome). */
  rows: OutcomeCostRow[];
  /** Extension: the same figures over every row. */
  total: OutcomeCostFigures;
}

interface CostRow {
  [group: `g${number}`]: string | null;
  outcomes: string;
  successful: string;
  cost_usd: string;
  requests: string;
  unpriced_requests: string;
}

export async function getOutcomeCost(ctx: Ctx, query: OutcomeCostQuery): Promise<OutcomeCostResult> {
  const db = dbOf(ctx);
  const p = new SqlParams();
  const ctes = outcomeTraceCtes({ from: query.from, to: query.to, type: query.type }, teamScopeOf(ctx), p);
  const groups = query.group_by.map((tag, i) => `${outcomeTagSql(tag, p)} AS g${i}`);
  const ordinals = query.group_by.map((_, i) => String(i + 1));
  const attributed = (expression: string) => `coalesce(sum(${expression}) FILTER (WHERE o.trace_rank = 1), 0)`;
  const sql = `WITH ${ctes}
    SELECT ${[...groups, ""].join(", ")}
           count(*)::text AS outcomes,
           count(*) FILTER (WHERE o.success)::text AS successful,
           ${attributed("t.cost_usd")}::text AS cost_usd,
           ${attributed("t.calls")}::text AS requests,
           ${attributed("t.unpriced")}::text AS unpriced_requests
    FROM scoped_outcomes o LEFT JOIN trace_costs t ON t.trace_id = o.trace_id
    ${ordinals.length > 0 ? `GROUP BY ${ordinals.join(", ")}` : ""}
    ORDER BY ${[`${attributed("t.cost_usd")} DESC`, ...ordinals.map((n) => `${n} NULLS LAST`)].join(", ")}`;
  const result = await db.query<CostRow>(sql, p.values);

  const rows = result.rows.map((row): OutcomeCostRow => {
    const keys = Object.fromEntries(query.group_by.map((tag, i) => [tag, row[`g${i}`] ?? null]));
    return { ...keys, ...figures(row.cost_usd, toCount(row.outcomes), toCount(row.successful), toCount(row.requests), toCount(row.unpriced_requests)) };
  });
  const total = rows.reduce(
    (sum, row) => ({
      cost: sum.cost.plus(row.cost_usd),
      outcomes: sum.outcomes + row.outcomes,
      successful: sum.successful + row.successful,
      requests: sum.requests + row.requests,
      unpriced: sum.unpriced + row.unpriced_requests,
    }),
    { cost: new Money(0), outcomes: 0, successful: 0, requests: 0, unpriced: 0 },
  );
  return {
    currency: "USD",
    from: iso(query.from),
    to: iso(query.to),
    type: query.type,
    group_by: query.group_by,
    rows,
    total: figures(total.cost.toString(), total.outcomes, total.successful, total.requests, total.unpriced),
  };
}

function figures(cost: string, outcomes: number, successful: number, requests: number, unpriced: number): OutcomeCostFigures {
  return {
    outcomes,
    successful,
    cost_usd: formatUsd(cost),
    cost_per_success_usd: costPerSuccess(cost, successful),
    requests,
    unpriced_requests: unpriced,
  };
}
