import { z } from "zod";
import { Money } from "@/lib/money";
import type { PriceRates } from "@/lib/pricing/compute-cost";
import { normalizeProvider } from "@/lib/pricing/provider-name";

/**
 * The body of POST /api/v1/prices (and each entry of the default catalog, which extends
 * it): USD per million tokens, effective-dated.
 *
 * - Rates are decimal strings ("2.5", "0.075") or JSON numbers. A number is converted
 *   through its shortest round-trip string (2.5 -> "2.5", 1e-7 -> "0.0000001"), never
 *   through float arithmetic; a number whose shortest form has more than 10 decimals
 *   (e.g. 0.1 + 0.2 = 0.30000000000000004) is refused rather than rounded.
 * - Rates are >= 0, have at most 10 fractional digits (prices columns are numeric(20, 10);
 *   trailing zeros do not count) and are at most 1,000,000 USD/Mtok (one dollar a token),
 *   which also guarantees that any event's cost fits numeric(24, 12).
 * - Parsed rates are canonical decimal strings: no exponent, no trailing zeros ("2.50" -> "2.5").
 * - effective_from: RFC 3339 with Z or an offset (a bare date YYYY-MM-DD is accepted as
 *   midnight UTC); parsed to a Date (the column keeps milliseconds).
 * - Unknown fields are refused (a misspelt optional rate would otherwise silently default).
 * - Missing (or null) cache_read / cache_write default to the input rate and a missing
 *   reasoning rate to the output rate: see resolvePriceRates.
 */

export const SERVICE_TIERS = ["standard", "batch", "flex", "priority"] as const;
export type ServiceTier = (typeof SERVICE_TIERS)[number];

export const RATE_FRACTION_DIGITS = 10;
export const MAX_RATE_PER_MTOK = "1000000";

const DECIMAL_STRING = /^\d+(?:\.\d+)?$/;
const RATE_MESSAGE = `must be a decimal string or number >= 0 with at most ${RATE_FRACTION_DIGITS} decimals`;

/** A rate as a canonical decimal string, or an error message. */
export function parseRate(value: unknown): { ok: true; rate: string } | { ok: false; message: string } {
  let text: string;
  if (typeof value === "string") {
    if (!DECIMAL_STRING.test(value)) return { ok: false, message: RATE_MESSAGE };
    text = value;
  } else if (typeof value === "number") {
    if (!Number.isFinite(value)) return { ok: false, message: RATE_MESSAGE };
    if (value < 0) return { ok: false, message: "must be >= 0" };
    text = String(value); // shortest round-trip form, possibly with an exponent: parsed exactly below
  } else {
    return { ok: false, message: RATE_MESSAGE };
  }
  const amount = new Money(text);
  if (amount.decimalPlaces() > RATE_FRACTION_DIGITS) {
    return { ok: false, message: `must have at most ${RATE_FRACTION_DIGITS} fractional digits` };
  }
  if (amount.gt(MAX_RATE_PER_MTOK)) return { ok: false, message: `must be at most ${MAX_RATE_PER_MTOK} USD per million tokens` };
  return { ok: true, rate: amount.toFixed() };
}

// z.custom: typed input for clients (PriceInputBody) while the checks, and their messages,
// stay in parseRate.
const rate = z.custom<string | number>(() => true).transform((value: unknown, ctx) => {
  if (value === undefined) {
    ctx.issues.push({ code: "custom", message: "is required", input: value });
    return z.NEVER;
  }
  const parsed = parseRate(value);
  if (!parsed.ok) {
    ctx.issues.push({ code: "custom", message: parsed.message, input: value });
    return z.NEVER;
  }
  return parsed.rate;
});

const optionalRate = z
  .custom<string | number | null>(() => true)
  .optional()
  .transform((value: unknown, ctx) => {
  if (value === undefined || value === null) return undefined;
  const parsed = parseRate(value);
  if (!parsed.ok) {
    ctx.issues.push({ code: "custom", message: parsed.message, input: value });
    return z.NEVER;
  }
  return parsed.rate;
});

/** Provider and model names: 1..200 characters, without leading or trailing whitespace. */
export const priceNameSchema = z
  .string({ error: "must be a string" })
  .min(1, "must not be empty")
  .max(200, "must be at most 200 characters")
  .refine((name) => name.trim() === name, "must not start or end with whitespace");

export const effectiveFromSchema = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: "must be an RFC 3339 timestamp, e.g. 2026-11-01T00:00:00Z" })
  .transform((text) => new Date(text.length === 10 ? `${text}T00:00:00Z` : text));

export const priceInputSchema = z.strictObject({
  // Prices are keyed on the normalized provider name, as events are (lib/pricing/provider-name.ts).
  provider: priceNameSchema.transform(normalizeProvider),
  model: priceNameSchema,
  service_tier: z.enum(SERVICE_TIERS, { error: `must be one of ${SERVICE_TIERS.join(", ")}` }).default("standard"),
  effective_from: effectiveFromSchema,
  input_per_mtok: rate,
  output_per_mtok: rate,
  cache_read_per_mtok: optionalRate,
  cache_write_per_mtok: optionalRate,
  /** Anthropic's 1-hour cache writes; default the (5-minute) cache_write_per_mtok. */
  cache_write_1h_per_mtok: optionalRate,
  reasoning_per_mtok: optionalRate,
  /**
   * A long-context tier: an event with more input tokens than `threshold_input_tokens` is
   * priced at these rates (LiteLLM's `*_above_200k_tokens`); a rate not given is the base one.
   */
  long_context: z
    .strictObject({
      threshold_input_tokens: z.number({ error: "must be an integer from 1 to 2147483647" }).int().min(1).max(2_147_483_647),
      input_per_mtok: optionalRate,
      output_per_mtok: optionalRate,
      cache_read_per_mtok: optionalRate,
      cache_write_per_mtok: optionalRate,
      cache_write_1h_per_mtok: optionalRate,
      reasoning_per_mtok: optionalRate,
    })
    .nullish(),
});

