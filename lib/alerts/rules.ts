import { findHitRateDrops, type HitRatePoint } from "@/lib/analytics/cache-drops";
import type { TokensJump } from "@/lib/analytics/tokens-per-request";
import { formatMoney } from "@/lib/format";
import { formatUsd, Money, type MoneyValue } from "@/lib/money";
import {
  ALERT_TYPE_OF_RULE,
  cacheDropRule,
  SCOPE_TAGS,
  type AlertScope,
  type AlertType,
  type BudgetForecastParams,
  type BudgetThresholdParams,
  type CacheHitRateDropParams,
  type ReconciliationDriftParams,
  type RunawayTraceParams,
  type SpendSpikeParams,
  type SpikeWindow,
  type TokensPerRequestJumpParams,
  type UnpricedSpendParams,
  type UntaggedSpendParams,
} from "@/lib/schemas/alerts";
import type { AlertRuleType } from "@/lib/generated/prisma/client";
import { startOfUtcDay, startOfUtcHour, startOfUtcMonth } from "@/lib/time";

/**
 * The alert rules, PURE: plain inputs in (gathered from the database by
 * lib/alerts/evaluate.ts), findings out. A finding is one condition that holds now;
 * its dedupeKey (rule + scope + period [+ threshold]) is what makes it fire once per
 * period: evaluate.ts inserts it with ON CONFLICT (dedupe_key) DO NOTHING, and resolves
 * open alerts of the rule whose key is no longer among the findings.
 *
 * Money is compared exactly (decimal.js), never as binary floats. Periods:
 * - budget.threshold / budget.forecast: the budget's period (the UTC month);
 * - spend.spike: the UTC day of the window (so a spike fires at most once a day per
 *   window and scope, however many hours it lasts);
 * - cache.hit_rate_drop: the drop episode (its first bucket);
 * - tokens.per_request_jump, spend.unpriced, spend.untagged: the UTC month of `now`.
 */

export interface RuleContext {
  ruleId: string;
  /** The dashboard's public base URL, no trailing slash (links in messages). */
  baseUrl: string;
  now: Date;
}

/** The webhook body (without its `id`, which evaluate.ts adds): the contract's fields plus extras per type. */
export interface AlertPayload {
  type: AlertType;
  budget_id?: string;
  /** Integer percent. */
  threshold?: number;
  actual_usd?: string;
  forecast_usd?: string;
  /** spend.spike: the window's median over the baseline days. */
  baseline_usd?: string;
  /** budget.*: the budget's amount. */
  amount_usd?: string;
  /** spend.spike */
  window?: SpikeWindow;
  window_start?: string;
  window_end?: string;
  /** cache.hit_rate_drop: fractions with 4 decimals, points with 2. */
  baseline_hit_rate?: string;
  hit_rate?: string;
  drop_pp?: string;
  episode_start?: string;
  /** tokens.per_request_jump */
  input_change_pct?: string | null;
  output_change_pct?: string | null;
  avg_input_tokens?: string | null;
  prior_avg_input_tokens?: string | null;
  avg_output_tokens?: string | null;
  prior_avg_output_tokens?: string | null;
  /** spend.unpriced */
  unpriced_requests?: number;
  models?: string[];
  /** spend.untagged */
  tag?: string;
  untagged_usd?: string;
  untagged_share_pct?: string;
  /** trace.runaway */
  trace_id?: string;
  calls?: number;
  cost_usd?: string;
  first_call_at?: string;
  last_call_at?: string;
  /** reconciliation.drift */
  provider?: string;
  day?: string;
  provider_cost_usd?: string;
  burnrate_cost_usd?: string;
  drift_usd?: string;
  drift_pct?: string;
  scope: AlertScope;
  period_start: string;
  message: string;
  url: string;
}

export interface Finding {
  ruleType: AlertRuleType;
  type: AlertType;
  dedupeKey: string;
  budgetId: string | null;
  scope: AlertScope;
  periodStart: Date;
  message: string;
  payload: AlertPayload;
}

// ------------------------------------------------------------------ helpers

// Re-exported for the callers that still import them from here; lib/time.ts is their home.
export { startOfUtcDay, startOfUtcHour, startOfUtcMonth };

/** The scope with only the tags that are set, in a fixed order (team, feature, environment, tenant). */
export function normalizeScope(scope: Readonly<Partial<Record<keyof AlertScope, string | null>>> | null | undefined): AlertScope {
  const out: AlertScope = {};
  for (const tag of SCOPE_TAGS) {
    const value = scope?.[tag];
    if (typeof value === "string" && value !== "") out[tag] = value;
  }
  return out;
}

