import { regexes } from "zod";
import { EARLIEST_ITEM_TIME, ITEM_TIME_LEAD_MS, MAX_TAGS } from "@/lib/schemas/common";
import { OPERATIONS, SERVICE_TIERS, type ParsedEvent } from "@/lib/schemas/event";

/**
 * eventSchema compiled by hand for the common event: one pass of plain checks instead of zod's
 * generic machinery, a quarter of the ingest path's validation time (bench:ingest-profile). It
 * answers exactly what `eventSchema.safeParse(raw).data` would, or null — for anything it does
 * not handle (an unknown field, a reported cost, any invalid value) — and the caller then asks
 * the schema itself, which also writes every error message. A property test holds the two
 * equal (tests/unit/schemas/event-fast.test.ts).
 */

// zod's own RFC 3339 pattern, the one z.iso.datetime({ offset: true }) checks.
const DATETIME = regexes.datetime({ offset: true });

const KNOWN_FIELDS = new Set([
  "id", "timestamp", "provider", "model", "operation", "service_tier", "usage", "openai_usage", "anthropic_usage",
  "latency_ms", "status", "response_cache_hit", "trace_id", "attempt", "tags",
]);
const OPERATION_SET = new Set<string>(OPERATIONS);
const TIER_SET = new Set<string>(SERVICE_TIERS);

function text(value: unknown, min: number, max: number): value is string {
  return typeof value === "string" && value.length >= min && value.length <= max;
}

function int(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function plainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function tagsOf(value: unknown): Record<string, string> | null {
  if (!plainObject(value)) return null;
  const keys = Object.keys(value);
  if (keys.length > MAX_TAGS) return null;
  const tags: Record<string, string> = {};
  for (const key of keys) {
    const tag = value[key];
    if (key === "__proto__" || !text(key, 1, 64) || !text(tag, 0, 256)) return null;
    tags[key] = tag;
  }
  return tags;
}

export function parseEventFast(raw: unknown, now = Date.now()): ParsedEvent | null {
  if (!plainObject(raw)) return null;
  for (const key in raw) if (!KNOWN_FIELDS.has(key)) return null;
  const r = raw;
  if (!text(r.id, 1, 128) || !text(r.provider, 1, 64) || !text(r.model, 1, 256)) return null;
  const timestamp = r.timestamp;
  if (typeof timestamp !== "string" || !DATETIME.test(timestamp)) return null;
  const at = Date.parse(timestamp);
  if (Number.isNaN(at) || at < EARLIEST_ITEM_TIME.getTime() || at > now + ITEM_TIME_LEAD_MS) return null;
  const operation = r.operation === undefined ? "chat" : r.operation;
  const tier = r.service_tier === undefined ? "standard" : r.service_tier;
  const status = r.status === undefined ? "success" : r.status;
  const attempt = r.attempt === undefined ? 1 : r.attempt;
  if (typeof operation !== "string" || !OPERATION_SET.has(operation)) return null;
  if (typeof tier !== "string" || !TIER_SET.has(tier)) return null;
  if (status !== "success" && status !== "error") return null;
  if (!int(attempt, 1, 1000)) return null;
  if (r.latency_ms !== undefined && !int(r.latency_ms, 0, 2_147_483_647)) return null;
  if (r.response_cache_hit !== undefined && typeof r.response_cache_hit !== "boolean") return null;
  if (r.trace_id !== undefined && !text(r.trace_id, 1, 256)) return null;
  let tags: Record<string, string> | undefined;
  if (r.tags !== undefined) {
    const parsed = tagsOf(r.tags);
    if (!parsed) return null;
    tags = parsed;
  }
  const event: ParsedEvent = {
    id: r.id,
    timestamp,
    provider: r.provider,
    model: r.model,
    operation: operation as ParsedEvent["operation"],
    service_tier: tier as ParsedEvent["service_tier"],
    status,
    attempt,
  };
  if ("usage" in r) event.usage = r.usage;
  if ("openai_usage" in r) event.openai_usage = r.openai_usage;
  if ("anthropic_usage" in r) event.anthropic_usage = r.anthropic_usage;
  if (r.latency_ms !== undefined) event.latency_ms = r.latency_ms as number;
  if (r.response_cache_hit !== undefined) event.response_cache_hit = r.response_cache_hit as boolean;
  if (r.trace_id !== undefined) event.trace_id = r.trace_id as string;
  if (tags) event.tags = tags;
  return event;
}
