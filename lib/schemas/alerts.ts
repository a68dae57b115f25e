import { z } from "zod";
import type { AlertRuleType } from "@/lib/generated/prisma/client";
import { DEFAULT_BASELINE_BUCKETS, DEFAULT_DROP_PP, DEFAULT_MIN_BUCKETS, DEFAULT_MIN_REQUESTS, parseInstant } from "@/lib/schemas/cache";
import { timestampSchema } from "@/lib/schemas/common";

/**
 * Alert rules, channels and alerts: the params of each rule type (zod, with the defaults
 * the rules use), and the bodies and queries of /api/v1/alert-channels, /alert-rules and
 * /alerts. Every object is strict: an unknown field is a 400 that names it.
 *
 * A rule stores only the params someone set; the defaults below fill in the rest each
 * time it is evaluated (so a default tuned here reaches every rule that did not override it).
 */

export const ALERT_RULE_TYPES = [
  "budget_threshold",
  "budget_forecast",
  "spend_spike",
  "cache_hit_rate_drop",
  "tokens_per_request_jump",
  "unpriced_spend",
  "untagged_spend",
  "reconciliation_drift",
  "runaway_trace",
] as const satisfies readonly AlertRuleType[];

/** The `type` of an alert (webhook payload, GET /api/v1/alerts) per rule type: the contract's names. */
export const ALERT_TYPE_OF_RULE = {
  budget_threshold: "budget.threshold",
  budget_forecast: "budget.forecast",
  spend_spike: "spend.spike",
  cache_hit_rate_drop: "cache.hit_rate_drop",
  tokens_per_request_jump: "tokens.per_request_jump",
  unpriced_spend: "spend.unpriced",
  untagged_spend: "spend.untagged",
  reconciliation_drift: "reconciliation.drift",
  runaway_trace: "trace.runaway",
} as const satisfies Record<AlertRuleType, string>;

export type AlertType = (typeof ALERT_TYPE_OF_RULE)[AlertRuleType];
export const ALERT_TYPES = Object.values(ALERT_TYPE_OF_RULE) as AlertType[];

export const ALERT_STATES = ["open", "acknowledged", "resolved"] as const;
export type AlertStateName = (typeof ALERT_STATES)[number];

// ------------------------------------------------------------------ shared pieces

const tagValue = z.string().min(1, "must not be empty").max(256, "must be at most 256 characters");

/** Tags an alert (or a rule) concerns; every tag given must match. */
export const alertScopeSchema = z.strictObject({
  team: tagValue.optional(),
  feature: tagValue.optional(),
  environment: tagValue.optional(),
  tenant: tagValue.optional(),
});
export type AlertScope = z.infer<typeof alertScopeSchema>;
export const SCOPE_TAGS = ["team", "feature", "environment", "tenant"] as const satisfies readonly (keyof AlertScope)[];

/** A non-negative USD amount as a decimal string (numbers are accepted and kept as written). */
const usdAmount = z
  .union([z.string(), z.number()], { message: "must be a decimal amount in USD" })
  .transform((value) => String(value))
  .pipe(z.string().regex(/^\d{1,12}(\.\d{1,12})?$/, "must be a decimal amount in USD, e.g. \"5\" or \"0.50\""));

const int = (min: number, max: number) =>
  z
    .number({ message: `must be an integer from ${min} to ${max}` })
    .int(`must be an integer from ${min} to ${max}`)
    .min(min, `must be an integer from ${min} to ${max}`)
    .max(max, `must be an integer from ${min} to ${max}`);

// ------------------------------------------------------------------ rule params

/** Every threshold of every watched budget (the budget's own `thresholds`). Nothing to tune. */
export const budgetThresholdParamsSchema = z.strictObject({});

/**
 * Fires when the month-end forecast exceeds the budget by more than `margin_pct` percent
 * (0: forecast > amount), once the forecast rests on at least `min_basis_days` complete
 * days (lib/budgets/forecast.ts's basisDays; default 1, so a scope that started spending
 * today is not judged on a few hours' run rate).
 */
export const budgetForecastParamsSchema = z.strictObject({
  margin_pct: int(0, 1000).default(0),
  min_basis_days: int(0, 28).default(1),
});

