import { z } from "zod";
import type { TokenUsage } from "@/lib/pricing/compute-cost";

/**
 * An event's token usage in the contract's canonical form (OpenTelemetry GenAI semantics:
 * input_tokens includes cache reads and writes, output_tokens includes reasoning), from
 * exactly one of the three shapes an event may carry:
 *
 * - `usage`: canonical already; rejected when cache_read + cache_creation > input_tokens,
 *   cache_creation_1h > cache_creation or reasoning > output_tokens.
 * - `openai_usage`: {prompt_tokens, completion_tokens, prompt_tokens_details?.cached_tokens,
 *   completion_tokens_details?.reasoning_tokens}. prompt_tokens INCLUDES cached tokens, so
 *   input = prompt_tokens, cache_read = cached_tokens, cache_creation = 0 (OpenAI bills no
 *   cache writes), output = completion_tokens, reasoning = reasoning_tokens.
 * - `anthropic_usage`: {input_tokens, output_tokens, cache_read_input_tokens?,
 *   cache_creation_input_tokens?, cache_creation?: {ephemeral_5m_input_tokens,
 *   ephemeral_1h_input_tokens}}. input_tokens EXCLUDES cache reads and writes, so
 *   input = input_tokens + cache_read + cache_creation; the 1-hour writes are
 *   cache_creation.ephemeral_1h_input_tokens (cache_creation_input_tokens, when absent, is
 *   the sum of the two ephemeral counts).
 *
 * Every count is an integer 0..2147483647 (the int4 columns), the canonical input sum too.
 * Optional fields may be missing or null (SDKs serialise absent fields as null); a null
 * top-level field counts as absent. Unknown fields are ignored (providers keep adding
 * detail fields such as audio_tokens).
 * Error paths are relative to the event, e.g. "openai_usage.prompt_tokens_details.cached_tokens".
 */

export const MAX_TOKEN_COUNT = 2_147_483_647;

export interface UsageError {
  path: string;
  message: string;
}

export type NormalizedUsage = { ok: true; usage: TokenUsage } | { ok: false; errors: UsageError[] };

export interface UsageCarrier {
  usage?: unknown;
  openai_usage?: unknown;
  anthropic_usage?: unknown;
}

const COUNT_MESSAGE = `must be an integer from 0 to ${MAX_TOKEN_COUNT}`;

const tokenCount = z
  .number({ error: (issue) => (issue.input === undefined ? "is required" : COUNT_MESSAGE) })
  .int(COUNT_MESSAGE)
  .min(0, COUNT_MESSAGE)
  .max(MAX_TOKEN_COUNT, COUNT_MESSAGE);
const optionalCount = tokenCount.nullish();

function object<T extends z.ZodRawShape>(shape: T) {
  return z.object(shape, { error: "must be an object" });
}

export const canonicalUsageSchema = object({
  input_tokens: tokenCount,
  output_tokens: tokenCount,
  cache_read_input_tokens: optionalCount,
  cache_creation_input_tokens: optionalCount,
  /** The part of cache_creation_input_tokens written for one hour (contract: Anthropic's 1-hour cache writes). */
  cache_creation_1h_input_tokens: optionalCount,
  reasoning_output_tokens: optionalCount,
});

const openaiSchema = object({
  prompt_tokens: tokenCount,
  completion_tokens: tokenCount,
  prompt_tokens_details: object({ cached_tokens: optionalCount }).nullish(),
  completion_tokens_details: object({ reasoning_tokens: optionalCount }).nullish(),
});

const anthropicSchema = object({
  input_tokens: tokenCount,
  output_tokens: tokenCount,
  cache_read_input_tokens: optionalCount,
  cache_creation_input_tokens: optionalCount,
  cache_creation: object({ ephemeral_5m_input_tokens: optionalCount, ephemeral_1h_input_tokens: optionalCount }).nullish(),
});

export const USAGE_FIELDS = ["usage", "openai_usage", "anthropic_usage"] as const;
type UsageField = (typeof USAGE_FIELDS)[number];

