import { z } from "zod";
import { EARLIEST_ITEM_TIME } from "@/lib/schemas/common";

/** Reconciliation (contract, "Additions (December 2026)"): connections, runs and the comparison. */

export const RECONCILIATION_PROVIDERS = ["openai", "anthropic"] as const;
export type ReconciliationProvider = (typeof RECONCILIATION_PROVIDERS)[number];

/** The providers' public API roots; Burnrate appends the report paths. */
export const DEFAULT_BASE_URLS: Record<ReconciliationProvider, string> = {
  openai: "https://api.openai.com",
  anthropic: "https://api.anthropic.com",
};

/** At most this many days per run or query: a pull is a few requests per day. */
export const MAX_RECONCILIATION_DAYS = 93;

const providerSchema = z.enum(RECONCILIATION_PROVIDERS, { message: 'must be "openai" or "anthropic"' });

export const createConnectionSchema = z.strictObject({
  provider: providerSchema,
  admin_key: z
    .string({ message: "required: the provider's admin API key" })
    .min(8, "must be the provider's admin API key")
    .max(512, "must be at most 512 characters")
    .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces"),
  base_url: z
    .string()
    .max(2048, "must be at most 2048 characters")
    .pipe(z.url({ protocol: /^https?$/, message: "must be an http(s) URL" }))
    .optional(),
});
export type CreateConnectionInput = z.output<typeof createConnectionSchema>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A UTC day YYYY-MM-DD from 2015-01-01 to tomorrow, as its midnight. */
const daySchema = z
  .string({ message: "required: a UTC day YYYY-MM-DD" })
  .regex(DAY, "must be a UTC day YYYY-MM-DD")
  .transform((text, ctx) => {
    const at = new Date(`${text}T00:00:00Z`);
    // Tomorrow at the latest: a window's exclusive end may be tomorrow, to include today.
    const latest = Math.floor(Date.now() / 86_400_000) * 86_400_000 + 86_400_000;
    if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== text || at < EARLIEST_ITEM_TIME || at.getTime() > latest) {
      ctx.addIssue({ code: "custom", message: "must be a real UTC day between 2015-01-01 and tomorrow" });
      return z.NEVER;
    }
    return at;
  });

function dayWindow<T extends { from: Date; to: Date }>(value: T, ctx: z.RefinementCtx): void {
  // zod runs an object's refinement even when a field failed: then it holds the raw input, already reported.
  if (!(value.from instanceof Date) || !(value.to instanceof Date)) return;
  if (value.to <= value.from) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from (to is exclusive)" });
  else if (value.to.getTime() - value.from.getTime() > MAX_RECONCILIATION_DAYS * 86_400_000) {
    ctx.addIssue({ code: "custom", path: ["to"], message: `must be at most ${MAX_RECONCILIATION_DAYS} days after from` });
  }
}

/** POST /api/v1/reconciliation/run: UTC days, `to` exclusive. */
export const runReconciliationSchema = z.strictObject({ from: daySchema, to: daySchema }).superRefine(dayWindow);
export type RunReconciliationInput = z.output<typeof runReconciliationSchema>;

/** GET /api/v1/reconciliation?from&to[&provider]. */
export const reconciliationQuerySchema = z
  .strictObject({ from: daySchema, to: daySchema, provider: providerSchema.optional() })
  .superRefine(dayWindow);
export type ReconciliationQuery = z.output<typeof reconciliationQuerySchema>;

// ------------------------------------------------------------------ answers

export const connectionSchema = z.object({
  id: z.string(),
  provider: providerSchema,
  base_url: z.string(),
  key_hint: z.string(),
  created_at: z.string(),
  last_run: z
    .object({ started_at: z.string(), finished_at: z.string().nullable(), status: z.enum(["running", "ok", "failed"]), error: z.string().nullable(), from: z.string(), to: z.string() })
    .nullable(),
});
export type ConnectionJson = z.output<typeof connectionSchema>;

/** Why a row drifts, in the order they are looked for (lib/reconciliation/compare.ts). */
export const DRIFT_CAUSES = ["unpriced_model", "missing_cache_write_rate", "tokens_missing", "tokens_extra", "price_difference", "unattributed_cost"] as const;
export type DriftCause = (typeof DRIFT_CAUSES)[number];

export const reconciliationRowSchema = z.object({
  provider: providerSchema,
  day: z.string(),
  model: z.string().nullable(),
  provider_cost_usd: z.string().nullable(),
  burnrate_cost_usd: z.string(),
  drift_usd: z.string().nullable(),
  drift_pct: z.string().nullable(),
  provider_input_tokens: z.number().nullable(),
  burnrate_input_tokens: z.number(),
  provider_cache_read_tokens: z.number().nullable(),
  burnrate_cache_read_tokens: z.number(),
  provider_cache_write_tokens: z.number().nullable(),
  burnrate_cache_write_tokens: z.number(),
  provider_output_tokens: z.number().nullable(),
  burnrate_output_tokens: z.number(),
  provider_requests: z.number().nullable(),
  burnrate_requests: z.number(),
  burnrate_unpriced_requests: z.number(),
  causes: z.array(z.enum(DRIFT_CAUSES)),
  explanation: z.string().nullable(),
});
export type ReconciliationRowJson = z.output<typeof reconciliationRowSchema>;

export const reconciliationDaySchema = z.object({
  provider: providerSchema,
  day: z.string(),
  provider_cost_usd: z.string().nullable(),
  burnrate_cost_usd: z.string(),
  drift_usd: z.string().nullable(),
  drift_pct: z.string().nullable(),
});
export type ReconciliationDayJson = z.output<typeof reconciliationDaySchema>;

export const reconciliationReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  rows: z.array(reconciliationRowSchema),
  days: z.array(reconciliationDaySchema),
  totals: z.array(reconciliationDaySchema.omit({ day: true })),
  connections: z.array(connectionSchema),
});
export type ReconciliationReportJson = z.output<typeof reconciliationReportSchema>;
