import type { TeamScope } from "@/lib/auth/permissions";
import { Money, formatUsd } from "@/lib/money";
import { trimDecimal } from "@/lib/pricing/price-store";
import { distributionOfSorted, histogramOfSorted, sortAmounts, type AmountDistribution, type LogHistogram } from "./percentiles";
import { costPerSuccess, outcomeTraceCtes, SqlParams, type OutcomeFilter } from "./outcome-cost";
import { utcDays } from "./periods";
import { iso, toCount, type Queryable } from "./sql";

/**
 * The Outcomes page in one response (GET /api/v1/outcomes/report), on the rules of
 * ./outcome-cost.ts (a trace's cost counted once, attributed to its first outcome of a
 * type; unpriced events counted, never $0; team scope on outcomes and on events).
 * Additionally:
 * - failed_cost_usd: cost of the traces none of whose outcomes of that type in the window
 *   succeeded (a workflow that failed and then succeeded on the same trace is not failed);
 * - retry_share: cost of attempt >= 2 events / cost_usd (null when cost_usd is 0);
 * - daily: per UTC day of the outcome; a trace's cost lands on the day of its first outcome;
 * - distribution: cost per trace over the distinct traces with an outcome in the window,
 *   leaving out (and counting) traces without any call and traces with an unpriced call,
 *   whose cost is unknown; nearest-rank percentiles (./percentiles.ts);
 * - top_traces: the 20 most expensive traces; outcome_type, team and feature are those of
 *   the trace's first outcome, success is true when any of its outcomes succeeded.
 */

export const TOP_TRACES = 20;
export const HISTOGRAM_BUCKETS = 20;

export interface DailyOutcomeCost {
  /** UTC day, "YYYY-MM-DD". */
  day: string;
  outcomes: number;
  successful: number;
  cost_usd: string;
  cost_per_success_usd: string | null;
}

export interface OutcomeTypeReport {
  type: string;
  outcomes: number;
  successful: number;
  cost_usd: string;
  cost_per_success_usd: string | null;
  failed_cost_usd: string;
  retry_cost_usd: string;
  /** retry_cost_usd / cost_usd, 12 fractional digits; null when cost_usd is 0. */
  retry_share: string | null;
  requests: number;
  retries: number;
  unpriced_requests: number;
  /** Every UTC day of the window, zeros included. */
  daily: DailyOutcomeCost[];
}

export interface TraceCostDistribution extends AmountDistribution {
  /** Distinct traces with an outcome in the window; count = traces - the two below. */
  traces: number;
  traces_without_calls: number;
  traces_with_unpriced_calls: number;
  histogram: LogHistogram;
}

export interface TopTrace {
  trace_id: string;
  outcome_type: string;
  success: boolean;
  outcomes: number;
  /** Priced calls' sum; null when the trace has calls and none of them is priced. */
  cost_usd: string | null;
  unpriced_requests: number;
  calls: number;
  retries: number;
  first_call_at: string | null;
  last_call_at: string | null;
  team: string | null;
  feature: string | null;
}

export interface OutcomeReport {
  currency: "USD";
  from: string;
  to: string;
  type: string | null;
  feature: string | null;
  /** Most expensive first. */
  types: OutcomeTypeReport[];
  distribution: TraceCostDistribution;
  top_traces: TopTrace[];
}

interface DayRow {
  type: string;
  day: string;
  outcomes: string;
  successful: string;
  cost_usd: string;
  failed_cost_usd: string;
  retry_cost_usd: string;
  requests: string;
  retries: string;
  unpriced: string;
}

interface TraceRow {
  trace_id: string;
  outcome_type: string;
  success: boolean;
  outcomes: string;
  cost_usd: string | null;
  calls: string | null;
  unpriced: string | null;
  retries: string | null;
  first_call_at: Date | null;
  last_call_at: Date | null;
  team: string | null;
  feature: string | null;
}

const DAY_SQL = `
  SELECT o.type, to_char(o.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
         count(*)::text AS outcomes,
         count(*) FILTER (WHERE o.success)::text AS successful,
         coalesce(sum(t.cost_usd) FILTER (WHERE o.trace_rank = 1), 0)::text AS cost_usd,
         coalesce(sum(t.cost_usd) FILTER (WHERE o.trace_rank = 1 AND NOT o.trace_succeeded), 0)::text AS failed_cost_usd,
         coalesce(sum(t.retry_cost_usd) FILTER (WHERE o.trace_rank = 1), 0)::text AS retry_cost_usd,
         coalesce(sum(t.calls) FILTER (WHERE o.trace_rank = 1), 0)::text AS requests,
         coalesce(sum(t.retries) FILTER (WHERE o.trace_rank = 1), 0)::text AS retries,
         coalesce(sum(t.unpriced) FILTER (WHERE o.trace_rank = 1), 0)::text AS unpriced
  FROM scoped_outcomes o LEFT JOIN trace_costs t ON t.trace_id = o.trace_id
  GROUP BY 1, 2`;