export const SPIKE_WINDOWS = ["hour", "day"] as const;
export type SpikeWindow = (typeof SPIKE_WINDOWS)[number];

/**
 * Spend in a window against the median of the same window on each of the previous
 * `baseline_days` days: "hour" = the last complete hour, "day" = today so far (through
 * the current hour). Fires when actual > baseline × (1 + relative) AND actual − baseline
 * >= floor_usd. Per team (untagged spend is left to untagged_spend) or for all spend.
 */
export const spendSpikeParamsSchema = z.strictObject({
  windows: z
    .array(z.enum(SPIKE_WINDOWS, { message: "must be hour or day" }))
    .min(1, "name at least one window")
    .refine((windows) => new Set(windows).size === windows.length, "must not repeat a window")
    .default(["hour", "day"]),
  relative: z.number({ message: "must be a number from 0 to 1000" }).min(0).max(1000).default(1),
  floor_usd: usdAmount.default("5"),
  baseline_days: int(1, 28).default(7),
  group_by: z.enum(["team", "none"], { message: "must be team or none" }).default("team"),
});

/**
 * Prompt-cache hit-rate drops (lib/analytics/cache-drops.ts's rule) per group over the
 * last `lookback_days` of complete buckets; an ongoing episode fires once. group_by
 * feature groups by team and feature (so the team is known), tenant and team by themselves.
 */
export const cacheHitRateDropParamsSchema = z.strictObject({
  group_by: z.enum(["feature", "tenant", "team"], { message: "must be feature, tenant or team" }).default("feature"),
  bucket: z.enum(["hour", "day"], { message: "must be hour or day" }).default("hour"),
  drop_pp: int(1, 100).default(DEFAULT_DROP_PP),
  /** Default: 24 for hourly buckets, 7 for daily ones. */
  baseline_buckets: int(1, 168).optional(),
  min_requests: int(0, 1_000_000_000).default(DEFAULT_MIN_REQUESTS),
  /** Default: 3 for hourly buckets, 1 for daily ones. */
  min_buckets: int(1, 168).optional(),
  lookback_days: int(2, 60).default(14),
});

/**
 * lib/analytics/tokens-per-request.ts's jump flag per team and feature (last 7 days
 * against the 28 before, +25 %, 50 requests each): on input, output or either.
 */
export const tokensPerRequestJumpParamsSchema = z.strictObject({
  on: z.enum(["input", "output", "either"], { message: "must be input, output or either" }).default("either"),
});

/** Unpriced requests this month (never counted as $0: somebody has to add a price). */
export const unpricedSpendParamsSchema = z.strictObject({
  min_requests: int(1, 1_000_000_000).default(1),
});

/** Spend without `tag` this month at least `share_pct` % of all spend, and at least min_untagged_usd. */
export const untaggedSpendParamsSchema = z.strictObject({
  tag: z.enum(SCOPE_TAGS, { message: `must be one of ${SCOPE_TAGS.join(", ")}` }).default("team"),
  share_pct: z.number({ message: "must be a number from 0.01 to 100" }).min(0.01).max(100).default(5),
  min_untagged_usd: usdAmount.default("1"),
});

/** A provider's day (contract: reconciliation) where Burnrate's cost differs from the provider's by more than drift_pct, on at least min_provider_usd. */
export const reconciliationDriftParamsSchema = z.strictObject({
  drift_pct: z.number({ message: "must be a number from 0.01 to 1000" }).min(0.01).max(1000).default(5),
  min_provider_usd: usdAmount.default("1"),
});

/** A trace (one agent run, one workflow) whose calls or cost in the last `window_hours` pass a limit. */
export const runawayTraceParamsSchema = z.strictObject({
  max_calls: int(1, 1_000_000).default(50),
  max_cost_usd: usdAmount.default("5"),
  window_hours: int(1, 168).default(24),
});

