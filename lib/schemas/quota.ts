import { z } from "zod";
import { Money } from "@/lib/money";
import { timestampSchema } from "@/lib/schemas/common";

/**
 * Bodies and queries of the quota API (contract: "Quotas"), shared by the route handlers,
 * the Quotas pages and docs.
 *
 * - Amounts are in the allocation's (or burst's) unit: "usd" — a decimal string or JSON
 *   number > 0 with at most 12 fractional digits (numeric(24, 12)); "tokens" — a whole
 *   number > 0 (input + output tokens). Both at most 999,999,999,999. A JSON number is read
 *   through its shortest round-trip string, never through float arithmetic. Whether an
 *   amount fits its unit is checked once the unit is known (a PATCH may change only the
 *   amount, a burst request takes its team's unit by default), still as a 400 on "amount".
 * - Every object is strict: an unknown field is refused by its own path.
 */

export const QUOTA_UNITS = ["usd", "tokens"] as const;
export type QuotaUnitName = (typeof QUOTA_UNITS)[number];
export const QUOTA_PERIODS = ["month"] as const;
export const BURST_STATUSES = ["pending", "approved", "rejected", "cancelled", "expired"] as const;
export type BurstStatusName = (typeof BURST_STATUSES)[number];

export const AMOUNT_FRACTION_DIGITS = 12;
export const MAX_QUOTA_AMOUNT = "999999999999";
/** The longest burst window: about a quarter. */
export const MAX_BURST_WINDOW_DAYS = 92;
export const MAX_TEXT_LENGTH = 2000;

const DECIMAL_STRING = /^\d+(?:\.\d+)?$/;

/** A decimal given as a string or JSON number, as a canonical decimal string; null when it is neither. */
function decimalText(value: unknown): string | null {
  if (typeof value === "string") return DECIMAL_STRING.test(value) ? new Money(value).toFixed() : null;
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return new Money(String(value)).toFixed();
  return null;
}

/**
 * An amount in `unit` as a canonical decimal string ("1500", "99.95"), or why it is not one.
 * `allowZero` for estimates (0 is a valid estimate, never a valid allocation).
 */
export function parseQuotaAmount(
  value: unknown,
  unit: QuotaUnitName | null,
  options: { allowZero?: boolean } = {},
): { ok: true; amount: string } | { ok: false; message: string } {
  const wanted = unit === "tokens" ? "a whole number of tokens" : "a decimal string or number";
  const text = decimalText(value);
  const floor = options.allowZero ? ">= 0" : "> 0";
  if (text === null) return { ok: false, message: `must be ${wanted} ${floor}` };
  const amount = new Money(text);
  if (!options.allowZero && amount.lte(0)) return { ok: false, message: "must be > 0" };
  if (unit === "tokens" && !amount.isInteger()) return { ok: false, message: "must be a whole number of tokens" };
  if (amount.decimalPlaces() > AMOUNT_FRACTION_DIGITS) {
    return { ok: false, message: `must have at most ${AMOUNT_FRACTION_DIGITS} fractional digits` };
  }
  if (amount.gt(MAX_QUOTA_AMOUNT)) return { ok: false, message: `must be at most ${MAX_QUOTA_AMOUNT}` };
  return { ok: true, amount: amount.toFixed() };
}

/** The amount field before its unit is known: a positive decimal (the unit's own rule is applied later). */
const amountSchema = z.custom<string | number>(() => true).transform((value: unknown, ctx) => {
  if (value === undefined) {
    ctx.issues.push({ code: "custom", message: "is required", input: value });
    return z.NEVER;
  }
  const parsed = parseQuotaAmount(value, null);
  if (!parsed.ok) {
    ctx.issues.push({ code: "custom", message: parsed.message, input: value });
    return z.NEVER;
  }
  return parsed.amount;
});

const teamSchema = z
  .string({ error: "must be a team slug" })
  .min(1, "must not be empty")
  .max(256, "must be at most 256 characters");

/** A model as events name it (exact match on the event's `model`, any provider); null or omitted = every model. */
const modelSchema = z
  .string({ error: "must be a model name or null" })
  .min(1, "must not be empty")
  .max(256, "must be at most 256 characters")
  .nullable()
  .optional();

const unitSchema = z.enum(QUOTA_UNITS, { error: `must be ${QUOTA_UNITS.join(" or ")}` });

/** Requests or tokens per minute for the gateway to enforce (stored and answered; the check does not meter them). */
const perMinuteSchema = z
  .number({ error: "must be a whole number > 0 or null" })
  .int("must be a whole number > 0 or null")
  .min(1, "must be a whole number > 0 or null")
  .max(2_147_483_647, "must be at most 2147483647")
  .nullable()
  .optional();