/** A stable text for a scope inside dedupe keys. */
export function scopeKey(scope: AlertScope): string {
  return JSON.stringify(SCOPE_TAGS.filter((tag) => scope[tag] !== undefined).map((tag) => [tag, scope[tag]]));
}

/** "team search, feature f1"; "all spend" for the empty scope. */
export function describeScope(scope: AlertScope): string {
  const parts = SCOPE_TAGS.filter((tag) => scope[tag] !== undefined).map((tag) => `${tag} ${scope[tag]}`);
  return parts.length ? parts.join(", ") : "all spend";
}

function dedupeKey(ruleType: AlertRuleType, ctx: RuleContext, scope: AlertScope, period: Date, ...extra: (string | number)[]): string {
  return [ruleType, ctx.ruleId, scopeKey(scope), period.toISOString(), ...extra].join("|");
}

/** part / whole × 100 with 2 decimals, rounded DOWN (a message never claims 80.00 % at 79.999 %). */
export function percentOf(part: MoneyValue, whole: MoneyValue): string {
  return new Money(part).div(whole).mul(100).toFixed(2, Money.ROUND_DOWN);
}

/** "2025-09-10 11:00 UTC" */
export function formatUtcMinute(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A fraction with 4 decimals ("0.6000") as "60.00%". */
function fractionAsPercent(fraction: string): string {
  return `${new Money(fraction).mul(100).toFixed(2)}%`;
}

function finding(
  ruleType: AlertRuleType,
  key: string,
  scope: AlertScope,
  periodStart: Date,
  budgetId: string | null,
  payload: Omit<AlertPayload, "type" | "scope" | "period_start">,
): Finding {
  const type = ALERT_TYPE_OF_RULE[ruleType];
  return {
    ruleType,
    type,
    dedupeKey: key,
    budgetId,
    scope,
    periodStart,
    message: payload.message,
    payload: { type, ...payload, scope, period_start: periodStart.toISOString() },
  };
}

// ------------------------------------------------------------------ budgets

export interface BudgetInput {
  id: string;
  name: string;
  scope: AlertScope;
  amountUsd: string;
  /** Integer percentages. */
  thresholds: number[];
  spentUsd: string;
  forecastUsd: string;
  /** How many days of data the forecast rests on. */
  basisDays: number;
  periodStart: Date;
}

/** Each threshold t of each budget with spent / amount >= t % (exactly: spent × 100 >= amount × t). */
export function evaluateBudgetThreshold(ctx: RuleContext, _params: BudgetThresholdParams, budgets: readonly BudgetInput[]): Finding[] {
  const findings: Finding[] = [];
  for (const budget of budgets) {
    const amount = new Money(budget.amountUsd);
    const spent = new Money(budget.spentUsd);
    if (amount.lte(0)) continue;
    const thresholds = [...new Set(budget.thresholds)].filter((t) => Number.isInteger(t) && t > 0).sort((a, b) => a - b);
    for (const threshold of thresholds) {
      if (spent.mul(100).lt(amount.mul(threshold))) continue;
      const message =
        `Budget "${budget.name}" has used ${percentOf(spent, amount)}% of its ${formatMoney(amount)} monthly budget ` +
        `(${formatMoney(spent)} spent), past its ${threshold}% threshold.`;
      findings.push(
        finding("budget_threshold", dedupeKey("budget_threshold", ctx, budget.scope, budget.periodStart, budget.id, threshold), budget.scope, budget.periodStart, budget.id, {
          budget_id: budget.id,
          threshold,
          actual_usd: formatUsd(spent),
          forecast_usd: formatUsd(budget.forecastUsd),
          amount_usd: formatUsd(amount),
          message,
          url: `${ctx.baseUrl}/budgets`,
        }),
      );
    }
  }
  return findings;
}

/** Forecast > amount × (1 + margin_pct / 100), once the forecast rests on min_basis_days days. */
export function evaluateBudgetForecast(ctx: RuleContext, params: BudgetForecastParams, budgets: readonly BudgetInput[]): Finding[] {
  const findings: Finding[] = [];
  for (const budget of budgets) {
    const amount = new Money(budget.amountUsd);
    const forecast = new Money(budget.forecastUsd);
    const spent = new Money(budget.spentUsd);
    if (amount.lte(0) || budget.basisDays < params.min_basis_days) continue;
    if (!forecast.mul(100).gt(amount.mul(100 + params.margin_pct))) continue;
    const message =
      `Budget "${budget.name}" is forecast to spend ${formatMoney(forecast)} this month, ${percentOf(forecast, amount)}% ` +
      `of its ${formatMoney(amount)} budget (${formatMoney(spent)} spent so far).`;
    findings.push(
      finding("budget_forecast", dedupeKey("budget_forecast", ctx, budget.scope, budget.periodStart, budget.id), budget.scope, budget.periodStart, budget.id, {
        budget_id: budget.id,
        actual_usd: formatUsd(spent),
        forecast_usd: formatUsd(forecast),
        amount_usd: formatUsd(amount),
        message,
        url: `${ctx.baseUrl}/budgets`,
      }),
    );
  }
  return findings;
}

// ------------------------------------------------------------------ spend spikes

export interface SpikeInput {
  scope: AlertScope;
  window: SpikeWindow;
  /** hour: the last complete hour; day: midnight UTC of today. */
  windowStart: Date;
  /** hour: windowStart + 1 h; day: the end of the current hour. */
  windowEnd: Date;
  actualUsd: string;
  /** The same window on each of the previous baseline_days days (zero where nothing was spent). */
  baselineUsd: readonly string[];
}

/** The median of decimal amounts (the mean of the middle two for an even count); 0 for none. */
export function medianUsd(values: readonly MoneyValue[]): Money {
  if (values.length === 0) return new Money(0);
  const sorted = values.map((v) => new Money(v)).sort((a, b) => a.comparedTo(b));
  const mid = sorted.length >> 1;
  const upper = sorted[mid] as Money;
  return sorted.length % 2 === 1 ? upper : (sorted[mid - 1] as Money).add(upper).div(2);
}

/** actual > median × (1 + relative) AND actual − median >= floor_usd. */
export function evaluateSpendSpike(ctx: RuleContext, params: SpendSpikeParams, inputs: readonly SpikeInput[]): Finding[] {
  const findings: Finding[] = [];
  const factor = new Money(1).add(new Money(String(params.relative)));
  const floor = new Money(params.floor_usd);
  for (const input of inputs) {
    if (!params.windows.includes(input.window)) continue;
    const actual = new Money(input.actualUsd);
    const baseline = medianUsd(input.baselineUsd);
    const excess = actual.sub(baseline);
    if (!actual.gt(baseline.mul(factor)) || excess.lt(floor)) continue;
    const days = input.baselineUsd.length;
    const label = describeScope(input.scope);
    const message =
      input.window === "hour"
        ? `Spend spike (${label}): ${formatMoney(actual)} in the hour from ${formatUtcMinute(input.windowStart)}, ` +
          `against a median of ${formatMoney(baseline)} for that hour over the previous ${days} days (+${formatMoney(excess)}).`
        : `Spend spike (${label}): ${formatMoney(actual)} today so far (through ${formatUtcMinute(input.windowEnd)}), ` +
          `against a median of ${formatMoney(baseline)} by that time over the previous ${days} days (+${formatMoney(excess)}).`;
    const period = startOfUtcDay(input.windowStart);
    findings.push(
      finding("spend_spike", dedupeKey("spend_spike", ctx, input.scope, period, input.window), input.scope, period, null, {
        actual_usd: formatUsd(actual),
        baseline_usd: formatUsd(baseline),
        window: input.window,
        window_start: input.windowStart.toISOString(),
        window_end: input.windowEnd.toISOString(),
        message,
        url: `${ctx.baseUrl}/showback`,
      }),
    );
  }
  return findings;
}

// ------------------------------------------------------------------ cache hit rate

export interface CacheSeriesInput {
  scope: AlertScope;
  /** Complete buckets in time order (lib/analytics/cache-drops.ts). */
  points: readonly HitRatePoint[];
}

/** An ongoing drop episode (findHitRateDrops) per group fires, keyed by the episode's start. */
export function evaluateCacheHitRateDrop(
  ctx: RuleContext,
  params: CacheHitRateDropParams,
  groups: readonly CacheSeriesInput[],
  bucketMs: number,
): Finding[] {
  const rule = cacheDropRule(params);
  const findings: Finding[] = [];
  for (const group of groups) {
    const episodes = findHitRateDrops(group.points, { rule, bucketMs, group: null });
    for (const episode of episodes.filter((e) => e.ongoing)) {
      const start = new Date(episode.start);
      const message =
        `Prompt-cache hit rate (${describeScope(group.scope)}) dropped ${episode.drop_pp} points: ` +
        `${fractionAsPercent(episode.lowest)} at its lowest against a baseline of ${fractionAsPercent(episode.baseline)}, ` +
        `since ${formatUtcMinute(start)}.`;
      findings.push(
        finding("cache_hit_rate_drop", dedupeKey("cache_hit_rate_drop", ctx, group.scope, start), group.scope, start, null, {
          baseline_hit_rate: episode.baseline,
          hit_rate: episode.lowest,
          drop_pp: episode.drop_pp,
          episode_start: episode.start,
          message,
          url: `${ctx.baseUrl}/cache`,
        }),
      );
    }
  }
  return findings;
}

// ------------------------------------------------------------------ tokens per request

export interface TokensJumpInput {
  scope: AlertScope;
  jump: TokensJump;
}

/** lib/analytics/tokens-per-request.ts's jump flag (input, output or either); once per month. */
export function evaluateTokensPerRequestJump(
  ctx: RuleContext,
  params: TokensPerRequestJumpParams,
  inputs: readonly TokensJumpInput[],
): Finding[] {
  const period = startOfUtcMonth(ctx.now);
  const findings: Finding[] = [];
  for (const { scope, jump } of inputs) {
    const input = params.on !== "output" && jump.input_jump;
    const output = params.on !== "input" && jump.output_jump;
    if (!input && !output) continue;
    const parts = [
      ...(input ? [`input +${jump.input_change_pct}% (${jump.prior.avg_input_tokens} → ${jump.recent.avg_input_tokens})`] : []),
      ...(output ? [`output +${jump.output_change_pct}% (${jump.prior.avg_output_tokens} → ${jump.recent.avg_output_tokens})`] : []),
    ];
    const message = `Tokens per request jumped (${describeScope(scope)}): ${parts.join(", ")} in the last 7 days against the 28 days before.`;
    findings.push(
      finding("tokens_per_request_jump", dedupeKey("tokens_per_request_jump", ctx, scope, period), scope, period, null, {
        input_change_pct: jump.input_change_pct,
        output_change_pct: jump.output_change_pct,
        avg_input_tokens: jump.recent.avg_input_tokens,
        prior_avg_input_tokens: jump.prior.avg_input_tokens,
        avg_output_tokens: jump.recent.avg_output_tokens,
        prior_avg_output_tokens: jump.prior.avg_output_tokens,
        message,
        url: `${ctx.baseUrl}/cache`,
      }),
    );
  }
  return findings;
}

// ------------------------------------------------------------------ unpriced and untagged spend

export interface UnpricedInput {
  scope: AlertScope;
  periodStart: Date;
  /** Unpriced requests this period per provider/model, most first. */
  models: readonly { provider: string; model: string; unpricedRequests: number }[];
}

const LISTED_MODELS = 5;

export function evaluateUnpricedSpend(ctx: RuleContext, params: UnpricedSpendParams, input: UnpricedInput): Finding[] {
  const total = input.models.reduce((sum, m) => sum + m.unpricedRequests, 0);
  if (total < params.min_requests || total === 0) return [];
  const names = input.models.map((m) => `${m.provider}/${m.model}`);
  const listed = names.slice(0, LISTED_MODELS).join(", ") + (names.length > LISTED_MODELS ? ` and ${names.length - LISTED_MODELS} more` : "");
  const where = Object.keys(input.scope).length ? ` (${describeScope(input.scope)})` : "";
  const message =
    `${total} unpriced ${total === 1 ? "request" : "requests"} this month${where} from ${names.length} ` +
    `${names.length === 1 ? "model" : "models"} (${listed}): add prices so this spend is counted.`;
  return [
    finding("unpriced_spend", dedupeKey("unpriced_spend", ctx, input.scope, input.periodStart), input.scope, input.periodStart, null, {
      unpriced_requests: total,
      models: names,
      message,
      url: `${ctx.baseUrl}/prices`,
    }),
  ];
}

export interface UntaggedInput {
  scope: AlertScope;
  periodStart: Date;
  totalUsd: string;
  /** Spend of events without the rule's tag. */
  untaggedUsd: string;
}

/** untagged × 100 >= share_pct × total (exactly), total > 0 and untagged >= min_untagged_usd. */
export function evaluateUntaggedSpend(ctx: RuleContext, params: UntaggedSpendParams, input: UntaggedInput): Finding[] {
  const total = new Money(input.totalUsd);
  const untagged = new Money(input.untaggedUsd);
  if (total.lte(0) || untagged.lt(params.min_untagged_usd)) return [];
  if (untagged.mul(100).lt(total.mul(new Money(String(params.share_pct))))) return [];
  const share = percentOf(untagged, total);
  const where = Object.keys(input.scope).length ? ` (${describeScope(input.scope)})` : "";
  const message = `${share}% of this month's spend${where} has no ${params.tag} tag: ${formatMoney(untagged)} of ${formatMoney(total)}.`;
  return [
    finding("untagged_spend", dedupeKey("untagged_spend", ctx, input.scope, input.periodStart, params.tag), input.scope, input.periodStart, null, {
      tag: params.tag,
      actual_usd: formatUsd(total),
      untagged_usd: formatUsd(untagged),
      untagged_share_pct: share,
      message,
      url: `${ctx.baseUrl}/showback`,
    }),
  ];
}

// ------------------------------------------------------------------ reconciliation

export interface DriftDayInput {
  provider: string;
  /** YYYY-MM-DD (UTC). */
  day: string;
  providerCostUsd: string;
  burnrateCostUsd: string;
}

/**
 * |burnrate − provider| × 100 > drift_pct × provider (exactly) on a day the provider billed at
 * least min_provider_usd: once per provider and day (the day is the period).
 */
export function evaluateReconciliationDrift(ctx: RuleContext, params: ReconciliationDriftParams, days: readonly DriftDayInput[]): Finding[] {
  const findings: Finding[] = [];
  for (const day of days) {
    const provider = new Money(day.providerCostUsd);
    const burnrate = new Money(day.burnrateCostUsd);
    if (provider.lte(0) || provider.lt(params.min_provider_usd)) continue;
    const delta = burnrate.minus(provider);
    if (delta.abs().mul(100).lte(provider.mul(new Money(String(params.drift_pct))))) continue;
    const periodStart = new Date(`${day.day}T00:00:00Z`);
    const pct = delta.div(provider).mul(100).toFixed(2);
    const direction = delta.isPositive() ? "more" : "less";
    const message =
      `${day.provider} on ${day.day}: Burnrate counted ${formatMoney(burnrate)}, the provider billed ${formatMoney(provider)} ` +
      `(${formatMoney(delta.abs())} ${direction}, ${pct}%).`;
    findings.push(
      finding("reconciliation_drift", dedupeKey("reconciliation_drift", ctx, {}, periodStart, day.provider), {}, periodStart, null, {
        provider: day.provider,
        day: day.day,
        provider_cost_usd: provider.toFixed(12),
        burnrate_cost_usd: burnrate.toFixed(12),
        drift_usd: delta.toFixed(12),
        drift_pct: pct,
        message,
        url: `${ctx.baseUrl}/reconciliation?from=${day.day}&to=${new Date(periodStart.getTime() + 86_400_000).toISOString().slice(0, 10)}&provider=${encodeURIComponent(day.provider)}`,
      }),
    );
  }
  return findings;
}

// ------------------------------------------------------------------ runaway traces

export interface RunawayTraceInput {
  traceId: string;
  /** The team most of its calls carry (null: untagged). */
  team: string | null;
  calls: number;
  /** Priced calls only, exact decimal text. */
  costUsd: string;
  firstCallAt: Date;
  lastCallAt: Date;
}

/**
 * A trace (an agent run, a workflow) that made more than max_calls calls or cost more than
 * max_cost_usd within the window: once per trace, dated by its first call.
 */
export function evaluateRunawayTrace(ctx: RuleContext, params: RunawayTraceParams, traces: readonly RunawayTraceInput[]): Finding[] {
  const findings: Finding[] = [];
  const maxCost = new Money(params.max_cost_usd);
  for (const trace of traces) {
    const cost = new Money(trace.costUsd);
    const tooMany = trace.calls > params.max_calls;
    const tooCostly = cost.gt(maxCost);
    if (!tooMany && !tooCostly) continue;
    const scope = normalizeScope({ team: trace.team });
    const reasons = [tooMany ? `${trace.calls} calls (limit ${params.max_calls})` : null, tooCostly ? `${formatMoney(cost)} (limit ${formatMoney(maxCost)})` : null].filter(Boolean);
    const minutes = Math.max(1, Math.round((trace.lastCallAt.getTime() - trace.firstCallAt.getTime()) / 60_000));
    const message =
      `Trace ${trace.traceId}${trace.team ? ` (team ${trace.team})` : ""} ran away: ${reasons.join(" and ")} ` +
      `in ${minutes} ${minutes === 1 ? "minute" : "minutes"}, from ${formatUtcMinute(trace.firstCallAt)}.`;
    findings.push(
      finding("runaway_trace", dedupeKey("runaway_trace", ctx, {}, trace.firstCallAt, trace.traceId), scope, trace.firstCallAt, null, {
        trace_id: trace.traceId,
        calls: trace.calls,
        cost_usd: cost.toFixed(12),
        first_call_at: trace.firstCallAt.toISOString(),
        last_call_at: trace.lastCallAt.toISOString(),
        message,
        url: `${ctx.baseUrl}/outcomes?trace=${encodeURIComponent(trace.traceId)}`,
      }),
    );
  }
  return findings;
}