export const RULE_PARAMS_SCHEMAS = {
  budget_threshold: budgetThresholdParamsSchema,
  budget_forecast: budgetForecastParamsSchema,
  spend_spike: spendSpikeParamsSchema,
  cache_hit_rate_drop: cacheHitRateDropParamsSchema,
  tokens_per_request_jump: tokensPerRequestJumpParamsSchema,
  unpriced_spend: unpricedSpendParamsSchema,
  untagged_spend: untaggedSpendParamsSchema,
  reconciliation_drift: reconciliationDriftParamsSchema,
  runaway_trace: runawayTraceParamsSchema,
} as const satisfies Record<AlertRuleType, z.ZodType>;

export type BudgetThresholdParams = z.output<typeof budgetThresholdParamsSchema>;
export type BudgetForecastParams = z.output<typeof budgetForecastParamsSchema>;
export type SpendSpikeParams = z.output<typeof spendSpikeParamsSchema>;
export type CacheHitRateDropParams = z.output<typeof cacheHitRateDropParamsSchema>;
export type TokensPerRequestJumpParams = z.output<typeof tokensPerRequestJumpParamsSchema>;
export type UnpricedSpendParams = z.output<typeof unpricedSpendParamsSchema>;
export type UntaggedSpendParams = z.output<typeof untaggedSpendParamsSchema>;
export type ReconciliationDriftParams = z.output<typeof reconciliationDriftParamsSchema>;
export type RunawayTraceParams = z.output<typeof runawayTraceParamsSchema>;

export interface RuleParamsByType {
  budget_threshold: BudgetThresholdParams;
  budget_forecast: BudgetForecastParams;
  spend_spike: SpendSpikeParams;
  cache_hit_rate_drop: CacheHitRateDropParams;
  tokens_per_request_jump: TokensPerRequestJumpParams;
  unpriced_spend: UnpricedSpendParams;
  untagged_spend: UntaggedSpendParams;
  reconciliation_drift: ReconciliationDriftParams;
  runaway_trace: RunawayTraceParams;
}

/** A rule's stored params with the defaults filled in; throws (ZodError) when they are not valid. */
export function effectiveParams<T extends AlertRuleType>(type: T, stored: unknown): RuleParamsByType[T] {
  const value = stored && typeof stored === "object" && !Array.isArray(stored) ? stored : {};
  return RULE_PARAMS_SCHEMAS[type].parse(value) as RuleParamsByType[T];
}

/** The cache rule's bucket-dependent defaults resolved. */
export function cacheDropRule(params: CacheHitRateDropParams): {
  dropPp: number;
  baselineBuckets: number;
  minRequests: number;
  minBuckets: number;
} {
  return {
    dropPp: params.drop_pp,
    baselineBuckets: params.baseline_buckets ?? DEFAULT_BASELINE_BUCKETS[params.bucket],
    minRequests: params.min_requests,
    minBuckets: params.min_buckets ?? DEFAULT_MIN_BUCKETS[params.bucket],
  };
}

// ------------------------------------------------------------------ channels

const nameSchema = z.string().trim().min(1, "must not be empty").max(120, "must be at most 120 characters");
const httpUrl = z
  .url({ protocol: /^https?$/, message: "must be an http:// or https:// URL" })
  .max(2048, "must be at most 2048 characters");
const secretSchema = z.string().min(1, "must not be empty").max(256, "must be at most 256 characters");
const emailAddress = z
  .string()
  .trim()
  .pipe(z.email({ message: "must be an email address" }).max(254));

export const CHANNEL_TYPES = ["webhook", "slack", "email"] as const;

export const createChannelSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({
      type: z.literal("webhook"),
      url: httpUrl,
      /** HMAC-SHA256 signing secret; omitted: the installation's webhook signing secret. */
      secret: secretSchema.optional(),
      name: nameSchema.optional(),
      enabled: z.boolean().optional(),
    }),
    z.strictObject({
      type: z.literal("slack"),
      /** A Slack incoming-webhook URL. */
      url: httpUrl,
      /** Accepted for symmetry with webhooks; Slack messages are not signed. */
      secret: secretSchema.optional(),
      name: nameSchema.optional(),
      enabled: z.boolean().optional(),
    }),
    z.strictObject({
      type: z.literal("email"),
      to: emailAddress,
      name: nameSchema.optional(),
      enabled: z.boolean().optional(),
    }),
  ],
  { message: `must be one of ${CHANNEL_TYPES.join(", ")}` },
);
export type CreateChannelInput = z.output<typeof createChannelSchema>;