function issuesAt(field: UsageField, error: z.ZodError): UsageError[] {
  return error.issues.map((issue) => ({
    path: [field, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
}

function fail(path: string, message: string): NormalizedUsage {
  return { ok: false, errors: [{ path, message }] };
}

/** A token count as tokenCount accepts it. */
function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_TOKEN_COUNT;
}

/** An optional count as optionalCount accepts it: a count, or null/undefined (as 0); -1 when it is not. */
function optional(value: unknown): number {
  return value === undefined || value === null ? 0 : isCount(value) ? value : -1;
}

/**
 * canonicalUsageSchema's answer for the common valid `usage` without zod (a zod parse per event was
 * a quarter of an event's checks, bench:ingest-profile); null sends the value to the schema,
 * which then writes every error message. Same acceptance: a non-array object whose counts are
 * in range, other fields ignored.
 */
export function canonicalUsageFast(value: unknown): TokenUsage | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const u = value as Record<string, unknown>;
  const input = u.input_tokens;
  const output = u.output_tokens;
  if (!isCount(input) || !isCount(output)) return null;
  const cacheRead = optional(u.cache_read_input_tokens);
  const cacheCreation = optional(u.cache_creation_input_tokens);
  const cacheCreation1h = optional(u.cache_creation_1h_input_tokens);
  const reasoning = optional(u.reasoning_output_tokens);
  if (cacheRead < 0 || cacheCreation < 0 || cacheCreation1h < 0 || reasoning < 0) return null;
  return {
    inputTokens: input,
    outputTokens: output,
    cacheReadInputTokens: cacheRead,
    cacheCreationInputTokens: cacheCreation,
    cacheCreation1hInputTokens: cacheCreation1h,
    reasoningOutputTokens: reasoning,
  };
}

function canonical(value: unknown): NormalizedUsage {
  const fast = canonicalUsageFast(value);
  if (fast) return checkCanonical(fast);
  const parsed = canonicalUsageSchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: issuesAt("usage", parsed.error) };
  const u = parsed.data;
  return checkCanonical({
    inputTokens: u.input_tokens,
    outputTokens: u.output_tokens,
    cacheReadInputTokens: u.cache_read_input_tokens ?? 0,
    cacheCreationInputTokens: u.cache_creation_input_tokens ?? 0,
    cacheCreation1hInputTokens: u.cache_creation_1h_input_tokens ?? 0,
    reasoningOutputTokens: u.reasoning_output_tokens ?? 0,
  });
}

/** The canonical shape's cross-field rules. */
function checkCanonical(usage: TokenUsage): NormalizedUsage {
  const errors: UsageError[] = [];
  if ((usage.cacheCreation1hInputTokens ?? 0) > usage.cacheCreationInputTokens) {
    errors.push({
      path: "usage.cache_creation_1h_input_tokens",
      message: "cache_creation_1h_input_tokens must not exceed cache_creation_input_tokens (which includes them)",
    });
  }
  if (usage.cacheReadInputTokens + usage.cacheCreationInputTokens > usage.inputTokens) {
    errors.push({
      path: "usage.cache_read_input_tokens",
      message: "cache_read_input_tokens + cache_creation_input_tokens must not exceed input_tokens (which includes them)",
    });
  }
  if (usage.reasoningOutputTokens > usage.outputTokens) {
    errors.push({
      path: "usage.reasoning_output_tokens",
      message: "reasoning_output_tokens must not exceed output_tokens (which includes them)",
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, usage };
}

function openai(value: unknown): NormalizedUsage {
  const parsed = openaiSchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: issuesAt("openai_usage", parsed.error) };
  const u = parsed.data;
  const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
  const reasoning = u.completion_tokens_details?.reasoning_tokens ?? 0;
  const errors: UsageError[] = [];
  if (cached > u.prompt_tokens) {
    errors.push({
      path: "openai_usage.prompt_tokens_details.cached_tokens",
      message: "cached_tokens must not exceed prompt_tokens (which includes them)",
    });
  }
  if (reasoning > u.completion_tokens) {
    errors.push({
      path: "openai_usage.completion_tokens_details.reasoning_tokens",
      message: "reasoning_tokens must not exceed completion_tokens (which includes them)",
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    usage: {
      inputTokens: u.prompt_tokens,
      outputTokens: u.completion_tokens,
      cacheReadInputTokens: cached,
      cacheCreationInputTokens: 0,
      cacheCreation1hInputTokens: 0,
      reasoningOutputTokens: reasoning,
    },
  };
}

function anthropic(value: unknown): NormalizedUsage {
  const parsed = anthropicSchema.safeParse(value);
  if (!parsed.success) return { ok: false, errors: issuesAt("anthropic_usage", parsed.error) };
  const u = parsed.data;
  const cacheRead = u.cache_read_input_tokens ?? 0;
  const write5m = u.cache_creation?.ephemeral_5m_input_tokens ?? 0;
  const write1h = u.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  const cacheCreation = u.cache_creation_input_tokens ?? write5m + write1h;
  if (write1h > cacheCreation) {
    return fail(
      "anthropic_usage.cache_creation.ephemeral_1h_input_tokens",
      "ephemeral_1h_input_tokens must not exceed cache_creation_input_tokens (which includes them)",
    );
  }
  const input = u.input_tokens + cacheRead + cacheCreation;
  if (input > MAX_TOKEN_COUNT) {
    return fail(
      "anthropic_usage.input_tokens",
      `input_tokens + cache_read_input_tokens + cache_creation_input_tokens must not exceed ${MAX_TOKEN_COUNT}`,
    );
  }
  return {
    ok: true,
    usage: {
      inputTokens: input,
      outputTokens: u.output_tokens,
      cacheReadInputTokens: cacheRead,
      cacheCreationInputTokens: cacheCreation,
      cacheCreation1hInputTokens: write1h,
      reasoningOutputTokens: 0,
    },
  };
}

/** Canonical usage from the one usage shape an event carries; errors name the field. */
export function normalizeUsage(event: UsageCarrier): NormalizedUsage {
  // The common event: only `usage` given.
  if ((event.openai_usage === undefined || event.openai_usage === null) && (event.anthropic_usage === undefined || event.anthropic_usage === null)) {
    if (event.usage !== undefined && event.usage !== null) return canonical(event.usage);
  }
  const present = USAGE_FIELDS.filter((field) => event[field] !== undefined && event[field] !== null);
  if (present.length === 0) return fail("usage", "one of usage, openai_usage or anthropic_usage is required");
  if (present.length > 1) {
    return fail("usage", `only one of usage, openai_usage or anthropic_usage may be given (got ${present.join(", ")})`);
  }
  switch (present[0]) {
    case "openai_usage":
      return openai(event.openai_usage);
    case "anthropic_usage":
      return anthropic(event.anthropic_usage);
    default:
      return canonical(event.usage);
  }
}
