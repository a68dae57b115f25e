import { eventSchema } from "@/lib/schemas/event";
import { scanItem } from "@/lib/schemas/storable-text";
import { parseEventFast } from "@/lib/schemas/event-fast";
import { WELL_KNOWN_TAGS } from "@/lib/schemas/common";
import { issuePath } from "@/lib/http/errors";
import { normalizeUsage } from "@/lib/pricing/normalize-usage";
import { normalizeProvider, providerAsSent } from "@/lib/pricing/provider-name";
import type { TokenUsage } from "@/lib/pricing/compute-cost";

/** A valid event, normalised to the columns of usage_events (not yet priced). */
export interface PreparedEvent {
  id: string;
  occurredAt: Date;
  /** Normalized (lib/pricing/provider-name.ts): what prices are matched on. */
  provider: string;
  /** The provider name as the sender wrote it, when normalizing changed it. */
  providerAsSent: string | null;
  model: string;
  operation: string;
  serviceTier: string;
  usage: TokenUsage;
  latencyMs: number | null;
  status: "success" | "error";
  responseCacheHit: boolean;
  traceId: string | null;
  attempt: number;
  team: string | null;
  feature: string | null;
  environment: string | null;
  tenant: string | null;
  endUser: string | null;
  promptVersion: string | null;
  extraTags: Record<string, string> | null;
  /** What the sender said the call cost (exact decimal text), or null. */
  reportedCostUsd: string | null;
  /**
   * Its price, set in place by the ingest transaction (null until then, and when unpriced):
   * one object per event from the check to the COPY, not a copy per step.
   */
  costUsd: string | null;
  priceId: string | null;
}

/** A prepared event once priced: cost null (and priceId null) means unpriced. */
export type PricedEvent = PreparedEvent;

const WELL_KNOWN = new Set<string>(WELL_KNOWN_TAGS);

/** The tags outside the well-known six (stored in extra_tags), or null when there are none. */
function extraTagsOf(tags: Record<string, string>): Record<string, string> | null {
  let extra: Array<[string, string]> | null = null;
  for (const key of Object.keys(tags)) if (!WELL_KNOWN.has(key)) (extra ??= []).push([key, tags[key] as string]);
  // Object.fromEntries defines own properties: even a "__proto__" tag stays plain data.
  return extra ? Object.fromEntries(extra) : null;
}

export interface EventError {
  index: number;
  id?: string;
  path: string;
  message: string;
}

/** Per-event size cap: one oversized event is rejected, the rest of its batch is not. */
export const MAX_EVENT_BYTES = 32_768;

export function prepareEvent(raw: unknown, index: number): { ok: true; event: PreparedEvent } | { ok: false; errors: EventError[] } {
  const id = typeof raw === "object" && raw !== null && typeof (raw as { id?: unknown }).id === "string"
    ? ((raw as { id: string }).id)
    : undefined;

  // Before the size check: JSON.stringify of a hostile depth would overflow the stack.
  const scan = scanItem(raw);
  if (scan.problem) return failure(index, id, scan.problem.path, scan.problem.message);
  // The walk's bound proves almost every event within the cap; only a large one is serialised.
  if (scan.jsonBytesBound > MAX_EVENT_BYTES) {
    const size = Buffer.byteLength(JSON.stringify(raw) ?? "", "utf8");
    if (size > MAX_EVENT_BYTES) return failure(index, id, "", `the event is ${size} bytes; at most ${MAX_EVENT_BYTES} bytes per event`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return failure(index, id, "", "an event must be a JSON object");

  // The compiled check answers the common event exactly as the schema would; anything else
  // (and every error message) comes from the zod schema itself.
  const fast = parseEventFast(raw);
  const parsed = fast ? { success: true as const, data: fast } : eventSchema.safeParse(raw);
  const usage = normalizeUsage(raw as Record<string, unknown>);
  const errors: EventError[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      errors.push({ index, ...(id ? { id } : {}), path: issuePath(issue.path), message: issue.message });
    }
  }
  if (!usage.ok) for (const error of usage.errors) errors.push({ index, ...(id ? { id } : {}), ...error });
  if (!parsed.success || !usage.ok) return { ok: false, errors };

  const event = parsed.data;
  const provider = normalizeProvider(event.provider);
  if (provider === "") return failure(index, id, "provider", "must name a provider");
  const tags = event.tags ?? {};
  return {
    ok: true,
    event: {
      id: event.id,
      occurredAt: new Date(event.timestamp),
      provider,
      providerAsSent: providerAsSent(event.provider, provider),
      model: event.model,
      operation: event.operation,
      serviceTier: event.service_tier,
      usage: usage.usage,
      latencyMs: event.latency_ms ?? null,
      status: event.status,
      responseCacheHit: event.response_cache_hit ?? false,
      traceId: event.trace_id ?? null,
      attempt: event.attempt,
      team: tags.team ?? null,
      feature: tags.feature ?? null,
      environment: tags.environment ?? null,
      tenant: tags.tenant ?? null,
      endUser: tags.user ?? null,
      promptVersion: tags.prompt_version ?? null,
      extraTags: extraTagsOf(tags),
      reportedCostUsd: event.reported_cost_usd ?? null,
      costUsd: null,
      priceId: null,
    },
  };
}

function failure(index: number, id: string | undefined, path: string, message: string): { ok: false; errors: EventError[] } {
  return { ok: false, errors: [{ index, ...(id ? { id } : {}), path, message }] };
}
