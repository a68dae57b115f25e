import { z } from "zod";
import { Money } from "@/lib/money";
import { itemTimestampSchema, tagsSchema } from "@/lib/schemas/common";

/**
 * The contract's usage event (POST /api/v1/events). Token shapes (usage, openai_usage,
 * anthropic_usage) are validated and normalised by lib/pricing/normalize-usage.ts; this
 * schema checks everything else. Unknown fields are ignored: clients may be newer than us.
 */
export const OPERATIONS = ["chat", "completion", "embedding", "image", "audio", "rerank", "other"] as const;
export const SERVICE_TIERS = ["standard", "batch", "flex", "priority"] as const;

const MAX_REPORTED_COST_USD = "1000000";
const REPORTED_COST_MESSAGE = "must be a decimal string or number >= 0 (USD)";

/**
 * A sender's own figure, read exactly: a number through its shortest round-trip text (never
 * float arithmetic), rounded to the 12 decimals of the column. Not Burnrate's money: it is shown
 * beside the computed cost so a mispriced catalog shows up.
 */
export const reportedCostSchema = z
  .union([z.string(), z.number()], { error: REPORTED_COST_MESSAGE })
  .transform((value, ctx) => {
    const text = typeof value === "number" ? String(value) : value.trim();
    if (!/^\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text) || (typeof value === "number" && !Number.isFinite(value))) {
      ctx.issues.push({ code: "custom", message: REPORTED_COST_MESSAGE, input: value });
      return z.NEVER;
    }
    const amount = new Money(text);
    if (amount.gt(MAX_REPORTED_COST_USD)) {
      ctx.issues.push({ code: "custom", message: `must be at most ${MAX_REPORTED_COST_USD}`, input: value });
      return z.NEVER;
    }
    return amount.toDecimalPlaces(12).toFixed();
  });

export const eventSchema = z.object({
  id: z.string({ message: "is required (a string of 1 to 128 characters)" }).min(1, "must not be empty").max(128, "is at most 128 characters"),
  timestamp: itemTimestampSchema,
  provider: z.string({ message: "is required" }).min(1, "must not be empty").max(64, "is at most 64 characters"),
  model: z.string({ message: "is required" }).min(1, "must not be empty").max(256, "is at most 256 characters"),
  operation: z.enum(OPERATIONS).default("chat"),
  service_tier: z.enum(SERVICE_TIERS).default("standard"),
  usage: z.unknown().optional(),
  openai_usage: z.unknown().optional(),
  anthropic_usage: z.unknown().optional(),
  latency_ms: z.number().int("must be an integer >= 0").min(0, "must be an integer >= 0").max(2_147_483_647).optional(),
  status: z.enum(["success", "error"]).default("success"),
  response_cache_hit: z.boolean().optional(),
  trace_id: z.string().min(1).max(256, "is at most 256 characters").optional(),
  attempt: z.number().int("must be an integer >= 1").min(1, "must be an integer >= 1").max(1000).default(1),
  tags: tagsSchema.optional(),
  // Extension: what the sender says the call cost (LiteLLM's response_cost), kept beside Burnrate's own cost.
  reported_cost_usd: reportedCostSchema.optional(),
});

export type EventInput = z.input<typeof eventSchema>;
export type ParsedEvent = z.output<typeof eventSchema>;

/** The envelope: checked whole before any event is looked at. */
export const MAX_BATCH_EVENTS = 1000;
export const eventsEnvelopeSchema = z.object({
  events: z
    .array(z.unknown(), { message: "must be an array of events" })
    .min(1, "must hold at least 1 event")
    .max(MAX_BATCH_EVENTS, `must hold at most ${MAX_BATCH_EVENTS} events`),
});

/**
 * eventsEnvelopeSchema.safeParse, with the well-formed envelope taken as it is: zod would copy
 * the 1,000-item array item by item, for nothing (the items are checked one by one later).
 */
export function parseEventsEnvelope(body: unknown): ReturnType<typeof eventsEnvelopeSchema.safeParse> {
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const events = (body as { events?: unknown }).events;
    if (Array.isArray(events) && events.length >= 1 && events.length <= MAX_BATCH_EVENTS) return { success: true, data: { events } };
  }
  return eventsEnvelopeSchema.safeParse(body);
}