/** Every trace with an outcome in the window, most expensive first (top list and distribution). */
const TRACES_SQL = `
  SELECT d.trace_id, d.outcome_type, d.success, d.outcomes::text, d.team, d.feature,
         t.cost_usd::text AS cost_usd, t.calls::text AS calls, t.unpriced::text AS unpriced,
         t.retries::text AS retries, t.first_call_at, t.last_call_at
  FROM (
    SELECT o.trace_id, count(*) AS outcomes, bool_or(o.success) AS success,
           (array_agg(o.type ORDER BY o.occurred_at, o.id))[1] AS outcome_type,
           (array_agg(o.team ORDER BY o.occurred_at, o.id))[1] AS team,
           (array_agg(o.feature ORDER BY o.occurred_at, o.id))[1] AS feature
    FROM scoped_outcomes o GROUP BY o.trace_id
  ) d LEFT JOIN trace_costs t ON t.trace_id = d.trace_id
  ORDER BY coalesce(t.cost_usd, 0) DESC, d.trace_id`;

export async function outcomeReport(db: Queryable, filter: OutcomeFilter, scope: TeamScope): Promise<OutcomeReport> {
  const run = async <R extends object>(tail: string) => {
    const p = new SqlParams();
    return (await db.query<R & Record<string, unknown>>(`WITH ${outcomeTraceCtes(filter, scope, p)} ${tail}`, p.values)).rows;
  };
  const [days, traces] = await Promise.all([run<DayRow>(DAY_SQL), run<TraceRow>(TRACES_SQL)]);
  return {
    currency: "USD",
    from: iso(filter.from),
    to: iso(filter.to),
    type: filter.type ?? null,
    feature: filter.feature ?? null,
    types: typeReports(days, utcDays({ start: filter.from, end: filter.to })),
    distribution: traceDistribution(traces),
    top_traces: traces.slice(0, TOP_TRACES).map(topTrace),
  };
}

