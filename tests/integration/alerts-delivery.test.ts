import { createHmac } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POST as createChannelRoute } from "@/app/api/v1/alert-channels/route";
import { PATCH as patchChannel } from "@/app/api/v1/alert-channels/[id]/route";
import { POST as testChannelRoute } from "@/app/api/v1/alert-channels/[id]/test/route";
import { GET as deliveriesRoute } from "@/app/api/v1/alert-channels/[id]/deliveries/route";
import { PATCH as patchRule } from "@/app/api/v1/alert-rules/[id]/route";
import { getPool, prisma } from "@/lib/db";
import { deliverPendingAlerts, slackMessage } from "@/lib/alerts/deliver";
import type { ChannelView, DeliveryView, TestResult } from "@/lib/alerts/channels";
import type { FiredAlert } from "@/lib/alerts/evaluate";
import { getSecret } from "@/lib/secrets";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { createPricedModel, evaluateAt, ingest, startReceiver, startSmtpServer, type Receiver } from "../factories/alerts";
import { read, routeParams } from "../factories/users";

// The receivers run on 127.0.0.1: the outbound guard (lib/http/outbound.ts) reaches loopback only when listed.
process.env.BURNRATE_OUTBOUND_ALLOW = "127.0.0.1/32";

/**
 * Deliveries to receivers this test starts on 127.0.0.1: signed webhooks (HMAC over the raw
 * body), Slack messages, email over SMTP, retries with backoff driven by `now`, the "send
 * test" button. Each test fires its alerts in a month of its own (an unpriced request is
 * the one condition in it) and removes its channels afterwards.
 */

let ingestKey: string;
let adminKey: string;
let model: string;
const receivers: Receiver[] = [];

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

async function createChannel(body: Record<string, unknown>): Promise<ChannelView> {
  const { status, body: channel } = await read<ChannelView>(await createChannelRoute(apiRequest("/api/v1/alert-channels", { key: adminKey, body })));
  expect(status).toBe(201);
  return channel;
}

/** One unpriced request in `month` (YYYY-MM), evaluated on the 10th: the one alert that fires. */
async function fireIn(month: string): Promise<{ alert: FiredAlert; now: Date }> {
  await ingest(ingestKey, model, [{ at: `${month}-05T10:00:00Z`, input: 10, model: `unpriced-${month}` }]);
  const now = new Date(`${month}-10T12:00:00Z`);
  const { fired } = await evaluateAt(now);
  expect(fired.map((a) => a.type)).toEqual(["spend.unpriced"]);
  return { alert: fired[0] as FiredAlert, now };
}

async function deliveriesOf(channelId: string): Promise<DeliveryView[]> {
  const { status, body } = await read<{ deliveries: DeliveryView[] }>(
    await deliveriesRoute(apiRequest(`/api/v1/alert-channels/${channelId}/deliveries`, { key: adminKey, method: "GET" }), routeParams({ id: channelId })),
  );
  expect(status).toBe(200);
  return body.deliveries;
}

