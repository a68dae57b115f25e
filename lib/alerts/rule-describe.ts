import { z } from "zod";
import { formatMoney } from "@/lib/format";
import { Money } from "@/lib/money";
import type { AlertRuleType } from "@/lib/generated/prisma/client";
import {
  ALERT_RULE_TYPES,
  RULE_PARAMS_SCHEMAS,
  SCOPE_TAGS,
  cacheDropRule,
  type AlertScope,
  type BudgetForecastParams,
  type CacheHitRateDropParams,
  type RuleParamsByType,
  type SpendSpikeParams,
  type TokensPerRequestJumpParams,
  type UnpricedSpendParams,
  type UntaggedSpendParams,
  type ReconciliationDriftParams,
  type RunawayTraceParams,
} from "@/lib/schemas/alerts";

/**
 * Alert rules as people read and tune them — PURE (no database, safe in the browser):
 * each rule type's parameters as labelled form fields (bounds, choices and defaults read
 * from the type's zod schema in lib/schemas/alerts.ts, so the form and the API cannot
 * disagree), the form's values ⇄ the API's `params`, the schema's validation messages per
 * field, and describeRule(): the one-sentence preview of what a rule fires on.
 */

export type RuleFieldKind = "integer" | "number" | "usd" | "select" | "checkboxes";

export interface RuleFieldOption {
  value: string;
  label: string;
}

export interface RuleField {
  /** The params key. */
  name: string;
  label: string;
  kind: RuleFieldKind;
  /** Shown after the input ("%", "days", "USD", …). */
  unit?: string;
  /** Bounds as the form shows them (after `scale`), from the schema. */
  min?: number;
  max?: number;
  step?: number;
  options?: RuleFieldOption[];
  help: string;
  /** The form shows value × scale (relative: a fraction stored, a percentage shown). */
  scale?: number;
  /** No schema default: empty means "the bucket-dependent default". */
  optional?: boolean;
}

/** Labels of what a rule watches. */
export const RULE_TYPE_LABELS: Record<AlertRuleType, string> = {
  budget_threshold: "Budget thresholds",
  budget_forecast: "Budget forecast over amount",
  spend_spike: "Spend spike",
  cache_hit_rate_drop: "Prompt-cache hit-rate drop",
  tokens_per_request_jump: "Tokens per request jump",
  unpriced_spend: "Unpriced spend",
  untagged_spend: "Untagged spend",
  reconciliation_drift: "Provider bill drift",
  runaway_trace: "Runaway trace",
};

/** Rule types that watch budgets: they may be scoped to one budget (budget_id). */
export const BUDGET_RULE_TYPES: readonly AlertRuleType[] = ["budget_threshold", "budget_forecast"];

/** lib/analytics/tokens-per-request.ts's JUMP_THRESHOLD_PCT and JUMP_MIN_REQUESTS (that module reads the database; a unit test keeps these equal). */
export const TOKENS_JUMP_PCT = 25;
export const TOKENS_JUMP_MIN_REQUESTS = 50;

// ------------------------------------------------------------------ fields

type FieldSpec = Omit<RuleField, "min" | "max" | "options"> & { optionLabels?: Record<string, string> };

