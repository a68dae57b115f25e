import { afterEach, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db";
import { startAlertScheduler, type AlertScheduler } from "@/lib/alerts/scheduler";
import { createTestKey } from "../factories/api-keys";
import { createPricedModel, ingest, startReceiver, type Receiver } from "../factories/alerts";

// The receiver runs on 127.0.0.1: the outbound guard (lib/http/outbound.ts) reaches loopback only when listed.
process.env.BURNRATE_OUTBOUND_ALLOW = "127.0.0.1/32";

/** The server's schedule (scripts/start.ts): evaluate, then deliver, on a timer; stop() ends it. */

let scheduler: AlertScheduler | undefined;
let hook: Receiver | undefined;

afterEach(async () => {
  await scheduler?.stop();
  await hook?.close();
});

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("startAlertScheduler", () => {
  it("evaluates and delivers on its own, and stops cleanly", async () => {
    const ingestKey = await createTestKey(["ingest"]);
    const model = await createPricedModel();
    hook = await startReceiver();
    const channel = await prisma.alertChannel.create({ data: { name: "hook", type: "webhook", target: hook.url } });
    const monthStart = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1);
    await ingest(ingestKey, model, [{ at: new Date(Math.max(monthStart, Date.now() - 60_000)).toISOString(), input: 10, model: "unpriced-scheduled" }]);

    const lines: string[] = [];
    scheduler = startAlertScheduler({ intervalMs: 100, log: (line) => lines.push(line), error: (line) => lines.push(line) });
    await until(async () => (hook?.requests.length ?? 0) > 0);
    expect(JSON.parse(hook.requests[0]?.rawBody ?? "{}")).toMatchObject({ type: "spend.unpriced", models: ["alertco/unpriced-scheduled"] });
    // The webhook's (the built-in in-app channel's delivery is written delivered with the alert).
    await until(async () => (await prisma.alertDelivery.count({ where: { status: "delivered", channelId: channel.id } })) === 1);
    await scheduler.stop();
    const events = await prisma.alertEvent.count();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await prisma.alertEvent.count()).toBe(events);
    expect(hook.requests).toHaveLength(1);
    expect(lines.filter((line) => line.includes("failed"))).toEqual([]);
  });
});