const hmac = (body: string, secret: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

beforeAll(async () => {
  ingestKey = await createTestKey(["ingest"]);
  adminKey = await createTestKey(["admin"]);
  model = await createPricedModel();
});

afterEach(async () => {
  await prisma.alertChannel.deleteMany();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

afterAll(() => {
  delete process.env.BURNRATE_SMTP_URL;
});

describe("webhooks", () => {
  it("POSTs the alert's JSON signed with the channel's secret, exactly once", async () => {
    const hook = await receiver();
    const channel = await createChannel({ type: "webhook", url: hook.url, secret: "channel-secret-0123456789" });
    const { alert, now } = await fireIn("2024-01");

    const run = await deliverPendingAlerts(getPool(), now);
    expect(run).toMatchObject({ skipped: false, attempted: 1, delivered: 1, retrying: 0, failed: 0 });
    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-type"]).toBe("application/json");
    expect(request?.headers["x-burnrate-signature"]).toBe(hmac(request?.rawBody ?? "", "channel-secret-0123456789"));
    expect(request?.headers["x-burnrate-event"]).toBe("spend.unpriced");
    const body = JSON.parse(request?.rawBody ?? "{}") as Record<string, unknown>;
    expect(body).toEqual(alert);
    expect(body).toEqual({
      id: alert.id,
      type: "spend.unpriced",
      unpriced_requests: 1,
      models: ["alertco/unpriced-2024-01"],
      scope: {},
      period_start: "2024-01-01T00:00:00.000Z",
      message: "1 unpriced request this month from 1 model (alertco/unpriced-2024-01): add prices so this spend is counted.",
      url: "http://burnrate.test/prices",
    });

    expect(await deliveriesOf(channel.id)).toEqual([
      {
        id: request?.headers["x-burnrate-delivery"],
        alert_id: alert.id,
        alert_type: "spend.unpriced",
        alert_message: alert.message,
        status: "delivered",
        attempts: 1,
        next_attempt_at: null,
        response_status: 200,
        last_error: null,
        created_at: now.toISOString(),
        delivered_at: now.toISOString(),
      },
    ]);
    // Nothing more to send.
    expect(await deliverPendingAlerts(getPool(), new Date(now.getTime() + HOUR))).toMatchObject({ attempted: 0 });
    expect(hook.requests).toHaveLength(1);
  });

  it("signs with the installation's webhook secret when the channel has none", async () => {
    const hook = await receiver();
    const channel = await createChannel({ type: "webhook", url: hook.url });
    expect(channel.has_secret).toBe(false);
    const { now } = await fireIn("2024-03");
    await deliverPendingAlerts(getPool(), now);
    const [request] = hook.requests;
    expect(request?.headers["x-burnrate-signature"]).toBe(hmac(request?.rawBody ?? "", getSecret("webhookSigning")));
  });

  it("retries a failing receiver after 30 s, 2 min, 10 min, 1 h and 1 h, then gives up after 6 attempts", async () => {
    const hook = await receiver();
    hook.respondWith(500, "boom");
    const channel = await createChannel({ type: "webhook", url: hook.url, secret: "s" });
    const { now } = await fireIn("2024-05");

    let at = now.getTime();
    const waits = [30 * SECOND, 2 * MINUTE, 10 * MINUTE, HOUR, HOUR];
    for (const [index, wait] of waits.entries()) {
      const run = await deliverPendingAlerts(getPool(), new Date(at));
      expect(run).toMatchObject({ attempted: 1, retrying: 1, failed: 0 });
      expect(run.deliveries[0]).toMatchObject({ attempts: index + 1, status: "pending", response_status: 500, error: "HTTP 500" });
      expect(run.deliveries[0]?.next_attempt_at).toBe(new Date(at + wait).toISOString());
      // not a moment early
      expect(await deliverPendingAlerts(getPool(), new Date(at + wait - 1))).toMatchObject({ attempted: 0 });
      at += wait;
    }
    const last = await deliverPendingAlerts(getPool(), new Date(at));
    expect(last).toMatchObject({ attempted: 1, retrying: 0, failed: 1 });
    expect(hook.requests).toHaveLength(6);
    expect(await deliveriesOf(channel.id)).toEqual([
      expect.objectContaining({ status: "failed", attempts: 6, next_attempt_at: null, response_status: 500, last_error: "HTTP 500", delivered_at: null }),
    ]);
    expect(await deliverPendingAlerts(getPool(), new Date(at + 24 * HOUR))).toMatchObject({ attempted: 0 });
  });

  it("gives up on a receiver that does not answer in time, and on a disabled channel", async () => {
    const hook = await receiver();
    hook.respondWith("hang");
    const slow = await createChannel({ type: "webhook", url: hook.url });
    const other = await receiver();
    const disabled = await createChannel({ type: "webhook", url: other.url });
    const { now } = await fireIn("2024-07");
    await read(await patchChannel(apiRequest(`/api/v1/alert-channels/${disabled.id}`, { key: adminKey, method: "PATCH", body: { enabled: false } }), routeParams({ id: disabled.id })));

    const run = await deliverPendingAlerts(getPool(), now, { timeoutMs: 200 });
    expect(run.deliveries.find((d) => d.channel_id === slow.id)).toMatchObject({ status: "pending", attempts: 1, response_status: null, error: "no answer within 200 ms" });
    expect(run.deliveries.find((d) => d.channel_id === disabled.id)).toMatchObject({ status: "failed", attempts: 0, error: "channel disabled" });
    expect(other.requests).toHaveLength(0);
  });

  it("delivers only to the channels linked to the rule when some are", async () => {
    const linked = await receiver();
    const unlinked = await receiver();
    const linkedChannel = await createChannel({ type: "webhook", url: linked.url });
    await createChannel({ type: "webhook", url: unlinked.url });
    const rule = await prisma.alertRule.findFirstOrThrow({ where: { type: "unpriced_spend" } });
    const patched = await patchRule(
      apiRequest(`/api/v1/alert-rules/${rule.id}`, { key: adminKey, method: "PATCH", body: { channel_ids: [linkedChannel.id] } }),
      routeParams({ id: rule.id }),
    );
    expect(patched.status).toBe(200);
    const { now } = await fireIn("2024-09");
    await deliverPendingAlerts(getPool(), now);
    expect(linked.requests).toHaveLength(1);
    expect(unlinked.requests).toHaveLength(0);
    await prisma.alertRule.update({ where: { id: rule.id }, data: { channels: { set: [] } } });
  });
});

describe("Slack", () => {
  it("gets an incoming-webhook message", async () => {
    const hook = await receiver();
    await createChannel({ type: "slack", url: hook.url });
    const { alert, now } = await fireIn("2024-11");
    await deliverPendingAlerts(getPool(), now);
    expect(hook.requests).toHaveLength(1);
    const body = JSON.parse(hook.requests[0]?.rawBody ?? "{}") as unknown;
    expect(body).toEqual(slackMessage(alert));
    expect(body).toEqual({
      text: "Unpriced spend: 1 unpriced request this month from 1 model (alertco/unpriced-2024-11): add prices so this spend is counted.",
      blocks: [
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "*Unpriced spend*\n1 unpriced request this month from 1 model (alertco/unpriced-2024-11): add prices so this spend is counted.\n<http://burnrate.test/prices|Open in Burnrate>",
          },
        },
        { type: "context", elements: [{ type: "mrkdwn", text: "spend.unpriced · all spend · period from 2024-11-01" }] },
      ],
    });
    expect(hook.requests[0]?.headers["x-burnrate-signature"]).toBeUndefined();
  });
});

describe("email", () => {
  it("is refused without BURNRATE_SMTP_URL, and sent over SMTP with it", async () => {
    delete process.env.BURNRATE_SMTP_URL;
    const refused = await read(await createChannelRoute(apiRequest("/api/v1/alert-channels", { key: adminKey, body: { type: "email", to: "ops@example.test" } })));
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { code: "invalid_request", details: [{ path: "type" }] } });

    const smtp = await startSmtpServer();
    try {
      process.env.BURNRATE_SMTP_URL = smtp.url;
      const channel = await createChannel({ type: "email", to: "ops@example.test" });
      expect(channel).toMatchObject({ type: "email", email: "ops@example.test", url: null });
      const { alert, now } = await fireIn("2025-01");
      const run = await deliverPendingAlerts(getPool(), now);
      expect(run).toMatchObject({ delivered: 1 });
      expect(smtp.messages).toHaveLength(1);
      expect(smtp.messages[0]?.to).toEqual(["<ops@example.test>"]);
      expect(smtp.messages[0]?.data).toContain("Subject: [Burnrate] Unpriced spend: all spend");
      // quoted-printable: soft line breaks undone
      expect(smtp.messages[0]?.data.replace(/=\r\n/g, "")).toContain(alert.message);
    } finally {
      delete process.env.BURNRATE_SMTP_URL;
      await smtp.close();
    }
  });
});

