// OTLP trace exports (ExportTraceServiceRequest, in its OTLP/JSON shape: protobuf requests are
// decoded into the same shape by otlp-protobuf.ts) → the contract's usage events.
// Pure: no I/O, never throws. The events it returns are in the exact wire shape of
// `POST /api/v1/events` and are validated (ranges, cache <= input, tag count, ...) by the events schema
// afterwards; this module only refuses spans that carry token counts but cannot make an event.
//
// Which span becomes what (contract, "OTLP: every encoding and convention in use"):
// - a span is a model call when it carries a token count under one of the conventions of
//   OTLP_CONVENTIONS (the current GenAI semantic conventions, their older names as OpenLLMetry and
//   LiteLLM emit them, OpenInference's llm.*, the Vercel AI SDK's inner gen_ai span);
// - the ai.* attributes only supplement a call: the Vercel AI SDK's outer ai.generateText span
//   repeats its inner span's usage under ai.* names, and counting it would count the call twice;
// - any other span (HTTP, database, tools, agents, wrappers) is ignored, not an error.

import {
  attributeBoolean,
  attributeInteger,
  attributeMap,
  attributeScalarText,
  attributeString,
  isObject,
  latencyMs,
  parseId,
  parseUnixNano,
  repeatedField,
  unixNanoToRfc3339,
  type JsonObject,
} from "@/lib/ingestion/otlp-values";

export type ContractOperation = "chat" | "completion" | "embedding" | "image" | "audio" | "rerank" | "other";
export type ContractServiceTier = "standard" | "batch" | "flex" | "priority";

/** The contract's Event (`POST /api/v1/events`), snake_case as on the wire. */
export type ContractEvent = {
  id: string;
  timestamp: string;
  provider: string;
  model: string;
  operation?: ContractOperation;
  service_tier?: ContractServiceTier;
  usage: {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens?: number;
    cache_creation_input_tokens?: number;
    cache_creation_1h_input_tokens?: number;
    reasoning_output_tokens?: number;
  };
  latency_ms?: number;
  status?: "success" | "error";
  response_cache_hit?: boolean;
  trace_id?: string;
  attempt?: number;
  tags?: Record<string, string>;
  /** Extension: what the sender said the call cost. */
  reported_cost_usd?: string | number;
};

export type OtlpRejection = { span: string; message: string };

export type OtlpConversion = {
  events: ContractEvent[];
  /** One entry per rejected span (so `rejected.length` is the OTLP `rejectedSpans`). */
  rejected: OtlpRejection[];
  /** Every entry of every `spans` array, whatever became of it. */
  spanCount: number;
  /**
   * Structural problems above the span level (the body is not an object, `resourceSpans` is not an
   * array, ...). Those parts are skipped; a route may answer 400 ("Bad Data" in OTLP/HTTP) when it is
   * non-empty. Absent or null repeated fields are not problems: proto3 treats them as empty.
   */
  malformed: { path: string; message: string }[];
};

// Maps, not object literals: attribute values must never reach Object.prototype ("constructor", ...).
const OPERATIONS = new Map<string, ContractOperation>([
  ["chat", "chat"],
  ["generate_content", "chat"],
  ["text_completion", "completion"],
  ["embeddings", "embedding"],
  // The contract's own names, for instrumentations that already speak them.
  ["completion", "completion"],
  ["embedding", "embedding"],
  ["image", "image"],
  ["audio", "audio"],
  ["rerank", "rerank"],
  ["other", "other"],
  // OpenInference's openinference.span.kind values (upper case on the wire; matched lower-cased).
  ["llm", "chat"],
  ["reranker", "rerank"],
]);

const SERVICE_TIERS = new Map<string, ContractServiceTier>([
  ["standard", "standard"],
  ["batch", "batch"],
  ["flex", "flex"],
  ["priority", "priority"],
  ["default", "standard"],
  ["auto", "standard"],
]);

