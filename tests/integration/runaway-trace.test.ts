import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { prisma } from "@/lib/db";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";
import { createPricedModel, evaluateAt, PROVIDER } from "../factories/alerts";

/**
 * The built-in "Runaway trace" rule against real ingested events: a trace passing 50 calls or
 * $5 within 24 hours fires once (with its team, calls and exact cost), a trace under both
 * limits never does, and the alert resolves once the trace's calls leave the window.
 */

let ingestKey: string;
let model: string;

/** `calls` events of `tokens` input tokens each ($1000/Mtok: tokens / 1000 USD) on one trace, a minute apart. */
async function traceOf(traceId: string, calls: number, tokens: number, start: string, team = "agents"): Promise<void> {
  const events = Array.from({ length: calls }, (_, i) =>
    contractEvent({
      timestamp: new Date(Date.parse(start) + i * 60_000).toISOString(),
      provider: PROVIDER,
      model,
      trace_id: traceId,
      usage: { input_tokens: tokens, output_tokens: 0 },
      tags: { team },
    }),
  );
  const response = await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events } }));
  expect(await response.json()).toMatchObject({ accepted: calls, rejected: 0 });
}

beforeAll(async () => {
  ingestKey = await createTestKey(["ingest"]);
  model = await createPricedModel();
});

describe("trace.runaway", () => {
  it("fires once for a trace past 50 calls, never for one under both limits, and resolves when it leaves the window", async () => {
    const loop = `tr-loop-${randomUUID()}`;
    const calm = `tr-calm-${randomUUID()}`;
    // 51 calls of 10 tokens ($0.01 each: $0.51) from 10:00; 50 calls of 90 tokens ($4.50) from 10:00.
    await traceOf(loop, 51, 10, "2026-11-20T10:00:00Z");
    await traceOf(calm, 50, 90, "2026-11-20T10:00:00Z", "search");

    const first = await evaluateAt("2026-11-20T12:00:00Z");
    const runaway = first.fired.filter((alert) => alert.type === "trace.runaway");
    expect(runaway).toEqual([
      expect.objectContaining({
        trace_id: loop,
        calls: 51,
        cost_usd: "0.510000000000",
        scope: { team: "agents" },
        first_call_at: "2026-11-20T10:00:00.000Z",
        last_call_at: "2026-11-20T10:50:00.000Z",
        message: `Trace ${loop} (team agents) ran away: 51 calls (limit 50) in 50 minutes, from 2026-11-20 10:00 UTC.`,
      }),
    ]);

    // More calls on the same trace: still the one alert.
    await traceOf(loop, 5, 10, "2026-11-20T12:30:00Z");
    const second = await evaluateAt("2026-11-20T13:00:00Z");
    expect(second.fired.filter((alert) => alert.type === "trace.runaway")).toEqual([]);
    expect(await prisma.alertEvent.count({ where: { type: "trace.runaway", payload: { path: ["trace_id"], equals: loop } } })).toBe(1);

    // A day later its calls are out of the window: resolved.
    const later = await evaluateAt("2026-11-21T14:00:00Z");
    expect(later.resolved.filter((alert) => alert.type === "trace.runaway").map((alert) => alert.id)).toEqual([runaway[0]?.id]);
  });

  it("fires for a trace past $5 with few calls", async () => {
    const costly = `tr-costly-${randomUUID()}`;
    // 3 calls of 2,000 tokens: $2 each, $6.
    await traceOf(costly, 3, 2_000, "2026-11-25T08:00:00Z");
    const result = await evaluateAt("2026-11-25T09:00:00Z");
    expect(result.fired.filter((alert) => alert.type === "trace.runaway").map((alert) => [alert.trace_id, alert.calls, alert.cost_usd])).toEqual([
      [costly, 3, "6.000000000000"],
    ]);
  });
});