describe("POST /api/v1/alert-channels/{id}/test", () => {
  it("sends a signed test message now and answers how it went", async () => {
    const hook = await receiver();
    const channel = await createChannel({ type: "webhook", url: hook.url, secret: "test-secret" });
    const ok = await read<TestResult>(
      await testChannelRoute(apiRequest(`/api/v1/alert-channels/${channel.id}/test`, { key: adminKey }), routeParams({ id: channel.id })),
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ ok: true, status_code: 200, error: null, duration_ms: expect.any(Number) });
    const [request] = hook.requests;
    expect(request?.headers["x-burnrate-signature"]).toBe(hmac(request?.rawBody ?? "", "test-secret"));
    expect(JSON.parse(request?.rawBody ?? "{}")).toMatchObject({ type: "test", scope: {}, message: "Test message from Burnrate: this channel receives alerts." });

    hook.respondWith(503, "down");
    const failed = await read<TestResult>(
      await testChannelRoute(apiRequest(`/api/v1/alert-channels/${channel.id}/test`, { key: adminKey }), routeParams({ id: channel.id })),
    );
    expect(failed.body).toMatchObject({ ok: false, status_code: 503, error: "HTTP 503" });
    // The status only: the receiver's body never comes back.
    expect(JSON.stringify(failed.body)).not.toContain("down");
    expect(await prisma.alertDelivery.count({ where: { channelId: channel.id } })).toBe(0);
    expect(await prisma.auditLog.count({ where: { action: "alert_channel.test", targetId: channel.id } })).toBe(2);
  });
});
