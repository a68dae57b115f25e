import "server-only";
import { Money, formatUsd } from "@/lib/money";
import { iso, rows, SqlParams, toCount } from "@/lib/db/sql";
import { distributionOfSorted, histogramOfSorted, sortAmounts, type AmountDistribution, type LogHistogram } from "./percentiles";
import { costPerSuccess, outcomeTraceCtes, type OutcomeFilter } from "./outcome-cost";
import { utcDays } from "./periods";
import { dbOf, teamScopeFor, type Ctx } from "@/lib/context";

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

export async function getOutcomeReport(ctx: Ctx, filter: OutcomeFilter): Promise<OutcomeReport> {
  const db = dbOf(ctx);
  const scope = teamScopeFor(ctx, filter.team);
  const run = <R extends object>(tail: string) => {
    const p = new SqlParams();
    return rows<R & Record<string, unknown>>(db, `WITH ${outcomeTraceCtes(filter, scope, p)} ${tail}`, p);
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
