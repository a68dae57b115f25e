// OTLP/HTTP JSON trace exports (ExportTraceServiceRequest) → the contract's usage events.
// Pure: no I/O, never throws. The events it returns are in the exact wire shape of
// `POST /api/v1/events` and are validated (ranges, cache <= input, tag count, ...) by the events schema
// afterwards; this module only refuses spans whose gen_ai attributes cannot make an event at all.
//
// Which span becomes what:
// - a span with no `gen_ai.*` attribute is ignored (not an error): it is not a model call;
// - a gen_ai span with neither a model nor any token count (tool executions, agent orchestration) is
//   ignored too: it records no usage;
// - any other gen_ai span becomes an event, or a rejection naming the attribute that is missing or unusable.

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
    reasoning_output_tokens?: number;
  };
  latency_ms?: number;
  status?: "success" | "error";
  response_cache_hit?: boolean;
  trace_id?: string;
  attempt?: number;
  tags?: Record<string, string>;
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
const PROVIDER_ALIASES = new Map<string, string>([
  ["azure.ai.openai", "azure_openai"],
  ["az.ai.openai", "azure_openai"],
  ["aws.bedrock", "bedrock"],
  ["gcp.gemini", "google"],
  ["gcp.vertex_ai", "google"],
  ["gcp.gen_ai", "google"],
  ["gemini", "google"],
  ["vertex_ai", "google"],
]);

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

const TOKEN_ATTRIBUTES = {
  input: ["gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"],
  output: ["gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens"],
  cacheRead: ["gen_ai.usage.cache_read.input_tokens"],
  cacheCreation: ["gen_ai.usage.cache_creation.input_tokens"],
  reasoning: ["gen_ai.usage.reasoning.output_tokens"],
} as const;

const ALL_TOKEN_ATTRIBUTES: readonly string[] = Object.values(TOKEN_ATTRIBUTES).flat();

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
  if (![...attributes.keys()].some((key) => key.startsWith("gen_ai."))) return;

  const spanId = parseId(span.spanId, 8);
  const label = spanId === null ? path : `${path} spanId=${spanId}`;
  const hasModel = attributes.has("gen_ai.response.model") || attributes.has("gen_ai.request.model");
  if (!hasModel && !ALL_TOKEN_ATTRIBUTES.some((key) => attributes.has(key))) return;

  try {
    result.events.push(buildEvent(span, spanId, attributes, resource));
  } catch (error) {
    if (!(error instanceof SpanRejected)) throw error;
    result.rejected.push({ span: label, message: error.message });
  }
}

function reject(message: string): never {
  throw new SpanRejected(message);
}