function typeReports(rows: readonly DayRow[], window: readonly string[]): OutcomeTypeReport[] {
  const byType = new Map<string, DayRow[]>();
  for (const row of rows) {
    const typeRows = byType.get(row.type);
    if (typeRows) typeRows.push(row);
    else byType.set(row.type, [row]);
  }
  const reports = [...byType].map(([type, typeRows]) => {
    const sum = (pick: (row: DayRow) => string) => typeRows.reduce((total, row) => total.plus(pick(row)), new Money(0));
    const count = (pick: (row: DayRow) => string) => typeRows.reduce((total, row) => total + toCount(pick(row)), 0);
    const cost = sum((row) => row.cost_usd);
    const retryCost = sum((row) => row.retry_cost_usd);
    const successful = count((row) => row.successful);
    const byDay = new Map(typeRows.map((row) => [row.day, row]));
    return {
      type,
      outcomes: count((row) => row.outcomes),
      successful,
      cost_usd: formatUsd(cost),
      cost_per_success_usd: costPerSuccess(cost.toString(), successful),
      failed_cost_usd: formatUsd(sum((row) => row.failed_cost_usd)),
      retry_cost_usd: formatUsd(retryCost),
      retry_share: cost.isZero() ? null : retryCost.div(cost).toFixed(12),
      requests: count((row) => row.requests),
      retries: count((row) => row.retries),
      unpriced_requests: count((row) => row.unpriced),
      daily: window.map((day) => {
        const row = byDay.get(day);
        const daySuccessful = toCount(row?.successful ?? "0");
        return {
          day,
          outcomes: toCount(row?.outcomes ?? "0"),
          successful: daySuccessful,
          cost_usd: formatUsd(row?.cost_usd ?? "0"),
          cost_per_success_usd: costPerSuccess(row?.cost_usd ?? "0", daySuccessful),
        };
      }),
    };
  });
  return reports.sort((a, b) => new Money(b.cost_usd).cmp(a.cost_usd) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/** `rows` come most expensive first, so reversed they are (nearly always) sorted already. */
function traceDistribution(rows: readonly TraceRow[]): TraceCostDistribution {
  const withoutCalls = rows.filter((row) => row.calls === null).length;
  const withUnpriced = rows.filter((row) => row.unpriced !== null && toCount(row.unpriced) > 0).length;
  const priced = rows.flatMap((row) => (row.calls !== null && row.unpriced === "0" && row.cost_usd !== null ? [row.cost_usd] : []));
  const costs = sortAmounts(priced.reverse());
  return {
    traces: rows.length,
    traces_without_calls: withoutCalls,
    traces_with_unpriced_calls: withUnpriced,
    ...distributionOfSorted(costs),
    histogram: histogramOfSorted(costs, HISTOGRAM_BUCKETS),
  };
}

function topTrace(row: TraceRow): TopTrace {
  const calls = toCount(row.calls ?? "0");
  return {
    trace_id: row.trace_id,
    outcome_type: row.outcome_type,
    success: row.success,
    outcomes: toCount(row.outcomes),
    cost_usd: row.cost_usd !== null ? formatUsd(row.cost_usd) : calls > 0 ? null : formatUsd(0),
    unpriced_requests: toCount(row.unpriced ?? "0"),
    calls,
    retries: toCount(row.retries ?? "0"),
    first_call_at: row.first_call_at ? iso(row.first_call_at) : null,
    last_call_at: row.last_call_at ? iso(row.last_call_at) : null,
    team: row.team,
    feature: row.feature,
  };
}

// ---------------------------------------------------------------- one trace (drill-down)

/** Calls listed per trace at most; `calls_truncated` says when a trace has more. */
export const MAX_TRACE_CALLS = 1000;

export interface TraceCall {
  id: string;
  timestamp: string;
  provider: string;
  /** The provider name as the sender wrote it, when normalizing changed it ("openai.chat"). */
  provider_as_sent: string | null;
  model: string;
  operation: string;
  service_tier: string;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
    cache_creation_input_tokens: number;
    reasoning_output_tokens: number;
  };
  /** null when unpriced. */
  cost_usd: string | null;
  status: "success" | "error";
  attempt: number;
  latency_ms: number | null;
  response_cache_hit: boolean;
  tags: Record<string, string>;
}

export interface TraceOutcome {
  id: string;
  timestamp: string;
  type: string;
  success: boolean;
  /** Decimal string as sent, or null. */
  value: string | null;
  tags: Record<string, string>;
}

export interface TraceDetail {
  trace_id: string;
  summary: {
    calls: number;
    retries: number;
    errors: number;
    unpriced_requests: number;
    /** Priced calls' sum; null when there are calls and none is priced. */
    cost_usd: string | null;
    input_tokens: number;
    output_tokens: number;
    first_call_at: string | null;
    last_call_at: string | null;
  };
  /** In time order (then id). */
  calls: TraceCall[];
  calls_truncated: boolean;
  outcomes: TraceOutcome[];
}

interface CallRow {
  id: string;
  occurred_at: Date;
  provider: string;
  provider_as_sent: string | null;
  model: string;
  operation: string;
  service_tier: string;
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  reasoning_output_tokens: number;
  cost_usd: string | null;
  status: "success" | "error";
  attempt: number;
  latency_ms: number | null;
  response_cache_hit: boolean;
  team: string | null;
  feature: string | null;
  environment: string | null;
  tenant: string | null;
  end_user: string | null;
  prompt_version: string | null;
  extra_tags: Record<string, string> | null;
}

interface OutcomeRow {
  id: string;
  occurred_at: Date;
  type: string;
  success: boolean;
  value: string | null;
  team: string | null;
  feature: string | null;
  environment: string | null;
  tenant: string | null;
  extra_tags: Record<string, string> | null;
}

interface SummaryRow {
  calls: string;
  in_scope: string;
  retries: string;
  errors: string;
  unpriced: string;
  cost_usd: string | null;
  input_tokens: string;
  output_tokens: string;
  first_call_at: Date | null;
  last_call_at: Date | null;
}

/**
 * One trace's calls and outcomes as the caller's team scope shows them (the rules of
 * ./outcome-cost.ts): a scoped caller sees the trace when at least one of its events or
 * outcomes carries a team in scope, and then its events tagged in scope or untagged and
 * its outcomes tagged in scope. null (a 404) when nothing of the trace is visible.
 */
export async function traceDetail(db: Queryable, traceId: string, scope: TeamScope): Promise<TraceDetail | null> {
  const scoped = scope.kind === "teams";
  const params = scoped ? [traceId, scope.slugs] : [traceId];
  const eventScope = scoped ? " AND (team = ANY($2::text[]) OR team IS NULL)" : "";
  const inScope = scoped ? "count(*) FILTER (WHERE team = ANY($2::text[]))" : "count(*)";
  const [summaryResult, callResult, outcomeResult] = await Promise.all([
    db.query<SummaryRow>(
      `SELECT count(*)::text AS calls, ${inScope}::text AS in_scope,
              count(*) FILTER (WHERE attempt >= 2)::text AS retries,
              count(*) FILTER (WHERE status = 'error')::text AS errors,
              count(*) FILTER (WHERE pricing_state = 'unpriced')::text AS unpriced,
              sum(cost_usd)::text AS cost_usd,
              coalesce(sum(input_tokens), 0)::text AS input_tokens, coalesce(sum(output_tokens), 0)::text AS output_tokens,
              min(occurred_at) AS first_call_at, max(occurred_at) AS last_call_at
       FROM usage_events WHERE trace_id = $1${eventScope}`,
      params,
    ),
    db.query<CallRow>(
      `SELECT id, occurred_at, provider, provider_as_sent, model, operation::text AS operation, service_tier::text AS service_tier,
              input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens,
              cost_usd::text AS cost_usd, status::text AS status, attempt, latency_ms, response_cache_hit,
              team, feature, environment, tenant, end_user, prompt_version, extra_tags
       FROM usage_events WHERE trace_id = $1${eventScope}
       ORDER BY occurred_at, id LIMIT ${MAX_TRACE_CALLS + 1}`,
      params,
    ),
    db.query<OutcomeRow>(
      `SELECT id, occurred_at, type, success, value::text AS value, team, feature, environment, tenant, extra_tags
       FROM outcomes WHERE trace_id = $1${scoped ? " AND team = ANY($2::text[])" : ""}
       ORDER BY occurred_at, id`,
      params,
    ),
  ]);
  const summary = summaryResult.rows[0];
  if (!summary) throw new Error("trace summary query returned no row");
  if (toCount(summary.in_scope) === 0 && outcomeResult.rows.length === 0) return null;

  const calls = toCount(summary.calls);
  return {
    trace_id: traceId,
    summary: {
      calls,
      retries: toCount(summary.retries),
      errors: toCount(summary.errors),
      unpriced_requests: toCount(summary.unpriced),
      cost_usd: summary.cost_usd !== null ? formatUsd(summary.cost_usd) : calls > 0 ? null : formatUsd(0),
      input_tokens: toCount(summary.input_tokens),
      output_tokens: toCount(summary.output_tokens),
      first_call_at: summary.first_call_at ? iso(summary.first_call_at) : null,
      last_call_at: summary.last_call_at ? iso(summary.last_call_at) : null,
    },
    calls: callResult.rows.slice(0, MAX_TRACE_CALLS).map(traceCall),
    calls_truncated: callResult.rows.length > MAX_TRACE_CALLS,
    outcomes: outcomeResult.rows.map((row) => ({
      id: row.id,
      timestamp: iso(row.occurred_at),
      type: row.type,
      success: row.success,
      value: row.value === null ? null : trimDecimal(row.value),
      tags: tags({ team: row.team, feature: row.feature, environment: row.environment, tenant: row.tenant }, row.extra_tags),
    })),
  };
}

function traceCall(row: CallRow): TraceCall {
  const wellKnown = {
    team: row.team,
    feature: row.feature,
    environment: row.environment,
    tenant: row.tenant,
    user: row.end_user,
    prompt_version: row.prompt_version,
  };
  return {
    id: row.id,
    timestamp: iso(row.occurred_at),
    provider: row.provider,
    provider_as_sent: row.provider_as_sent,
    model: row.model,
    operation: row.operation,
    service_tier: row.service_tier,
    usage: {
      input_tokens: row.input_tokens,
      output_tokens: row.output_tokens,
      cache_read_input_tokens: row.cache_read_input_tokens,
      cache_creation_input_tokens: row.cache_creation_input_tokens,
      reasoning_output_tokens: row.reasoning_output_tokens,
    },
    cost_usd: row.cost_usd === null ? null : formatUsd(row.cost_usd),
    status: row.status,
    attempt: row.attempt,
    latency_ms: row.latency_ms,
    response_cache_hit: row.response_cache_hit,
    tags: tags(wellKnown, row.extra_tags),
  };
}

/** The tags as they were sent: the well-known columns that are set, then the extra ones. */
function tags(wellKnown: Record<string, string | null>, extra: Record<string, string> | null): Record<string, string> {
  const set = Object.entries(wellKnown).filter((entry): entry is [string, string] => entry[1] !== null);
  return Object.fromEntries([...set, ...Object.entries(extra ?? {})]);
}
