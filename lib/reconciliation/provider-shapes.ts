import { z } from "zod";

/**
 * The providers' report pages as they send them (tests/fixtures/reconciliation/README.md has
 * the sources). Unknown fields are ignored; the fields read are checked, so a changed API
 * fails the pull with the field's name instead of storing nonsense.
 */

const count = z.number().int().min(0);
const nullableCount = count.nullish().transform((value) => value ?? 0);
/** An amount kept as its exact decimal text (see exactAmounts). */
const decimalText = z.union([z.string(), z.number()]).transform((value) => String(value)).pipe(z.string().regex(/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/, "must be a decimal number"));

/** Every report page: buckets of results, and a cursor when more pages follow. */
function pageOf<B extends z.ZodType>(bucket: B) {
  return z.object({ data: z.array(bucket), has_more: z.boolean(), next_page: z.string().nullish() });
}

/** OpenAI's buckets start and end in epoch seconds; Anthropic's in RFC 3339. */
function openaiBucket<R extends z.ZodType>(result: R) {
  return z.object({ start_time: z.number().int(), end_time: z.number().int(), results: z.array(result) });
}

function anthropicBucket<R extends z.ZodType>(result: R) {
  return z.object({ starting_at: z.string(), ending_at: z.string(), results: z.array(result) });
}

// ------------------------------------------------------------------ OpenAI

export const openaiUsagePageSchema = pageOf(
  openaiBucket(
    z.object({
      input_tokens: count,
      output_tokens: count,
      input_cached_tokens: nullableCount,
      input_cache_write_tokens: nullableCount,
      num_model_requests: count,
      model: z.string().nullish(),
    }),
  ),
);

export const openaiCostsPageSchema = pageOf(
  openaiBucket(z.object({ amount: z.object({ value: decimalText, currency: z.string() }), line_item: z.string().nullish() })),
);

// ------------------------------------------------------------------ Anthropic

export const anthropicUsagePageSchema = pageOf(
  anthropicBucket(
    z.object({
      uncached_input_tokens: count,
      cache_creation: z.object({ ephemeral_1h_input_tokens: nullableCount, ephemeral_5m_input_tokens: nullableCount }).nullish(),
      cache_read_input_tokens: nullableCount,
      output_tokens: count,
      model: z.string().nullish(),
    }),
  ),
);

export const anthropicCostPageSchema = pageOf(
  anthropicBucket(
    z.object({
      /** Cents, as a decimal string ("123.45" is $1.2345). */
      amount: decimalText,
      currency: z.string(),
      model: z.string().nullish(),
      description: z.string().nullish(),
    }),
  ),
);

/**
 * JSON text with every `"value": <number>` and `"amount": <number>` turned into a string of
 * the same digits before parsing: OpenAI sends costs as JSON numbers (5.79781825), and
 * JSON.parse would round them to the nearest double.
 */
export function exactAmounts(text: string): string {
  return text.replace(/("(?:value|amount)"\s*:\s*)(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?=\s*[,}])/g, '$1"$2"');
}