function buildEvent(span: JsonObject, spanId: string | null, attributes: Attributes, resource: Attributes): ContractEvent {
  const traceId = parseId(span.traceId, 16);
  if (traceId === null) reject("traceId is missing or not a 16-byte hex id");
  if (spanId === null) reject("spanId is missing or not an 8-byte hex id");

  const start = parseUnixNano(span.startTimeUnixNano);
  if (start === null) reject("startTimeUnixNano is missing or not a uint64 nanosecond timestamp");
  const end = parseUnixNano(span.endTimeUnixNano);

  const provider = readProvider(attributes);
  const model = firstNonEmptyString(attributes, ["gen_ai.response.model", "gen_ai.request.model"]);
  if (model === null) reject("gen_ai.response.model / gen_ai.request.model is missing or not a non-empty string");

  const operationName = attributeString(attributes.get("gen_ai.operation.name"));
  const operation =
    operationName === null ? undefined : (OPERATIONS.get(operationName.trim().toLowerCase()) ?? "other");

  const input = readTokens(attributes, TOKEN_ATTRIBUTES.input);
  if (input === undefined) reject("gen_ai.usage.input_tokens is missing");
  let output = readTokens(attributes, TOKEN_ATTRIBUTES.output);
  // Embeddings produce no output tokens, and their instrumentations leave the attribute out.
  if (output === undefined && operation === "embedding") output = 0;
  if (output === undefined) reject("gen_ai.usage.output_tokens is missing");
  const cacheRead = readTokens(attributes, TOKEN_ATTRIBUTES.cacheRead);
  const cacheCreation = readTokens(attributes, TOKEN_ATTRIBUTES.cacheCreation);
  const reasoning = readTokens(attributes, TOKEN_ATTRIBUTES.reasoning);

  const event: ContractEvent = {
    id: traceId + spanId,
    timestamp: unixNanoToRfc3339(start),
    provider,
    model,
    usage: { input_tokens: input, output_tokens: output },
    trace_id: traceId,
  };
  if (operation !== undefined) event.operation = operation;
  const tier = readServiceTier(attributes, resource);
  if (tier !== undefined) event.service_tier = tier;
  if (cacheRead !== undefined) event.usage.cache_read_input_tokens = cacheRead;
  if (cacheCreation !== undefined) event.usage.cache_creation_input_tokens = cacheCreation;
  if (reasoning !== undefined) event.usage.reasoning_output_tokens = reasoning;
  const latency = end === null ? null : latencyMs(start, end);
  if (latency !== null) event.latency_ms = latency;
  event.status = isErrorStatus(span.status) ? "error" : "success";
  const cacheHit = attributeBoolean(burnrateAttribute("burnrate.response_cache_hit", attributes, resource));
  if (cacheHit !== null) event.response_cache_hit = cacheHit;
  const attempt = attributeInteger(burnrateAttribute("burnrate.attempt", attributes, resource));
  if (attempt !== null && attempt.ok && attempt.value >= 1) event.attempt = attempt.value;
  const tags = readTags(attributes, resource);
  if (tags !== undefined) event.tags = tags;
  return event;
}

function readProvider(attributes: Attributes): string {
  const raw = firstNonEmptyString(attributes, ["gen_ai.provider.name", "gen_ai.system"]);
  if (raw === null) reject("gen_ai.provider.name / gen_ai.system is missing or not a non-empty string");
  return PROVIDER_ALIASES.get(raw.toLowerCase()) ?? raw;
}

function firstNonEmptyString(attributes: Attributes, keys: readonly string[]): string | null {
  for (const key of keys) {
    const text = attributeString(attributes.get(key))?.trim();
    if (text) return text;
  }
  return null;
}

/** The first present attribute of `keys` as a token count; undefined when none is present. */
function readTokens(attributes: Attributes, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const parsed = attributeInteger(attributes.get(key));
    if (parsed === null) continue;
    if (!parsed.ok) reject(`${key} ${parsed.message}`);
    return parsed.value;
  }
  return undefined;
}

function burnrateAttribute(key: string, span: Attributes, resource: Attributes): JsonObject | undefined {
  return span.get(key) ?? resource.get(key);
}

function readServiceTier(span: Attributes, resource: Attributes): ContractServiceTier | undefined {
  const candidates = [span.get("burnrate.service_tier"), resource.get("burnrate.service_tier")];
  for (const key of TIER_ATTRIBUTES) candidates.push(span.get(key));
  for (const candidate of candidates) {
    const text = attributeString(candidate)?.trim().toLowerCase();
    const tier = text === undefined ? undefined : SERVICE_TIERS.get(text);
    if (tier !== undefined) return tier;
  }
  return undefined;
}

function readTags(span: Attributes, resource: Attributes): Record<string, string> | undefined {
  const tags = new Map<string, string>();
  // Resource first, then the span over it: the span wins.
  for (const source of [resource, span]) {
    for (const [key, value] of source) {
      if (!key.startsWith(BURNRATE_PREFIX) || BURNRATE_FIELDS.has(key)) continue;
      const name = key.slice(BURNRATE_PREFIX.length);
      const text = attributeScalarText(value);
      if (name !== "" && text !== null) tags.set(name, text);
    }
  }
  // Object.fromEntries defines own properties, so even a "__proto__" tag stays plain data.
  return tags.size === 0 ? undefined : Object.fromEntries(tags);
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
