import { afterEach, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db";
import { startAlertScheduler, type AlertScheduler } from "@/lib/alerts/scheduler";
import { createTestKey } from "../factories/api-keys";
import { createPricedModel, ingest, startReceiver, type Receiver } from "../factories/alerts";
import { expectNever, waitUntil } from "../setup/wait-until";

// The receiver runs on 127.0.0.1: the outbound guard (lib/http/outbound.ts) reaches loopback only when listed.
process.env.BURNRATE_OUTBOUND_ALLOW = "127.0.0.1/32";

/** The server's schedule (scripts/start.ts): evaluate, then deliver, on a timer; stop() ends it. */

let scheduler: AlertScheduler | undefined;
let hook: Receiver | undefined;

afterEach(async () => {
  await scheduler?.stop();
  await hook?.close();
});

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
    await waitUntil(() => (hook?.requests.length ?? 0) > 0, { what: "the webhook" });
    expect(JSON.parse(hook.requests[0]?.rawBody ?? "{}")).toMatchObject({ type: "spend.unpriced", models: ["alertco/unpriced-scheduled"] });
    // The webhook's (the built-in in-app channel's delivery is written delivered with the alert).
    await waitUntil(async () => (await prisma.alertDelivery.count({ where: { status: "delivered", channelId: channel.id } })) === 1, {
      what: "the webhook's delivery to be recorded",
    });
    await scheduler.stop();
    const events = await prisma.alertEvent.count();
    // Three intervals after stop(): a timer still running would have evaluated or sent again.
    await expectNever(async () => (await prisma.alertEvent.count()) !== events || (hook?.requests.length ?? 0) > 1, 300, {
      what: "a run after stop()",
    });
    expect(hook.requests).toHaveLength(1);
    expect(lines.filter((line) => line.includes("failed"))).toEqual([]);
  });
});