// Where the service tier may come from, most specific first (burnrate.* is looked up on the span, then
// the resource). The response attribute says which tier actually served the call, so it beats the request.
const TIER_ATTRIBUTES = [
  "openai.response.service_tier",
  "gen_ai.openai.response.service_tier",
  "openai.request.service_tier",
  "gen_ai.openai.request.service_tier",
];

/**
 * Every convention in one table (contract): for each field the first attribute present wins,
 * looked up on the span, then on its resource. Adding a convention is adding a name here.
 */
export const OTLP_CONVENTIONS = {
  provider: ["gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system"],
  model: ["gen_ai.response.model", "gen_ai.request.model", "llm.model_name"],
  operation: ["gen_ai.operation.name", "openinference.span.kind"],
  // All input tokens, cache reads and writes included.
  inputTokens: ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens", "llm.token_count.prompt"],
  // All output tokens, reasoning included.
  outputTokens: ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens", "llm.token_count.completion"],
  cacheReadTokens: [
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_read_input_tokens",
    "llm.token_count.prompt_details.cache_read",
    "ai.usage.cachedInputTokens",
    "ai.usage.inputTokenDetails.cacheReadTokens",
  ],
  cacheWriteTokens: [
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.cache_creation_input_tokens",
    "llm.token_count.prompt_details.cache_write",
    "ai.usage.inputTokenDetails.cacheWriteTokens",
  ],
  reasoningTokens: [
    "gen_ai.usage.reasoning.output_tokens",
    "gen_ai.usage.reasoning_tokens", // OpenLLMetry up to 0.47
    "llm.token_count.completion_details.reasoning",
    "ai.usage.reasoningTokens",
  ],
} as const satisfies Record<string, readonly string[]>;

/**
 * Last resorts, read only when no attribute of the table is present: senders that record a count
 * only inside a serialized attribute. The Vercel AI SDK 4 puts cache and reasoning counts only in
 * the JSON of ai.response.providerMetadata; LiteLLM's otel callback only in metadata.usage_object,
 * the Python repr of its usage dict.
 */
type EmbeddedCount = { attribute: string; json: readonly (readonly [string, string])[] } | { attribute: string; pythonKey: string };
export const OTLP_EMBEDDED_COUNTS: Partial<Record<(typeof TOKEN_FIELDS)[number], readonly EmbeddedCount[]>> = {
  cacheReadTokens: [
    { attribute: "ai.response.providerMetadata", json: [["openai", "cachedPromptTokens"], ["anthropic", "cacheReadInputTokens"]] },
    { attribute: "metadata.usage_object", pythonKey: "cached_tokens" },
  ],
  cacheWriteTokens: [
    { attribute: "ai.response.providerMetadata", json: [["anthropic", "cacheCreationInputTokens"]] },
    { attribute: "metadata.usage_object", pythonKey: "cache_creation_input_tokens" },
  ],
  reasoningTokens: [
    { attribute: "ai.response.providerMetadata", json: [["openai", "reasoningTokens"]] },
    { attribute: "metadata.usage_object", pythonKey: "reasoning_tokens" },
  ],
};

/**
 * The one sender whose input count leaves the cache out: the Vercel AI SDK's Anthropic provider
 * (before AI SDK 6 added ai.usage.inputTokenDetails) reports Anthropic's own input_tokens, which
 * excludes cache reads and writes. The contract's input is all of them, so they are added back.
 */
function inputExcludesCache(scope: Scope): boolean {
  const sdkProvider = attributeString(scope.span.get("ai.model.provider"))?.toLowerCase() ?? "";
  return (
    sdkProvider.startsWith("anthropic") &&
    !scope.span.has("ai.usage.inputTokenDetails.cacheReadTokens") &&
    !scope.span.has("ai.usage.inputTokenDetails.cacheWriteTokens")
  );
}

