import { z } from "zod";
import { Money } from "@/lib/money";
import { normalizeProvider } from "@/lib/pricing/provider-name";
import { knownParameters } from "@/lib/schemas/spend";

/**
 * Chargeback (contract: "Additions (December 2026) → Chargeback"): allocation rules, the
 * month's table, one team's statement, closing a month. Shared by the routes, the Chargeback
 * page's forms and docs/API.md.
 */

const MONTH = /^(\d{4})-(\d{2})$/;
export const EARLIEST_MONTH = "2015-01";
export const LATEST_MONTH = "2099-12";

/** "YYYY-MM", a real month between 2015-01 and 2099-12 (bounded dates). */
export const monthSchema = z
  .string({ message: "required: a month YYYY-MM" })
  .refine((value) => {
    const m = MONTH.exec(value);
    if (!m) return false;
    const month = Number(m[2]);
    return month >= 1 && month <= 12 && value >= EARLIEST_MONTH && value <= LATEST_MONTH;
  }, `must be a month YYYY-MM between ${EARLIEST_MONTH} and ${LATEST_MONTH}`);

const tagValue = z.string().min(1, "must not be empty").max(256, "must be at most 256 characters");

/** Absent keys match anything; `team: null` selects spend without a team tag. */
export const ruleMatchSchema = z
  .strictObject({
    team: tagValue.nullable().optional(),
    feature: tagValue.optional(),
    environment: tagValue.optional(),
    tenant: tagValue.optional(),
    // Stored names are normalized, so "OpenAI" or "openai.chat" matches what ingest stored.
    provider: tagValue
      .transform((name) => normalizeProvider(name))
      .pipe(z.string().min(1, "must not be empty"))
      .optional(),
    model: tagValue.optional(),
  })
  .refine((match) => Object.values(match).some((value) => value !== undefined), {
    message: "must name at least one of team (null for untagged spend), feature, environment, tenant, provider, model",
  });

export const ALLOCATION_METHODS = ["proportional", "even", "fixed"] as const;

const percentSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const text = typeof value === "number" ? String(value) : value;
  if (!/^\d+(?:\.\d+)?(?:e-?\d+)?$/i.test(text) || (typeof value === "number" && !Number.isFinite(value))) {
    ctx.addIssue({ code: "custom", message: "must be a number between 0 and 100" });
    return z.NEVER;
  }
  const percent = new Money(text);
  if (percent.lte(0) || percent.gt(100)) {
    ctx.addIssue({ code: "custom", message: "must be more than 0 and at most 100" });
    return z.NEVER;
  }
  if (percent.decimalPlaces() > 6) {
    ctx.addIssue({ code: "custom", message: "must have at most 6 decimals" });
    return z.NEVER;
  }
  return percent.toFixed();
});

// A target may be an existing team of any slug ingest registered, or a new one (checked as a slug when it is registered).
const targetSchema = z.strictObject({ team: tagValue, percent: percentSchema });

const ruleShape = {
  name: z.string({ message: "required" }).trim().min(1, "must not be empty").max(120, "must be at most 120 characters"),
  match: ruleMatchSchema,
  method: z.enum(ALLOCATION_METHODS, { message: "must be proportional, even or fixed" }),
  targets: z.array(targetSchema).max(100, "at most 100 targets").nullable().optional(),
  effective_from: monthSchema,
};

/** The rules a whole rule keeps: targets exactly for fixed, summing to 100, each team once. */
function checkTargets(rule: { method?: string; targets?: { team: string; percent: string }[] | null }, ctx: z.RefinementCtx): void {
  const targets = rule.targets ?? [];
  if (rule.method !== "fixed") {
    if (targets.length > 0) ctx.addIssue({ code: "custom", path: ["targets"], message: "only a fixed rule has targets" });
    return;
  }
  if (targets.length === 0) {
    ctx.addIssue({ code: "custom", path: ["targets"], message: "a fixed rule needs targets: [{team, percent}] summing to 100" });
    return;
  }
  const seen = new Set<string>();
  targets.forEach((target, i) => {
    if (seen.has(target.team)) ctx.addIssue({ code: "custom", path: ["targets", i, "team"], message: "names a team twice" });
    seen.add(target.team);
  });
  const sum = targets.reduce((acc, target) => acc.plus(target.percent), new Money(0));
  if (!sum.eq(100)) ctx.addIssue({ code: "custom", path: ["targets"], message: `percents must sum to 100 (they sum to ${sum.toFixed()})` });
}

export const createAllocationRuleSchema = z.strictObject(ruleShape).superRefine(checkTargets);
export type CreateAllocationRuleInput = z.output<typeof createAllocationRuleSchema>;

/** PATCH: any of the fields; the merged rule is checked again as a whole (createAllocationRuleSchema). */
export const updateAllocationRuleSchema = z
  .strictObject({
    name: ruleShape.name.optional(),
    match: ruleMatchSchema.optional(),
    method: ruleShape.method.optional(),
    targets: ruleShape.targets,
    effective_from: monthSchema.optional(),
  })
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), { message: "names nothing to change" });
export type UpdateAllocationRuleInput = z.output<typeof updateAllocationRuleSchema>;

/** Preview: a rule as it would be saved (replacing `replace_id` when editing), for `month` (default: this month). */
export const previewAllocationRuleSchema = z
  .strictObject({ ...ruleShape, month: monthSchema.optional(), replace_id: z.uuid({ message: "must be a rule id" }).optional() })
  .superRefine(checkTargets);
export type PreviewAllocationRuleInput = z.output<typeof previewAllocationRuleSchema>;

export const CHARGEBACK_FORMATS = ["json", "csv"] as const;
const formatSchema = z.enum(CHARGEBACK_FORMATS, { message: "must be json or csv" }).default("json");

export const chargebackQuerySchema = knownParameters({ month: monthSchema, format: formatSchema });
export type ChargebackQuery = z.output<typeof chargebackQuerySchema>;

export const statementQuerySchema = knownParameters({ month: monthSchema, team: tagValue, format: formatSchema });
export type StatementQuery = z.output<typeof statementQuerySchema>;

export const closeMonthSchema = z.strictObject({ month: monthSchema });
export const reopenMonthQuerySchema = knownParameters({ month: monthSchema });
export type CloseMonthInput = z.output<typeof closeMonthSchema>;

// The month keys' arithmetic is lib/time.ts's (shared with the quota review).
export { addMonths, monthKeyOf as monthKey, monthStart } from "@/lib/time";
