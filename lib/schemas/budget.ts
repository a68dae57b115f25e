import { z } from "zod";
import { Money } from "@/lib/money";

/**
 * Bodies of the budgets API (contract: "Budgets and alerts"), shared by the route handlers,
 * the Budgets page's form and docs/API.md.
 *
 * - amount_usd: a decimal string ("1500", "99.95") or a JSON number, converted through its
 *   shortest round-trip string like lib/schemas/price.ts parseRate (never float arithmetic);
 *   > 0, at most 12 fractional digits (the column is numeric(24, 12); trailing zeros do
 *   not count) and at most 999,999,999,999. Parsed to a canonical decimal string.
 * - thresholds: integer percentages of the amount, 1..1000, at most 20; returned sorted
 *   ascending without duplicates; default [50, 80, 100].
 * - scope: {team?, feature?, environment?, tenant?} tag values (null or omitted = any);
 *   every given tag must match; {} is the whole organisation. A scope.team with no usage yet
 *   is registered as a planned team (lib/access/teams.ts ensureTeam, audited); a slug that
 *   could never be a team is a 400 on "scope.team".
 * - Every object is strict: an unknown field is refused by its own path.
 */

export const BUDGET_PERIODS = ["month"] as const;
export const DEFAULT_THRESHOLDS = [50, 80, 100] as const;
export const AMOUNT_FRACTION_DIGITS = 12;
export const MAX_AMOUNT_USD = "999999999999";
export const MAX_THRESHOLDS = 20;
export const SCOPE_KEYS = ["team", "feature", "environment", "tenant"] as const;
export type ScopeKey = (typeof SCOPE_KEYS)[number];

const DECIMAL_STRING = /^\d+(?:\.\d+)?$/;
const AMOUNT_MESSAGE = `must be a decimal string or number > 0 with at most ${AMOUNT_FRACTION_DIGITS} decimals`;

/** A budget amount as a canonical decimal string, or an error message. */
export function parseAmount(value: unknown): { ok: true; amount: string } | { ok: false; message: string } {
  let text: string;
  if (typeof value === "string") {
    if (!DECIMAL_STRING.test(value)) return { ok: false, message: AMOUNT_MESSAGE };
    text = value;
  } else if (typeof value === "number") {
    if (!Number.isFinite(value)) return { ok: false, message: AMOUNT_MESSAGE };
    if (value <= 0) return { ok: false, message: "must be > 0" };
    text = String(value); // shortest round-trip form, possibly with an exponent: parsed exactly below
  } else {
    return { ok: false, message: AMOUNT_MESSAGE };
  }
  const amount = new Money(text);
  if (amount.lte(0)) return { ok: false, message: "must be > 0" };
  if (amount.decimalPlaces() > AMOUNT_FRACTION_DIGITS) {
    return { ok: false, message: `must have at most ${AMOUNT_FRACTION_DIGITS} fractional digits` };
  }
  if (amount.gt(MAX_AMOUNT_USD)) return { ok: false, message: `must be at most ${MAX_AMOUNT_USD} USD` };
  return { ok: true, amount: amount.toFixed() };
}

const amountSchema = z.custom<string | number>(() => true).transform((value: unknown, ctx) => {
  if (value === undefined) {
    ctx.issues.push({ code: "custom", message: "is required", input: value });
    return z.NEVER;
  }
  const parsed = parseAmount(value);
  if (!parsed.ok) {
    ctx.issues.push({ code: "custom", message: parsed.message, input: value });
    return z.NEVER;
  }
  return parsed.amount;
});

const nameSchema = z
  .string({ error: "must be a string" })
  .trim()
  .min(1, "must not be empty")
  .max(120, "must be at most 120 characters");

/** A tag value as events carry it (1..256 characters); null means "any". */
const tagValueSchema = z
  .string({ error: "must be a string or null" })
  .min(1, "must not be empty")
  .max(256, "must be at most 256 characters")
  .nullable()
  .optional();