const TOKEN_FIELDS = ["inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "reasoningTokens"] as const;

// The attributes whose presence on a span makes it a model call: every token count except the
// Vercel AI SDK's ai.* supplements, which its wrapper spans carry too.
const CALL_MARKERS: readonly string[] = TOKEN_FIELDS.flatMap((field) => OTLP_CONVENTIONS[field]).filter(
  (key) => !key.startsWith("ai."),
);

// The Vercel AI SDK's telemetry metadata: ai.telemetry.metadata.<key> is tag <key>.
const METADATA_PREFIX = "ai.telemetry.metadata.";
const FUNCTION_ID = "ai.telemetry.functionId";

const BURNRATE_PREFIX = "burnrate.";
// burnrate.* attributes that fill event fields rather than tags.
const BURNRATE_FIELDS = new Set(["burnrate.service_tier", "burnrate.attempt", "burnrate.response_cache_hit"]);

type Attributes = Map<string, JsonObject>;

class SpanRejected extends Error {}

export function convertOtlpTraces(body: unknown): OtlpConversion {
  const result: OtlpConversion = { events: [], rejected: [], spanCount: 0, malformed: [] };
  if (!isObject(body)) {
    result.malformed.push({ path: "", message: "body must be a JSON object (ExportTraceServiceRequest)" });
    return result;
  }
  const resourceSpans = containerList(body.resourceSpans, "resourceSpans", result);
  resourceSpans.forEach((rs, r) => {
    const rsPath = `resourceSpans.${r}`;
    if (!isObject(rs)) {
      result.malformed.push({ path: rsPath, message: "must be an object" });
      return;
    }
    const resourceAttributes = attributeMap(isObject(rs.resource) ? rs.resource.attributes : undefined);
    const scopeSpans = containerList(rs.scopeSpans, `${rsPath}.scopeSpans`, result);
    scopeSpans.forEach((ss, s) => {
      const ssPath = `${rsPath}.scopeSpans.${s}`;
      if (!isObject(ss)) {
        result.malformed.push({ path: ssPath, message: "must be an object" });
        return;
      }
      const spans = containerList(ss.spans, `${ssPath}.spans`, result);
      spans.forEach((span, i) => {
        result.spanCount++;
        convertSpan(span, `${ssPath}.spans.${i}`, resourceAttributes, result);
      });
    });
  });
  return result;
}

function containerList(value: unknown, path: string, result: OtlpConversion): unknown[] {
  const list = repeatedField(value);
  if (list === "malformed") {
    result.malformed.push({ path, message: "must be an array" });
    return [];
  }
  return list ?? [];
}

function convertSpan(span: unknown, path: string, resource: Attributes, result: OtlpConversion): void {
  if (!isObject(span)) {
    result.rejected.push({ span: path, message: "span must be an object" });
    return;
  }
  const attributes = attributeMap(span.attributes);
  if (!CALL_MARKERS.some((key) => attributes.has(key))) return;

  const spanId = parseId(span.spanId, 8);
  const label = spanId === null ? path : `${path} spanId=${spanId}`;
  try {
    result.events.push(buildEvent(span, spanId, { span: attributes, resource }));
  } catch (error) {
    if (!(error instanceof SpanRejected)) throw error;
    result.rejected.push({ span: label, message: error.message });
  }
}

function reject(message: string): never {
  throw new SpanRejected(message);
}

/** A span's attributes and its resource's: every field is looked up on the span first. */
interface Scope {
  span: Attributes;
  resource: Attributes;
}

function lookup(scope: Scope, key: string): JsonObject | undefined {
  return scope.span.get(key) ?? scope.resource.get(key);
}

function buildEvent(span: JsonObject, spanId: string | null, scope: Scope): ContractEvent {
  const traceId = parseId(span.traceId, 16);
  if (traceId === null) reject("traceId is missing or not a 16-byte hex id");
  if (spanId === null) reject("spanId is missing or not an 8-byte hex id");

  const start = parseUnixNano(span.startTimeUnixNano);
  if (start === null) reject("startTimeUnixNano is missing or not a uint64 nanosecond timestamp");
  const end = parseUnixNano(span.endTimeUnixNano);

  // The provider as sent: every ingest path normalizes it in one place (prepareEvent).
  const provider = firstNonEmptyString(scope, OTLP_CONVENTIONS.provider);
  if (provider === null) reject(`${OTLP_CONVENTIONS.provider.join(" / ")} is missing or not a non-empty string`);
  const model = firstNonEmptyString(scope, OTLP_CONVENTIONS.model);
  if (model === null) reject(`${OTLP_CONVENTIONS.model.join(" / ")} is missing or not a non-empty string`);

  const operationName = firstNonEmptyString(scope, OTLP_CONVENTIONS.operation);
  const operation = operationName === null ? undefined : (OPERATIONS.get(operationName.toLowerCase()) ?? "other");

  let input = readTokens(scope, OTLP_CONVENTIONS.inputTokens);
  if (input === undefined) reject(`input tokens are missing (${OTLP_CONVENTIONS.inputTokens.join(" / ")})`);
  let output = readTokens(scope, OTLP_CONVENTIONS.outputTokens);
  // Embeddings produce no output tokens, and their instrumentations leave the attribute out.
  if (output === undefined && operation === "embedding") output = 0;
  if (output === undefined) reject(`output tokens are missing (${OTLP_CONVENTIONS.outputTokens.join(" / ")})`);
  const cacheRead = readTokens(scope, OTLP_CONVENTIONS.cacheReadTokens) ?? readEmbedded(scope, "cacheReadTokens");
  const cacheCreation = readTokens(scope, OTLP_CONVENTIONS.cacheWriteTokens) ?? readEmbedded(scope, "cacheWriteTokens");
  const reasoning = readTokens(scope, OTLP_CONVENTIONS.reasoningTokens) ?? readEmbedded(scope, "reasoningTokens");
  if (inputExcludesCache(scope)) input += (cacheRead ?? 0) + (cacheCreation ?? 0);

  const event: ContractEvent = {
    id: traceId + spanId,
    timestamp: unixNanoToRfc3339(start),
    provider,
    model,
    usage: { input_tokens: input, output_tokens: output },
    trace_id: traceId,
  };
  if (operation !== undefined) event.operation = operation;
  const tier = readServiceTier(scope);
  if (tier !== undefined) event.service_tier = tier;
  if (cacheRead !== undefined) event.usage.cache_read_input_tokens = cacheRead;
  if (cacheCreation !== undefined) event.usage.cache_creation_input_tokens = cacheCreation;
  if (reasoning !== undefined) event.usage.reasoning_output_tokens = reasoning;
  const latency = end === null ? null : latencyMs(start, end);
  if (latency !== null) event.latency_ms = latency;
  event.status = isErrorStatus(span.status) ? "error" : "success";
  const cacheHit = attributeBoolean(lookup(scope, "burnrate.response_cache_hit"));
  if (cacheHit !== null) event.response_cache_hit = cacheHit;
  const attempt = attributeInteger(lookup(scope, "burnrate.attempt"));
  if (attempt !== null && attempt.ok && attempt.value >= 1) event.attempt = attempt.value;
  const tags = readTags(scope);
  if (tags !== undefined) event.tags = tags;
  return event;
}

function firstNonEmptyString(scope: Scope, keys: readonly string[]): string | null {
  for (const key of keys) {
    const text = attributeString(lookup(scope, key))?.trim();
    if (text) return text;
  }
  return null;
}

/** The first present attribute of `keys` as a token count; undefined when none is present. */
function readTokens(scope: Scope, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const parsed = attributeInteger(lookup(scope, key));
    if (parsed === null) continue;
    if (!parsed.ok) reject(`${key} ${parsed.message}`);
    return parsed.value;
  }
  return undefined;
}