/** What a client sends. */
export type PriceInputBody = z.input<typeof priceInputSchema>;
/** What priceInputSchema.parse returns. */
export type PriceInput = z.output<typeof priceInputSchema>;

/** A price ready to store: rates resolved (defaults applied), camelCase like the Prisma model. */
export interface ResolvedPriceInput {
  provider: string;
  model: string;
  serviceTier: ServiceTier;
  effectiveFrom: Date;
  rates: PriceRates;
  /** The long-context tier, its rates resolved (a rate not given is the base one). */
  longContext?: { threshold: number; rates: PriceRates } | null;
  /** Where the figure comes from (URL, "litellm import", ...). */
  source?: string | null;
  /** When the figure was checked (a date; the column is DATE). */
  sourceDate?: Date | null;
}

/** The contract's defaults: cache rates fall back to the input rate, reasoning to the output rate. */
export function resolvePriceRates(input: PriceInput): PriceRates {
  const cacheWrite = input.cache_write_per_mtok ?? input.input_per_mtok;
  return {
    inputPerMtok: input.input_per_mtok,
    outputPerMtok: input.output_per_mtok,
    cacheReadPerMtok: input.cache_read_per_mtok ?? input.input_per_mtok,
    cacheWritePerMtok: cacheWrite,
    cacheWrite1hPerMtok: input.cache_write_1h_per_mtok ?? cacheWrite,
    reasoningPerMtok: input.reasoning_per_mtok ?? input.output_per_mtok,
  };
}

export function resolvePriceInput(input: PriceInput): ResolvedPriceInput {
  const rates = resolvePriceRates(input);
  const long = input.long_context;
  return {
    provider: input.provider,
    model: input.model,
    serviceTier: input.service_tier,
    effectiveFrom: input.effective_from,
    rates,
    ...(long
      ? {
          longContext: {
            threshold: long.threshold_input_tokens,
            rates: {
              inputPerMtok: long.input_per_mtok ?? rates.inputPerMtok,
              outputPerMtok: long.output_per_mtok ?? rates.outputPerMtok,
              cacheReadPerMtok: long.cache_read_per_mtok ?? rates.cacheReadPerMtok,
              cacheWritePerMtok: long.cache_write_per_mtok ?? rates.cacheWritePerMtok,
              cacheWrite1hPerMtok: long.cache_write_1h_per_mtok ?? long.cache_write_per_mtok ?? rates.cacheWrite1hPerMtok,
              reasoningPerMtok: long.reasoning_per_mtok ?? long.output_per_mtok ?? rates.reasoningPerMtok,
            },
          },
        }
      : {}),
  };
}

/**
 * PATCH /api/v1/prices/{id}: a correction of rates (at least one). The entry keeps its
 * provider, model, tier and effective_from; null resets a cache or reasoning rate to its
 * default (the input rate, the 5-minute write rate, the output rate).
 */
export const priceChangeSchema = z
  .strictObject({
    input_per_mtok: optionalRate,
    output_per_mtok: optionalRate,
    cache_read_per_mtok: z.custom<string | number | null>(() => true).optional(),
    cache_write_per_mtok: z.custom<string | number | null>(() => true).optional(),
    cache_write_1h_per_mtok: z.custom<string | number | null>(() => true).optional(),
    reasoning_per_mtok: z.custom<string | number | null>(() => true).optional(),
  })
  .superRefine((value, ctx) => {
    if (Object.values(value).every((v) => v === undefined)) ctx.addIssue({ code: "custom", path: [], message: "send at least one rate to change" });
    for (const key of ["cache_read_per_mtok", "cache_write_per_mtok", "cache_write_1h_per_mtok", "reasoning_per_mtok"] as const) {
      const v = value[key];
      if (v === undefined || v === null) continue;
      const parsed = parseRate(v);
      if (!parsed.ok) ctx.addIssue({ code: "custom", path: [key], message: parsed.message });
    }
  })
  .transform((value) => {
    const rate = (v: string | number | null | undefined) => (v === undefined ? undefined : v === null ? null : (parseRate(v) as { ok: true; rate: string }).rate);
    return {
      input_per_mtok: value.input_per_mtok,
      output_per_mtok: value.output_per_mtok,
      cache_read_per_mtok: rate(value.cache_read_per_mtok),
      cache_write_per_mtok: rate(value.cache_write_per_mtok),
      cache_write_1h_per_mtok: rate(value.cache_write_1h_per_mtok),
      reasoning_per_mtok: rate(value.reasoning_per_mtok),
    };
  });
export type PriceChange = z.output<typeof priceChangeSchema>;