const FIELD_SPECS: Record<AlertRuleType, FieldSpec[]> = {
  budget_threshold: [],
  budget_forecast: [
    { name: "margin_pct", label: "Forecast above the amount by more than", kind: "integer", unit: "%", help: "0 fires as soon as the month-end forecast exceeds the budget." },
    { name: "min_basis_days", label: "Judge the forecast after", kind: "integer", unit: "complete days", help: "Days of data the forecast must rest on, so a few hours of spend are not extrapolated to a month." },
  ],
  spend_spike: [
    {
      name: "windows",
      label: "Windows",
      kind: "checkboxes",
      optionLabels: { hour: "Last complete hour", day: "Today so far" },
      help: "Each window is compared with the same window on the previous days.",
    },
    { name: "relative", label: "Above the baseline by more than", kind: "number", unit: "%", scale: 100, step: 1, help: "100% means more than double the baseline." },
    { name: "floor_usd", label: "And at least", kind: "usd", unit: "USD", step: 0.01, help: "Ignore spikes smaller than this many dollars above the baseline." },
    { name: "baseline_days", label: "Baseline", kind: "integer", unit: "days", help: "The baseline is the median of the same window on each of these previous days." },
    {
      name: "group_by",
      label: "Per",
      kind: "select",
      optionLabels: { team: "Team", none: "All spend together" },
      help: "Per team: each team's spend against its own baseline.",
    },
  ],
  cache_hit_rate_drop: [
    {
      name: "group_by",
      label: "Per",
      kind: "select",
      optionLabels: { feature: "Feature (within its team)", tenant: "Tenant", team: "Team" },
      help: "Whose hit rate is followed.",
    },
    { name: "bucket", label: "Buckets", kind: "select", optionLabels: { hour: "Hours", day: "Days" }, help: "The hit rate is computed per bucket." },
    { name: "drop_pp", label: "Drop of at least", kind: "integer", unit: "percentage points", help: "Below the median of the buckets before it." },
    { name: "baseline_buckets", label: "Baseline", kind: "integer", unit: "buckets", optional: true, help: "Empty: 24 hourly or 7 daily buckets." },
    { name: "min_buckets", label: "Lasting at least", kind: "integer", unit: "buckets", optional: true, help: "Empty: 3 hourly or 1 daily bucket; shorter dips are noise." },
    { name: "min_requests", label: "Count buckets with at least", kind: "integer", unit: "requests", help: "Quieter buckets are skipped." },
    { name: "lookback_days", label: "Look back", kind: "integer", unit: "days", help: "How much history is read each evaluation." },
  ],
  tokens_per_request_jump: [
    {
      name: "on",
      label: "Watch",
      kind: "select",
      optionLabels: { either: "Input or output tokens", input: "Input tokens", output: "Output tokens" },
      help: `A jump is +${TOKENS_JUMP_PCT}% in the last 7 days against the 28 before, with at least ${TOKENS_JUMP_MIN_REQUESTS} requests in each.`,
    },
  ],
  unpriced_spend: [
    { name: "min_requests", label: "At least", kind: "integer", unit: "unpriced requests this month", help: "Requests of models without a price have no cost until one is added." },
  ],
  runaway_trace: [
    { name: "max_calls", label: "More than", kind: "integer", unit: "calls in one trace", help: "An agent stuck in a loop makes call after call under one trace id." },
    { name: "max_cost_usd", label: "Or costing more than", kind: "usd", unit: "USD", step: 0.01, help: "Priced calls of the trace; unpriced ones count as calls only." },
    { name: "window_hours", label: "Within the last", kind: "integer", unit: "hours", help: "Calls older than this no longer count." },
  ],
  reconciliation_drift: [
    { name: "drift_pct", label: "Differs by more than", kind: "number", unit: "% of the provider's cost", step: 0.01, help: "Burnrate's cost of a provider's day against the provider's own cost report." },
    { name: "min_provider_usd", label: "On days the provider billed at least", kind: "usd", unit: "USD", step: 0.01, help: "Small days are left alone." },
  ],
  untagged_spend: [
    {
      name: "tag",
      label: "Tag",
      kind: "select",
      optionLabels: { team: "team", feature: "feature", environment: "environment", tenant: "tenant" },
      help: "Spend without this tag cannot be shown back.",
    },
    { name: "share_pct", label: "Untagged share of at least", kind: "number", unit: "% of spend", step: 0.01, help: "Of this month's spend." },
    { name: "min_untagged_usd", label: "And at least", kind: "usd", unit: "USD", step: 0.01, help: "Untagged spend below this is ignored." },
  ],
};

/** A schema's inner type under .default() / .optional(). */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodDefault || current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType;
  return current;
}

function scaled(value: number | null | undefined, scale: number | undefined): number | undefined {
  if (value === null || value === undefined || !Number.isFinite(value)) return undefined;
  return scale ? new Money(value).mul(scale).toNumber() : value;
}