// Serialized blobs are read only up to this size: a count sits in the first few hundred bytes.
const MAX_EMBEDDED_TEXT = 16_384;

function readEmbedded(scope: Scope, field: keyof typeof OTLP_EMBEDDED_COUNTS): number | undefined {
  for (const source of OTLP_EMBEDDED_COUNTS[field] ?? []) {
    const text = attributeString(scope.span.get(source.attribute));
    if (text === null || text.length > MAX_EMBEDDED_TEXT) continue;
    const value = "json" in source ? jsonCount(text, source.json) : pythonReprCount(text, source.pythonKey);
    if (value !== undefined) return value;
  }
  return undefined;
}

function jsonCount(text: string, paths: readonly (readonly [string, string])[]): number | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  for (const [outer, inner] of paths) {
    const group = isObject(parsed) ? parsed[outer] : undefined;
    const value = isObject(group) ? group[inner] : undefined;
    if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  }
  return undefined;
}

function pythonReprCount(text: string, key: string): number | undefined {
  const match = new RegExp(`'${key}': (\\d{1,10})\\b`).exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function readServiceTier(scope: Scope): ContractServiceTier | undefined {
  const candidates = [scope.span.get("burnrate.service_tier"), scope.resource.get("burnrate.service_tier")];
  for (const key of TIER_ATTRIBUTES) candidates.push(scope.span.get(key));
  for (const candidate of candidates) {
    const text = attributeString(candidate)?.trim().toLowerCase();
    const tier = text === undefined ? undefined : SERVICE_TIERS.get(text);
    if (tier !== undefined) return tier;
  }
  return undefined;
}

/**
 * Tags from the resource, then the span over it; on each, the AI SDK's telemetry metadata first
 * and burnrate.* over it (an explicit burnrate.team beats metadata.team). The AI SDK's functionId
 * names the feature when nothing else does.
 */
function readTags(scope: Scope): Record<string, string> | undefined {
  const tags = new Map<string, string>();
  // Later wins: the resource's attributes, then the span's; within each, ai.telemetry.metadata.*
  // then burnrate.*. One pass per source (this runs for every span of every export).
  for (const source of [scope.resource, scope.span]) {
    const burnrate: Array<[string, JsonObject]> = [];
    source.forEach((value, key) => {
      if (key.startsWith(METADATA_PREFIX)) setTag(tags, key.slice(METADATA_PREFIX.length), value);
      else if (key.startsWith(BURNRATE_PREFIX) && !BURNRATE_FIELDS.has(key)) burnrate.push([key.slice(BURNRATE_PREFIX.length), value]);
    });
    for (const [name, value] of burnrate) setTag(tags, name, value);
  }
  if (!tags.has("feature")) {
    const functionId = attributeString(lookup(scope, FUNCTION_ID))?.trim();
    if (functionId) tags.set("feature", functionId);
  }
  // Object.fromEntries defines own properties, so even a "__proto__" tag stays plain data.
  return tags.size === 0 ? undefined : Object.fromEntries(tags);
}

function setTag(tags: Map<string, string>, name: string, value: JsonObject): void {
  const text = attributeScalarText(value);
  if (name !== "" && text !== null) tags.set(name, text);
}

function isErrorStatus(status: unknown): boolean {
  if (!isObject(status)) return false;
  // Enums are integers in OTLP/JSON; the name form is tolerated.
  return status.code === 2 || status.code === "2" || status.code === "STATUS_CODE_ERROR";
}

export type OtlpExportTraceResponse = {
  partialSuccess?: { rejectedSpans: string; errorMessage?: string };
};

/**
 * The OTLP/HTTP JSON body of ExportTraceServiceResponse: `{}` on full success, else
 * `{"partialSuccess": {"rejectedSpans": "<int64 as decimal string>", "errorMessage": "..."}}`
 * (proto3 JSON: lowerCamelCase keys, int64 as a string, empty strings omitted).
 */
export function otlpPartialSuccess(rejectedCount: number, message: string): OtlpExportTraceResponse {
  if (!Number.isFinite(rejectedCount) || rejectedCount <= 0) return {};
  const partialSuccess: { rejectedSpans: string; errorMessage?: string } = {
    rejectedSpans: BigInt(Math.trunc(rejectedCount)).toString(),
  };
  if (message !== "") partialSuccess.errorMessage = message;
  return { partialSuccess };
}
