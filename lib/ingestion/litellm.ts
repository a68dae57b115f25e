import type { ContractEvent, ContractOperation } from "@/lib/ingestion/otlp";
import { isObject, type JsonObject } from "@/lib/ingestion/otlp-values";

/**
 * LiteLLM's StandardLoggingPayload (what its proxy's `generic_api` logging callback posts) → the
 * contract's usage event, as the contract's "POST /api/v1/integrations/litellm" section maps it.
 * Pure; never throws. Field names are LiteLLM's (litellm/types/utils.py; recorded shapes in
 * tests/fixtures/litellm/). The event is validated afterwards by the events schema like any other;
 * this module refuses only what cannot become an event, naming LiteLLM's own field.
 *
 * `messages`, `response` and `model_parameters` never reach this module: the body scanner
 * (litellm-body.ts) drops them while the body arrives.
 */
export type LitellmMapping = { ok: true; event: ContractEvent } | { ok: false; path: string; message: string };

// LiteLLM's call_type values → the contract's operation (chat for the rest: completion, acompletion,
// anthropic_messages, responses, ...).
const OPERATIONS = new Map<string, ContractOperation>([
  ["embedding", "embedding"],
  ["aembedding", "embedding"],
  ["text_completion", "completion"],
  ["atext_completion", "completion"],
  ["image_generation", "image"],
  ["aimage_generation", "image"],
  ["transcription", "audio"],
  ["atranscription", "audio"],
  ["speech", "audio"],
  ["aspeech", "audio"],
  ["rerank", "rerank"],
  ["arerank", "rerank"],
]);

// The proxy adds its own "User-Agent: …" entries to request_tags; they are not the caller's tags.
const IGNORED_REQUEST_TAG_KEYS = new Set(["user-agent"]);
const MAX_TAG_KEY = 64;
const MAX_TAG_VALUE = 256;

export function litellmPayloadToEvent(payload: unknown): LitellmMapping {
  if (!isObject(payload)) return fail("", "a payload must be a JSON object (StandardLoggingPayload)");
  if (typeof payload.id !== "string" || payload.id === "") return fail("id", "is required (the call's id, a non-empty string)");

  const start = epochSeconds(payload.startTime);
  if (start === null) return fail("startTime", "is required (epoch seconds, before the year 10000)");
  const end = epochSeconds(payload.endTime);

  const sentProvider = nonEmptyString(payload.custom_llm_provider);
  if (sentProvider === null) return fail("custom_llm_provider", "is required (the provider LiteLLM routed the call to)");
  const hidden = isObject(payload.hidden_params) ? payload.hidden_params : {};
  const model = stripProviderPrefix(nonEmptyString(hidden.litellm_model_name) ?? nonEmptyString(payload.model), sentProvider);
  if (model === null) return fail("model", "is required");

  const metadata = isObject(payload.metadata) ? payload.metadata : {};
  const usage = readUsage(payload, metadata);
  if (!usage.ok) return usage;

  const event: ContractEvent = {
    id: payload.id,
    timestamp: new Date(Math.round(start * 1000)).toISOString(),
    provider: sentProvider,
    model,
    usage: usage.usage,
    status: payload.status === "failure" ? "error" : "success",
  };
  const operation = typeof payload.call_type === "string" ? OPERATIONS.get(payload.call_type) : undefined;
  if (operation !== undefined) event.operation = operation;
  if (end !== null && end >= start) event.latency_ms = Math.round((end - start) * 1000);
  const traceId = nonEmptyString(payload.trace_id);
  if (traceId !== null) event.trace_id = traceId;
  if (payload.cache_hit === true) event.response_cache_hit = true;
  const cost = reportedCost(payload.response_cost);
  if (cost !== undefined) event.reported_cost_usd = cost;
  const tags = readTags(payload, metadata);
  if (tags.size > 0) event.tags = Object.fromEntries(tags);
  return { ok: true, event };
}

