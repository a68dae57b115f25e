import { z } from "zod";
import { normalizeProvider } from "@/lib/pricing/provider-name";
import { knownParameters } from "@/lib/schemas/spend";
import { DAY_MS } from "@/lib/time";

/** Savings (contract: "Additions (December 2026) → Savings"): substitutes, deferrable features, dismissals, the report. */

export const SAVINGS_KINDS = ["model_swap", "batch_tier", "prompt_caching"] as const;
export type SavingsKind = (typeof SAVINGS_KINDS)[number];

const name = z.string({ error: "required" }).trim().min(1, "must not be empty").max(256, "must be at most 256 characters");
const modelRef = z.strictObject({
  provider: name.transform((value) => normalizeProvider(value)).pipe(z.string().min(1, "must not be empty")),
  model: name,
});

export const createSubstituteSchema = z
  .strictObject({ from: modelRef, to: modelRef, note: z.string().trim().max(500, "must be at most 500 characters").optional() })
  .refine((body) => body.from.provider !== body.to.provider || body.from.model !== body.to.model, {
    path: ["to"],
    message: "must be another model than from",
  });
export type CreateSubstituteInput = z.output<typeof createSubstituteSchema>;

export const deferrableSchema = z.strictObject({ team: name, feature: name });
export type DeferrableInput = z.output<typeof deferrableSchema>;

export const dismissalSchema = z.strictObject({
  kind: z.enum(SAVINGS_KINDS, { error: `must be one of ${SAVINGS_KINDS.join(", ")}` }),
  team: name,
  feature: name,
  /** Only this model's opportunity; omitted: every model of the feature. */
  model: name.optional(),
});
export type DismissalInput = z.output<typeof dismissalSchema>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const daySchema = z
  .string({ error: "required: a UTC day YYYY-MM-DD" })
  .refine((value) => DAY.test(value) && z.iso.date().safeParse(value).success && value >= "2015-01-01" && value <= "2099-12-31", "must be a UTC day YYYY-MM-DD")
  .transform((value) => new Date(`${value}T00:00:00Z`));

export const MAX_SAVINGS_DAYS = 400;

export const savingsQuerySchema = knownParameters(
  { from: daySchema, to: daySchema, team: name.optional() },
  (value, ctx) => {
    const { from, to } = value as { from: unknown; to: unknown };
    if (!(from instanceof Date) || !(to instanceof Date)) return;
    if (to.getTime() <= from.getTime()) ctx.addIssue({ code: "custom", path: ["to"], message: "must be after from (to is exclusive)" });
    else if (to.getTime() - from.getTime() > MAX_SAVINGS_DAYS * DAY_MS) ctx.addIssue({ code: "custom", path: ["to"], message: `the window may span at most ${MAX_SAVINGS_DAYS} days` });
  },
);
export type SavingsQuery = z.output<typeof savingsQuerySchema>;

/** A change to mark: `at` an RFC 3339 instant within the last 400 days and not in the future. */
export const featureChangeSchema = z.strictObject({
  team: name,
  feature: name,
  at: z.iso.datetime({ offset: true, error: "must be an RFC 3339 timestamp" }).transform((value) => new Date(value)),
  description: z.string({ error: "required" }).trim().min(1, "must not be empty").max(500, "must be at most 500 characters"),
});
export type FeatureChangeInput = z.output<typeof featureChangeSchema>;

export const featureChangesQuerySchema = knownParameters({ team: name });