function deriveField(type: AlertRuleType, spec: FieldSpec): RuleField {
  const shape = RULE_PARAMS_SCHEMAS[type].shape as Record<string, z.ZodType>;
  const schema = shape[spec.name];
  if (!schema) throw new Error(`${type}.${spec.name} is not in the params schema`);
  const inner = unwrap(schema);
  const { optionLabels, ...field } = spec;
  const out: RuleField = { ...field };
  if (inner instanceof z.ZodNumber) {
    out.min = scaled(inner.minValue, spec.scale);
    out.max = scaled(inner.maxValue, spec.scale);
  } else if (spec.kind === "usd") {
    out.min = 0;
  }
  const enumOf = inner instanceof z.ZodArray ? unwrap(inner.element as z.ZodType) : inner;
  if (enumOf instanceof z.ZodEnum) {
    out.options = (enumOf.options as string[]).map((value) => ({ value, label: optionLabels?.[value] ?? value }));
  }
  return out;
}

/** Each type's fields, in form order. */
export const RULE_FIELDS: Record<AlertRuleType, RuleField[]> = Object.fromEntries(
  ALERT_RULE_TYPES.map((type) => [type, FIELD_SPECS[type].map((spec) => deriveField(type, spec))]),
) as Record<AlertRuleType, RuleField[]>;

/** The schema's defaults of a type (bucket-dependent ones absent). */
export function defaultParams(type: AlertRuleType): Record<string, unknown> {
  return RULE_PARAMS_SCHEMAS[type].parse({}) as Record<string, unknown>;
}

// ------------------------------------------------------------------ form values ⇄ params

/** What the form holds: text per input, a list for checkboxes. */
export type RuleFormValues = Record<string, string | string[]>;

function formText(value: unknown, field: RuleField): string {
  if (value === undefined || value === null) return "";
  if (field.scale && typeof value === "number") return new Money(value).mul(field.scale).toFixed();
  return String(value);
}

/** The form's starting values for a rule's params (defaults filled in). */
export function formValuesOf(type: AlertRuleType, params: Record<string, unknown>): RuleFormValues {
  const effective = { ...defaultParams(type), ...params };
  const values: RuleFormValues = {};
  for (const field of RULE_FIELDS[type]) {
    const value = effective[field.name];
    values[field.name] = field.kind === "checkboxes" ? (Array.isArray(value) ? value.map(String) : []) : formText(value, field);
  }
  return values;
}

export interface FormProblem {
  field: string;
  message: string;
}

/**
 * The form's values as params (every field; an empty optional field is null = "default"),
 * and the problems of each field: text that is not a number here, everything else from the
 * type's zod schema (its messages, with bounds shown in the form's unit).
 */
export function paramsFromForm(type: AlertRuleType, values: RuleFormValues): { params: Record<string, unknown>; problems: FormProblem[] } {
  const params: Record<string, unknown> = {};
  const problems: FormProblem[] = [];
  for (const field of RULE_FIELDS[type]) {
    const raw = values[field.name];
    if (field.kind === "checkboxes") {
      params[field.name] = Array.isArray(raw) ? raw : [];
      continue;
    }
    const text = (typeof raw === "string" ? raw : "").trim();
    if (field.kind === "select") {
      params[field.name] = text;
    } else if (text === "") {
      if (field.optional) params[field.name] = null;
      else problems.push({ field: field.name, message: "must not be empty" });
    } else if (field.kind === "usd") {
      params[field.name] = text;
    } else {
      const number = Number(text);
      if (!Number.isFinite(number)) problems.push({ field: field.name, message: "must be a number" });
      else params[field.name] = field.scale ? new Money(text).div(field.scale).toNumber() : number;
    }
  }
  const checked = Object.fromEntries(Object.entries(params).filter(([name, value]) => value !== null && !problems.some((p) => p.field === name)));
  const parsed = RULE_PARAMS_SCHEMAS[type].safeParse(checked);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? "");
      const field = RULE_FIELDS[type].find((f) => f.name === name);
      if (!field || problems.some((p) => p.field === name)) continue;
      const outOfRange = field.scale && (issue.code === "too_small" || issue.code === "too_big");
      problems.push({ field: name, message: outOfRange ? `must be from ${field.min} to ${field.max}` : issue.message });
    }
  }
  return { params, problems };
}