const optionalText = z
  .string({ error: "must be a string or null" })
  .trim()
  .max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`)
  .nullable()
  .optional()
  .transform((value) => (value === undefined || value === null || value === "" ? null : value));

/** The amount must fit the unit (tokens: whole numbers). */
function amountFitsUnit(body: { amount?: string; unit?: QuotaUnitName | null }, ctx: z.RefinementCtx): void {
  if (body.amount === undefined || !body.unit) return;
  const parsed = parseQuotaAmount(body.amount, body.unit);
  if (!parsed.ok) ctx.addIssue({ code: "custom", path: ["amount"], message: parsed.message });
}

/** POST /api/v1/quota/allocations: creates or replaces the team's baseline for (team, model). */
export const createAllocationSchema = z
  .strictObject({
    team: teamSchema,
    unit: unitSchema,
    amount: amountSchema,
    period: z.enum(QUOTA_PERIODS, { error: `must be ${QUOTA_PERIODS.join(" or ")}` }).default("month"),
    model: modelSchema.transform((value) => value ?? null),
    requests_per_minute: perMinuteSchema.transform((value) => value ?? null),
    tokens_per_minute: perMinuteSchema.transform((value) => value ?? null),
  })
  .superRefine(amountFitsUnit);

/**
 * PATCH /api/v1/quota/allocations/{id}: only the fields given change (null clears a
 * per-minute limit). `model` is an extension (moves the allocation to another model; 409
 * when the team already has one for it). The amount is checked against the new unit, or
 * the stored one when the unit is not changed (lib/quotas/allocations.ts).
 */
export const updateAllocationSchema = z
  .strictObject({
    amount: amountSchema.optional(),
    unit: unitSchema.optional(),
    model: modelSchema,
    requests_per_minute: perMinuteSchema,
    tokens_per_minute: perMinuteSchema,
  })
  .superRefine(amountFitsUnit)
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: "send at least one of amount, unit, model, requests_per_minute, tokens_per_minute",
  });

export const allocationsQuerySchema = z.strictObject({ team: teamSchema.optional() });

/**
 * POST /api/v1/quota/requests. Window rules here: ends_at after starts_at, at most
 * MAX_BURST_WINDOW_DAYS long. "ends_at in the future" needs the clock and the unit's
 * amount rule needs the team's allocation: both in lib/quotas/bursts.ts (400 on the field).
 */
export const createBurstSchema = z
  .strictObject({
    team: teamSchema,
    amount: amountSchema,
    unit: unitSchema.optional(),
    starts_at: timestampSchema,
    ends_at: timestampSchema,
    reason: z
      .string({ error: "must be a string" })
      .trim()
      .min(1, "must not be empty")
      .max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`),
    expected_usage: optionalText,
  })
  .superRefine(amountFitsUnit)
  .superRefine((body, ctx) => {
    const start = Date.parse(body.starts_at);
    const end = Date.parse(body.ends_at);
    if (end <= start) ctx.addIssue({ code: "custom", path: ["ends_at"], message: "must be after starts_at" });
    else if (end - start > MAX_BURST_WINDOW_DAYS * 86_400_000) {
      ctx.addIssue({ code: "custom", path: ["ends_at"], message: `the window may be at most ${MAX_BURST_WINDOW_DAYS} days` });
    }
  });

/** POST …/{id}/approve: an amount (at most the requested one; default all of it) and a comment, both optional. */
export const approveBurstSchema = z.strictObject({
  comment: optionalText,
  amount: amountSchema.optional(),
});

/** POST …/{id}/reject and …/{id}/cancel. */
export const decisionCommentSchema = z.strictObject({ comment: optionalText });

export const burstsQuerySchema = z.strictObject({
  status: z.enum(BURST_STATUSES, { error: `must be one of ${BURST_STATUSES.join(", ")}` }).optional(),
  team: teamSchema.optional(),
});

const estimateTokensSchema = z
  .number({ error: "must be a whole number >= 0" })
  .int("must be a whole number >= 0")
  .min(0, "must be a whole number >= 0")
  .max(Number.MAX_SAFE_INTEGER, "is too large");

const estimateUsdSchema = z.custom<string | number>(() => true).transform((value: unknown, ctx) => {
  const parsed = parseQuotaAmount(value, "usd", { allowZero: true });
  if (!parsed.ok) {
    ctx.issues.push({ code: "custom", message: parsed.message, input: value });
    return z.NEVER;
  }
  return parsed.amount;
});

/** POST /api/v1/quota/check (contract). An estimate counts only against an allocation in its unit. */
const checkTagSchema = z.string({ error: "must be a tag value" }).min(1, "must not be empty").max(256, "must be at most 256 characters").optional();

export const quotaCheckSchema = z.strictObject({
  team: teamSchema,
  model: z.string({ error: "must be a model name" }).min(1, "must not be empty").max(256).optional(),
  /** Extensions: the call's tags, so a budget scoped to a feature, environment or tenant can cap it. */
  feature: checkTagSchema,
  environment: checkTagSchema,
  tenant: checkTagSchema,
  estimated_tokens: estimateTokensSchema.optional(),
  estimated_cost_usd: estimateUsdSchema.optional(),
});

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** GET /api/v1/quota/review?month=YYYY-MM (default: the last complete UTC month). */
export const reviewQuerySchema = z.strictObject({
  month: z.string().regex(MONTH, "must be a month as YYYY-MM").optional(),
});

export type CreateAllocationBody = z.input<typeof createAllocationSchema>;
export type CreateAllocationInput = z.output<typeof createAllocationSchema>;
export type UpdateAllocationBody = z.input<typeof updateAllocationSchema>;
export type UpdateAllocationInput = z.output<typeof updateAllocationSchema>;
export type CreateBurstBody = z.input<typeof createBurstSchema>;
export type CreateBurstInput = z.output<typeof createBurstSchema>;
export type ApproveBurstInput = z.output<typeof approveBurstSchema>;
export type DecisionCommentInput = z.output<typeof decisionCommentSchema>;
export type BurstsQuery = z.output<typeof burstsQuerySchema>;
export type QuotaCheckBody = z.input<typeof quotaCheckSchema>;
export type QuotaCheckInput = z.output<typeof quotaCheckSchema>;