export const budgetScopeSchema = z
  .strictObject(
    { team: tagValueSchema, feature: tagValueSchema, environment: tagValueSchema, tenant: tagValueSchema },
    { error: "must be an object {team?, feature?, environment?, tenant?}" },
  )
  .transform((scope) => {
    const out: BudgetScopeInput = {};
    for (const key of SCOPE_KEYS) {
      const value = scope[key];
      if (value !== undefined && value !== null) out[key] = value;
    }
    return out;
  });

const thresholdsSchema = z
  .array(
    z
      .number({ error: "must be an integer from 1 to 1000" })
      .int("must be an integer from 1 to 1000")
      .min(1, "must be an integer from 1 to 1000")
      .max(1000, "must be an integer from 1 to 1000"),
    { error: "must be an array of integer percentages, e.g. [50, 80, 100]" },
  )
  .max(MAX_THRESHOLDS, `at most ${MAX_THRESHOLDS} thresholds`)
  .transform((values) => [...new Set(values)].sort((a, b) => a - b));

export const CAP_ACTIONS = ["deny", "deny_models"] as const;
export type CapAction = (typeof CAP_ACTIONS)[number];

/**
 * A cap (contract: "Budget caps"): at `at_percent` of the amount the quota check refuses calls
 * in the budget's scope. Extension: `action: "deny_models"` refuses only calls to `models`
 * (a model policy: the expensive ones), leaving the rest allowed. null: no cap.
 */
export const enforceSchema = z
  .strictObject(
    {
      at_percent: z
        .number({ error: "must be an integer from 1 to 1000" })
        .int("must be an integer from 1 to 1000")
        .min(1, "must be an integer from 1 to 1000")
        .max(1000, "must be an integer from 1 to 1000"),
      action: z.enum(CAP_ACTIONS, { error: 'must be "deny" or "deny_models"' }),
      models: z
        .array(z.string({ error: "must be a model name" }).min(1, "must not be empty").max(256, "must be at most 256 characters"), {
          error: "must be a list of model names",
        })
        .max(50, "at most 50 models")
        .optional(),
    },
    { error: 'must be {at_percent, action: "deny" | "deny_models", models?} or null' },
  )
  .superRefine((cap, ctx) => {
    if (cap.action === "deny_models" && (cap.models ?? []).length === 0) {
      ctx.addIssue({ code: "custom", path: ["models"], message: "deny_models needs the models it refuses" });
    }
    if (cap.action === "deny" && (cap.models ?? []).length > 0) {
      ctx.addIssue({ code: "custom", path: ["models"], message: 'only a "deny_models" cap lists models' });
    }
  })
  .transform((cap) => ({ at_percent: cap.at_percent, action: cap.action, models: cap.action === "deny_models" ? [...new Set(cap.models ?? [])] : [] }))
  .nullable();
export type EnforceInput = z.output<typeof enforceSchema>;

export const createBudgetSchema = z.strictObject({
  name: nameSchema,
  scope: budgetScopeSchema,
  period: z.enum(BUDGET_PERIODS, { error: `must be ${BUDGET_PERIODS.join(" or ")}` }).default("month"),
  amount_usd: amountSchema,
  thresholds: thresholdsSchema.default([...DEFAULT_THRESHOLDS]),
  enforce: enforceSchema.optional(),
});

/** PATCH: only these fields; a scope given replaces the whole scope (omitted tags become "any"). */
export const updateBudgetSchema = z
  .strictObject({
    name: nameSchema.optional(),
    amount_usd: amountSchema.optional(),
    thresholds: thresholdsSchema.optional(),
    scope: budgetScopeSchema.optional(),
    /** A new cap, or null to lift it. */
    enforce: enforceSchema.optional(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: "send at least one of name, amount_usd, thresholds, scope, enforce",
  });

/** A scope as stored: only the tags that must match. */
export type BudgetScopeInput = Partial<Record<ScopeKey, string>>;
/** What a client sends. */
export type CreateBudgetBody = z.input<typeof createBudgetSchema>;
export type CreateBudgetInput = z.output<typeof createBudgetSchema>;
export type UpdateBudgetBody = z.input<typeof updateBudgetSchema>;
export type UpdateBudgetInput = z.output<typeof updateBudgetSchema>;
