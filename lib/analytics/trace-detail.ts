import "server-only";
import { iso, SqlParams, toCount } from "@/lib/db/sql";
import { formatUsd } from "@/lib/money";
import { trimDecimal } from "@/lib/pricing/price-rows";
import { dbOf, teamScopeOf, type Ctx } from "@/lib/context";

/**
 * One trace's calls and outcomes (GET /api/v1/traces/{traceId}), the drill-down of the
 * Outcomes page's report (./outcome-report.ts), on the team-scope rules of ./outcome-cost.ts.
 */

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
export async function getTraceDetail(ctx: Ctx, input: { traceId: string }): Promise<TraceDetail | null> {
  const db = dbOf(ctx);
  const scope = teamScopeOf(ctx);
  const traceId = input.traceId;
  const p = new SqlParams();
  const trace = p.add(traceId);
  // Every statement below reads the same parameters: the trace id, then the caller's teams.
  const slugs = scope.kind === "teams" ? p.add(scope.slugs, "text[]") : null;
  const eventScope = slugs ? ` AND (team = ANY(${slugs}) OR team IS NULL)` : "";
  const inScope = slugs ? `count(*) FILTER (WHERE team = ANY(${slugs}))` : "count(*)";
  const params = p.values;
  const [summaryResult, callResult, outcomeResult] = await Promise.all([
    db.query<SummaryRow>(
      `SELECT count(*)::text AS calls, ${inScope}::text AS in_scope,
              count(*) FILTER (WHERE attempt >= 2)::text AS retries,
              count(*) FILTER (WHERE status = 'error')::text AS errors,
              count(*) FILTER (WHERE pricing_state = 'unpriced')::text AS unpriced,
              sum(cost_usd)::text AS cost_usd,
              coalesce(sum(input_tokens), 0)::text AS input_tokens, coalesce(sum(output_tokens), 0)::text AS output_tokens,
              min(occurred_at) AS first_call_at, max(occurred_at) AS last_call_at
       FROM usage_events WHERE trace_id = ${trace}${eventScope}`,
      params,
    ),
    db.query<CallRow>(
      `SELECT id, occurred_at, provider, provider_as_sent, model, operation::text AS operation, service_tier::text AS service_tier,
              input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, reasoning_output_tokens,
              cost_usd::text AS cost_usd, status::text AS status, attempt, latency_ms, response_cache_hit,
              team, feature, environment, tenant, end_user, prompt_version, extra_tags
       FROM usage_events WHERE trace_id = ${trace}${eventScope}
       ORDER BY occurred_at, id LIMIT ${MAX_TRACE_CALLS + 1}`,
      params,
    ),
    db.query<OutcomeRow>(
      `SELECT id, occurred_at, type, success, value::text AS value, team, feature, environment, tenant, extra_tags
       FROM outcomes WHERE trace_id = ${trace}${slugs ? ` AND team = ANY(${slugs})` : ""}
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
