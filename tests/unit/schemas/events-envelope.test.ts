import { describe, expect, it } from "vitest";
import { eventsEnvelopeSchema, MAX_BATCH_EVENTS, parseEventsEnvelope } from "@/lib/schemas/event";

describe("parseEventsEnvelope", () => {
  it("takes a well-formed envelope's events as they are", () => {
    const events = [{ id: "a" }, "not an event", null];
    const parsed = parseEventsEnvelope({ events, batch: 3 });
    expect(parsed).toEqual({ success: true, data: { events } });
    expect(parsed.success && parsed.data.events).toBe(events);
  });

  it("answers as the schema does for every other body, errors included", () => {
    const bodies: unknown[] = [
      null,
      [],
      "events",
      {},
      { events: {} },
      { events: [] },
      { events: Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => ({})) },
      { events: Array.from({ length: MAX_BATCH_EVENTS }, () => ({})) },
      { events: [1] },
    ];
    for (const body of bodies) {
      const ours = parseEventsEnvelope(body);
      const schema = eventsEnvelopeSchema.safeParse(body);
      expect(ours.success).toBe(schema.success);
      if (!ours.success && !schema.success) expect(ours.error.issues).toEqual(schema.error.issues);
      if (ours.success && schema.success) expect(ours.data).toEqual(schema.data);
    }
  });
});