/** Only what differs from `base` (null for an optional field emptied that `base` had set): the PATCH / POST `params`. */
export function changedParams(params: Record<string, unknown>, base: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === null) {
      if (base[name] !== undefined && base[name] !== null) out[name] = null;
    } else if (JSON.stringify(value) !== JSON.stringify(base[name])) {
      out[name] = value;
    }
  }
  return out;
}

// ------------------------------------------------------------------ the sentence

/** What a rule is limited to: tags, or one budget (budget rules). */
export interface RuleTarget {
  scope?: AlertScope | null;
  budget?: { name: string } | null;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** "$5", "$0.50", "$1,000": whole dollars without cents. */
export function formatUsdShort(amount: string): string {
  const text = formatMoney(amount);
  return text.endsWith(".00") ? text.slice(0, -3) : text;
}

function percent(value: number | string): string {
  return `${new Money(String(value)).toFixed()}%`;
}

function tagsText(scope: AlertScope, except?: keyof AlertScope): string {
  return SCOPE_TAGS.filter((tag) => tag !== except && scope[tag] !== undefined)
    .map((tag) => `${tag} ${scope[tag]}`)
    .join(" and ");
}

/** " in team search and environment prod", or "". */
function within(scope: AlertScope, except?: keyof AlertScope): string {
  const text = tagsText(scope, except);
  return text ? ` in ${text}` : "";
}

/** "a team's", "team search's" — the group's possessive, fixed when the scope names it. */
function groupPossessive(noun: keyof AlertScope, scope: AlertScope): string {
  return scope[noun] !== undefined ? `${noun} ${scope[noun]}'s` : `a ${noun}'s`;
}

function budgetSubject(target: RuleTarget, scope: AlertScope): string {
  if (target.budget) return `budget "${target.budget.name}"`;
  const tags = tagsText(scope);
  return tags ? `a budget of ${tags}` : "a budget";
}

function describeBudgetForecast(params: BudgetForecastParams, subject: string): string {
  const margin = params.margin_pct > 0 ? ` by more than ${params.margin_pct}%` : "";
  const basis = params.min_basis_days > 0 ? `, once the forecast rests on at least ${plural(params.min_basis_days, "complete day")}` : "";
  return `Fires when the month-end forecast of ${subject} exceeds its amount${margin}${basis}.`;
}

function describeSpendSpike(params: SpendSpikeParams, scope: AlertScope): string {
  const windows = params.windows.includes("hour") && params.windows.includes("day") ? "hourly or daily" : params.windows.includes("hour") ? "hourly" : "daily";
  const subject =
    params.group_by === "team" || scope.team !== undefined ? `${groupPossessive("team", scope)} ${windows} spend${within(scope, "team")}` : `total ${windows} spend${within(scope)}`;
  const relative = new Money(String(params.relative));
  const above = relative.gt(0) ? `more than ${percent(relative.mul(100).toFixed())} above` : "above";
  const floor = new Money(params.floor_usd).gt(0) ? ` and at least ${formatUsdShort(params.floor_usd)} above it` : "";
  return `Fires when ${subject} is ${above} its ${params.baseline_days}-day baseline${floor}.`;
}

function describeCacheDrop(params: CacheHitRateDropParams, scope: AlertScope): string {
  const rule = cacheDropRule(params);
  const unit = params.bucket;
  const noun = params.group_by;
  const subject = `${groupPossessive(noun, scope)} prompt-cache hit rate${within(scope, noun)}`;
  const counting = rule.minRequests > 0 ? ` (counting ${unit}s with at least ${plural(rule.minRequests, "request")})` : "";
  return (
    `Fires when ${subject} is at least ${plural(rule.dropPp, "percentage point")} below its median over the previous ${plural(rule.baselineBuckets, unit)} ` +
    `for ${plural(rule.minBuckets, unit)} or more${counting}.`
  );
}

function describeTokensJump(params: TokensPerRequestJumpParams, scope: AlertScope): string {
  const which = params.on === "either" ? "input or output" : params.on;
  const feature = scope.feature !== undefined ? `feature ${scope.feature}` : "a feature";
  return (
    `Fires when the average ${which} tokens per request of ${feature}${within(scope, "feature")} rise at least ${TOKENS_JUMP_PCT}% ` +
    `in the last 7 days against the 28 days before (with at least ${TOKENS_JUMP_MIN_REQUESTS} requests in each).`
  );
}

function describeUnpriced(params: UnpricedSpendParams, scope: AlertScope): string {
  return params.min_requests === 1
    ? `Fires when any request${within(scope)} this month has no price.`
    : `Fires when ${params.min_requests} or more requests${within(scope)} this month have no price.`;
}

function describeUntagged(params: UntaggedSpendParams, scope: AlertScope): string {
  const floor = new Money(params.min_untagged_usd).gt(0) ? ` and at least ${formatUsdShort(params.min_untagged_usd)}` : "";
  return `Fires when spend${within(scope)} without a ${params.tag} tag is at least ${percent(params.share_pct)} of this month's spend${floor}.`;
}

function describeParsed<T extends AlertRuleType>(type: T, params: RuleParamsByType[T], scope: AlertScope, target: RuleTarget): string {
  switch (type) {
    case "budget_threshold":
      return `Fires when spend under ${budgetSubject(target, scope)} reaches one of the budget's thresholds this month.`;
    case "budget_forecast":
      return describeBudgetForecast(params as BudgetForecastParams, budgetSubject(target, scope));
    case "spend_spike":
      return describeSpendSpike(params as SpendSpikeParams, scope);
    case "cache_hit_rate_drop":
      return describeCacheDrop(params as CacheHitRateDropParams, scope);
    case "tokens_per_request_jump":
      return describeTokensJump(params as TokensPerRequestJumpParams, scope);
    case "unpriced_spend":
      return describeUnpriced(params as UnpricedSpendParams, scope);
    case "untagged_spend":
      return describeUntagged(params as UntaggedSpendParams, scope);
    case "runaway_trace": {
      const runaway = params as RunawayTraceParams;
      return `Fires once per trace${within(scope)} that makes more than ${runaway.max_calls} calls or costs more than ${formatUsdShort(runaway.max_cost_usd)} within ${runaway.window_hours} ${runaway.window_hours === 1 ? "hour" : "hours"}.`;
    }
    case "reconciliation_drift": {
      const drift = params as ReconciliationDriftParams;
      return `Fires once per provider and day when Burnrate's cost differs from the provider's bill by more than ${percent(drift.drift_pct)}, on days the provider billed at least ${formatUsdShort(drift.min_provider_usd)}.`;
    }
    default:
      return "";
  }
}

export type DescribeResult = { ok: true; sentence: string } | { ok: false; problems: { path: string; message: string }[] };

/** The sentence for stored (or form) params, or the params' problems when they do not validate. */
export function tryDescribeRule(type: AlertRuleType, params: unknown, target: RuleTarget = {}): DescribeResult {
  const value = params && typeof params === "object" && !Array.isArray(params) ? params : {};
  const parsed = RULE_PARAMS_SCHEMAS[type].safeParse(value);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message })) };
  const scope: AlertScope = {};
  for (const tag of SCOPE_TAGS) {
    const tagValue = target.scope?.[tag];
    if (typeof tagValue === "string" && tagValue !== "") scope[tag] = tagValue;
  }
  return { ok: true, sentence: describeParsed(type, parsed.data as RuleParamsByType[typeof type], scope, target) };
}

/**
 * One sentence saying when a rule fires, e.g. "Fires when a team's hourly or daily spend is
 * more than 100% above its 7-day baseline and at least $5 above it." Params that do not
 * validate are named instead (such a rule fails until they are fixed).
 */
export function describeRule(type: AlertRuleType, params: unknown, target: RuleTarget = {}): string {
  const result = tryDescribeRule(type, params, target);
  if (result.ok) return result.sentence;
  const first = result.problems[0];
  return `Not evaluated: its parameters are not valid (${first ? `${first.path || "params"} ${first.message}` : "unknown problem"}).`;
}