function fail(path: string, message: string): LitellmMapping {
  return { ok: false, path, message };
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

// Epoch seconds past this are not a time any call was made (and past 8.64e12 not a JS Date at all).
const MAX_EPOCH_SECONDS = 253_402_300_799; // 9999-12-31T23:59:59Z

/** A float of epoch seconds; LiteLLM's legacy v1 format sends every value as a string. */
function epochSeconds(value: unknown): number | null {
  const number = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof number === "number" && Number.isFinite(number) && number > 0 && number <= MAX_EPOCH_SECONDS ? number : null;
}

/** "openai/gpt-4o-mini" → "gpt-4o-mini" when the prefix is the provider the call went to. */
function stripProviderPrefix(model: string | null, provider: string): string | null {
  if (model === null) return null;
  const prefix = `${provider}/`;
  const stripped = model.toLowerCase().startsWith(prefix.toLowerCase()) ? model.slice(prefix.length) : model;
  return stripped === "" ? null : stripped;
}

type UsageResult = { ok: true; usage: ContractEvent["usage"] } | { ok: false; path: string; message: string };

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * metadata.usage_object (OpenAI-shaped) when present, else the payload's prompt/completion counts.
 * prompt_tokens includes the cached tokens; for Anthropic, LiteLLM also reports cache reads and
 * writes. Older LiteLLM versions left the cache writes out of an Anthropic prompt_tokens, so the
 * input is never taken below uncached text + cache reads + cache writes.
 */
function readUsage(payload: JsonObject, metadata: JsonObject): UsageResult {
  const usageObject = isObject(metadata.usage_object) ? metadata.usage_object : null;
  const source = usageObject ?? payload;
  const where = usageObject ? "metadata.usage_object." : "";
  const prompt = count(source.prompt_tokens);
  if (prompt === undefined) return { ok: false, path: `${where}prompt_tokens`, message: "must be an integer >= 0" };
  const completion = count(source.completion_tokens);
  if (completion === undefined) return { ok: false, path: `${where}completion_tokens`, message: "must be an integer >= 0" };
  if (usageObject === null) return { ok: true, usage: { input_tokens: prompt, output_tokens: completion } };

  const promptDetails = isObject(usageObject.prompt_tokens_details) ? usageObject.prompt_tokens_details : {};
  const completionDetails = isObject(usageObject.completion_tokens_details) ? usageObject.completion_tokens_details : {};
  const cacheRead = count(promptDetails.cached_tokens) ?? count(usageObject.cache_read_input_tokens) ?? 0;
  const cacheWrite = count(usageObject.cache_creation_input_tokens) ?? count(promptDetails.cache_creation_tokens) ?? 0;
  const reasoning = count(completionDetails.reasoning_tokens) ?? 0;
  // Anthropic's 1-hour cache writes: prompt_tokens_details.cache_creation_token_details (LiteLLM's Usage).
  const writeDetails = isObject(promptDetails.cache_creation_token_details) ? promptDetails.cache_creation_token_details : {};
  const cacheWrite1h = Math.min(count(writeDetails.ephemeral_1h_input_tokens) ?? 0, cacheWrite);
  const uncachedText = count(promptDetails.text_tokens) ?? 0;
  const input = Math.max(prompt, cacheRead + cacheWrite + (cacheWrite > 0 ? uncachedText : 0));
  const usage: ContractEvent["usage"] = { input_tokens: input, output_tokens: completion };
  if (cacheRead > 0) usage.cache_read_input_tokens = cacheRead;
  if (cacheWrite > 0) usage.cache_creation_input_tokens = cacheWrite;
  if (cacheWrite1h > 0) usage.cache_creation_1h_input_tokens = cacheWrite1h;
  if (reasoning > 0) usage.reasoning_output_tokens = reasoning;
  return { ok: true, usage };
}

/** response_cost (USD, a float) as its shortest decimal text; absent, negative or not finite: none. */
function reportedCost(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return String(value);
  if (typeof value === "string" && /^\d+(\.\d+)?(e[+-]?\d+)?$/i.test(value.trim())) return value.trim();
  return undefined;
}

/**
 * request_tags entries "key:value" first, then the key's team and the end user over them (the proxy's
 * own view of who called beats what the caller wrote). Entries that could not be stored as tags
 * (no colon, empty parts, too long) are ignored rather than costing the event.
 */
function readTags(payload: JsonObject, metadata: JsonObject): Map<string, string> {
  const tags = new Map<string, string>();
  if (Array.isArray(payload.request_tags)) {
    for (const entry of payload.request_tags) {
      if (typeof entry !== "string") continue;
      const colon = entry.indexOf(":");
      if (colon <= 0) continue;
      const key = entry.slice(0, colon).trim();
      const value = entry.slice(colon + 1).trim();
      if (key === "" || value === "" || key.length > MAX_TAG_KEY || value.length > MAX_TAG_VALUE) continue;
      if (IGNORED_REQUEST_TAG_KEYS.has(key.toLowerCase())) continue;
      tags.set(key, value);
    }
  }
  const team = nonEmptyString(metadata.user_api_key_team_alias) ?? nonEmptyString(metadata.user_api_key_team_id);
  if (team !== null) tags.set("team", team);
  const user = nonEmptyString(payload.end_user) ?? nonEmptyString(metadata.user_api_key_user_id);
  if (user !== null) tags.set("user", user);
  return tags;
}