export const updateChannelSchema = z
  .strictObject({
    name: nameSchema.optional(),
    /** webhook and slack channels */
    url: httpUrl.optional(),
    /** email channels */
    to: emailAddress.optional(),
    /** null removes the channel's own secret (the installation's is used). */
    secret: secretSchema.nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: "send at least one of name, url, to, secret, enabled" });
export type UpdateChannelInput = z.output<typeof updateChannelSchema>;

const limitParam = (max: number, fallback: number) =>
  z.coerce
    .number({ message: `must be an integer from 1 to ${max}` })
    .int(`must be an integer from 1 to ${max}`)
    .min(1, `must be an integer from 1 to ${max}`)
    .max(max, `must be an integer from 1 to ${max}`)
    .default(fallback);

export const deliveriesQuerySchema = z.strictObject({ limit: limitParam(500, 50) });

// ------------------------------------------------------------------ rules

export const updateRuleSchema = z
  .strictObject({
    name: nameSchema.optional(),
    enabled: z.boolean().optional(),
    /** Merged into the stored params, then validated against the rule type's schema. */
    params: z.record(z.string(), z.unknown(), { message: "must be an object" }).optional(),
    /** Tags the rule watches; null = everything. */
    scope: alertScopeSchema.nullable().optional(),
    /** Channels the rule delivers to; [] = every enabled channel. */
    channel_ids: z
      .array(z.uuid({ message: "must be a channel id" }))
      .max(50, "at most 50 channels")
      .optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: "send at least one of name, enabled, params, scope, channel_ids" });
export type UpdateRuleInput = z.output<typeof updateRuleSchema>;

/**
 * POST /api/v1/alert-rules: a rule of any type, scoped to tags (scope) or, for the budget
 * types, to one budget (budget_id); params are validated against the type's schema.
 */
export const createRuleSchema = z.strictObject({
  type: z.enum(ALERT_RULE_TYPES, { message: `must be one of ${ALERT_RULE_TYPES.join(", ")}` }),
  /** Default: the type's name and the scope, e.g. "Spend spike (team search)". */
  name: nameSchema.optional(),
  enabled: z.boolean().optional(),
  /** Only the params to set; the type's defaults fill in the rest. */
  params: z.record(z.string(), z.unknown(), { message: "must be an object" }).optional(),
  /** Tags the rule watches; null or {} = everything. */
  scope: alertScopeSchema.nullable().optional(),
  /** budget_threshold and budget_forecast only: the one budget the rule watches. */
  budget_id: z.uuid({ message: "must be a budget id" }).nullable().optional(),
  /** Channels the rule delivers to; [] or absent = every enabled channel. */
  channel_ids: z
    .array(z.uuid({ message: "must be a channel id" }))
    .max(50, "at most 50 channels")
    .optional(),
});
export type CreateRuleInput = z.output<typeof createRuleSchema>;

// ------------------------------------------------------------------ alerts

const BARE_DATE = /^\d{4}-\d{2}-\d{2}$/;
const instantSchema = z
  .string()
  .refine((value) => (BARE_DATE.test(value) ? z.iso.date().safeParse(value).success : timestampSchema.safeParse(value).success), {
    message: "must be an RFC 3339 timestamp with a time zone, or a date (YYYY-MM-DD)",
  })
  .transform(parseInstant);

export const alertsQuerySchema = z.strictObject({
  state: z.enum(ALERT_STATES, { message: `must be one of ${ALERT_STATES.join(", ")}` }).optional(),
  type: z.enum(ALERT_TYPES as [AlertType, ...AlertType[]], { message: `must be one of ${ALERT_TYPES.join(", ")}` }).optional(),
  team: tagValue.optional(),
  /** fired_at >= from */
  from: instantSchema.optional(),
  /** fired_at < to */
  to: instantSchema.optional(),
  limit: limitParam(500, 100),
});
export type AlertsQuery = z.output<typeof alertsQuerySchema>;
