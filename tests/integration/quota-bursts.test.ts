import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/lib/auth/permissions";
import { prisma } from "@/lib/db";
import { createBurstRequest, decideBurstRequest, expireBursts, type BurstView } from "@/lib/quotas/bursts";
import { burstNotification, sendBurstNotification } from "@/lib/quotas/notify";
import { createTestKey } from "../factories/api-keys";
import { startReceiver, type Receiver } from "../factories/alerts";
import { createAllocation, decide, fileBurst, getBurst, listBursts, quotaPrincipal, type QuotaAuth } from "../factories/quotas";
import { createTestTeam, createTestUser, type TestTeam, type TestUser } from "../factories/users";
import { expectNever, waitUntil } from "../setup/wait-until";
import { formatDayTime } from "@/lib/format";

// The receivers run on 127.0.0.1: the outbound guard (lib/http/outbound.ts) reaches loopback only when listed.
process.env.BURNRATE_OUTBOUND_ALLOW = "127.0.0.1/32";

/**
 * Burst requests under concurrency (two admins deciding at once), expiry (the sweep, on
 * read, when a decision finds a request due) and the notifications sent to alert channels.
 */

let team: TestTeam;
let adminKey: QuotaAuth;
let admin1: TestUser;
let admin2: TestUser;
let lead: TestUser;
let adminPrincipal: Principal;
let leadPrincipal: Principal;
const as = (user: TestUser): QuotaAuth => ({ cookie: user.cookie });
const DAY_MS = 86_400_000;

beforeAll(async () => {
  team = await createTestTeam();
  adminKey = { key: await createTestKey(["admin"]) };
  admin1 = await createTestUser({ role: "admin" });
  admin2 = await createTestUser({ role: "admin" });
  lead = await createTestUser({ role: "team_lead", teams: [{ slug: team.slug, role: "lead" }] });
  adminPrincipal = await quotaPrincipal({ cookie: admin1.cookie });
  leadPrincipal = await quotaPrincipal({ cookie: lead.cookie });
  await createAllocation(adminKey, { team: team.slug, unit: "usd", amount: "100" });
});

async function actionsOf(id: string): Promise<[string, string][]> {
  const entries = await prisma.auditLog.findMany({ where: { targetId: id }, orderBy: { id: "asc" } });
  return entries.map((e) => [e.action, e.actorLabel]);
}

/** A pending request filed `daysAgo` days ago for a window that ended `endedDaysAgo` days ago (lib call with a past `now`). */
async function pastRequest(daysAgo: number, endedDaysAgo: number): Promise<BurstView> {
  const now = Date.now();
  return createBurstRequest(
    { principal: leadPrincipal, now: new Date(now - daysAgo * DAY_MS) },
    {
      team: team.slug,
      amount: "10",
      starts_at: new Date(now - daysAgo * DAY_MS).toISOString(),
      ends_at: new Date(now - endedDaysAgo * DAY_MS).toISOString(),
      reason: "last week's launch",
      expected_usage: null,
      notify: false,
    },
  );
}

describe("concurrent decisions", () => {
  it("two admins approving at once: exactly one 200 and one 409, one approval audited (8 rounds)", async () => {
    for (let round = 0; round < 8; round++) {
      const request = await fileBurst(as(lead), team.slug, { amount: "20" });
      const answers = await Promise.all([
        decide(as(admin1), request.id, "approve", { amount: "15" }),
        decide(as(admin2), request.id, "approve", { amount: "20" }),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      const winner = answers.find((a) => a.status === 200);
      const loser = answers.find((a) => a.status === 409);
      expect(loser?.body).toMatchObject({ error: { code: "conflict" } });
      const stored = (await getBurst(adminKey, request.id)).body;
      expect(stored).toMatchObject({ status: "approved", approved_amount: winner?.body.approved_amount, decided_by: winner?.body.decided_by });
      expect((await actionsOf(request.id)).filter(([action]) => action === "burst_request.approve")).toHaveLength(1);
    }
  });

  it("approve racing reject racing cancel: one wins, the state is the winner's", async () => {
    for (let round = 0; round < 4; round++) {
      const request = await fileBurst(as(lead), team.slug);
      const answers = await Promise.all([
        decide(as(admin1), request.id, "approve"),
        decide(as(admin2), request.id, "reject", { comment: "no" }),
        decide(as(lead), request.id, "cancel"),
      ]);
      const won = answers.filter((a) => a.status === 200);
      expect(won).toHaveLength(1);
      expect(answers.filter((a) => a.status === 409)).toHaveLength(2);
      expect((await getBurst(adminKey, request.id)).body.status).toBe(won[0]?.body.status);
      expect((await actionsOf(request.id)).map(([action]) => action)).toEqual(["burst_request.create", `burst_request.${{ approved: "approve", rejected: "reject", cancelled: "cancel" }[won[0]?.body.status as "approved"]}`]);
    }
  });

  it("six concurrent approvals of one request: one 200, five 409", async () => {
    const request = await fileBurst(as(lead), team.slug);
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => decide(i % 2 ? as(admin1) : as(admin2), request.id, "approve")));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
  });
});

describe("expiry", () => {
  it("expireBursts: a pending request becomes expired at ends_at exactly, audited by the system; approved ones never do", async () => {
    const now = Date.now();
    const ends = new Date(now + DAY_MS);
    const request = await createBurstRequest(
      { principal: leadPrincipal },
      { team: team.slug, amount: "10", starts_at: new Date(now).toISOString(), ends_at: ends.toISOString(), reason: "sweep me", expected_usage: null, notify: false },
    );
    const approved = await fileBurst(as(lead), team.slug, { ends_at: ends.toISOString() });
    await decide(as(admin1), approved.id, "approve");

    expect(await expireBursts({ now: new Date(ends.getTime() - 1) })).not.toContain(request.id);
    expect(await expireBursts({ now: ends })).toContain(request.id);
    expect(await expireBursts({ now: ends })).toEqual([]);
    const after = (await getBurst(adminKey, request.id)).body;
    expect(after).toMatchObject({ status: "expired", decided_by: null, decided_at: null });
    expect(after.team_usage).toBeUndefined();
    expect(await actionsOf(request.id)).toEqual([
      ["burst_request.create", lead.email],
      ["burst_request.expire", "system (burst expiry)"],
    ]);
    expect(await expireBursts({ now: new Date(ends.getTime() + 365 * DAY_MS) })).not.toContain(approved.id);
    expect((await getBurst(adminKey, approved.id)).body.status).toBe("approved");
  });

  it("listing expires what is due before answering", async () => {
    const due = await pastRequest(3, 1);
    expect((await prisma.burstRequest.findUniqueOrThrow({ where: { id: due.id } })).status).toBe("pending");
    const listed = (await listBursts(as(lead), { team: team.slug })).body.requests.find((r) => r.id === due.id);
    expect(listed).toMatchObject({ status: "expired" });
    expect((await listBursts(as(lead), { status: "pending" })).body.requests.map((r) => r.id)).not.toContain(due.id);
  });

  it("deciding a request found due: 409, and it is expired (not approved)", async () => {
    const due = await pastRequest(3, 1);
    const answer = await decide(as(admin1), due.id, "approve");
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: { code: "conflict", message: "This request's window has passed: it has expired." } });
    expect((await prisma.burstRequest.findUniqueOrThrow({ where: { id: due.id } })).status).toBe("expired");
    expect((await decide(as(lead), due.id, "cancel")).body).toMatchObject({ error: { code: "conflict" } });
    expect((await actionsOf(due.id)).map(([action]) => action)).toEqual(["burst_request.create", "burst_request.expire"]);
  });

  it("a burst approved while open stays approved after its window", async () => {
    const now = Date.now();
    const request = await pastRequest(3, 1);
    await decideBurstRequest({ principal: adminPrincipal, now: new Date(now - 2 * DAY_MS) }, { id: request.id, action: { kind: "approve" }, notify: false });
    expect((await getBurst(adminKey, request.id)).body).toMatchObject({ status: "approved", approved_amount: "10.000000000000" });
  });
});

describe("notifications through the alert channels", () => {
  let receiver: Receiver;
  let channelId: string;
  let disabledReceiver: Receiver;
  const SECRET = "quota-hook-secret";

  beforeAll(async () => {
    receiver = await startReceiver();
    disabledReceiver = await startReceiver();
    channelId = (await prisma.alertChannel.create({ data: { name: "quota hook", type: "webhook", target: receiver.url, secret: SECRET } })).id;
    await prisma.alertChannel.create({ data: { name: "off", type: "webhook", target: disabledReceiver.url, enabled: false } });
  });

  afterAll(async () => {
    await prisma.alertChannel.deleteMany({ where: { target: { in: [receiver.url, disabledReceiver.url] } } });
    await receiver.close();
    await disabledReceiver.close();
  });

  async function nextMessage(count: number): Promise<{ type: string; body: Record<string, unknown>; signature: string | undefined; raw: string }> {
    await waitUntil(() => receiver.requests.length >= count, { timeoutMs: 5_000, what: `notification #${count}` });
    const request = receiver.requests[count - 1];
    if (!request) throw new Error(`no notification #${count}`);
    return {
      type: String(request.headers["x-burnrate-event"]),
      body: JSON.parse(request.rawBody) as Record<string, unknown>,
      signature: request.headers["x-burnrate-signature"] as string | undefined,
      raw: request.rawBody,
    };
  }

  it("filing, approving and rejecting each notify every enabled channel (signed webhook); cancelling does not", async () => {
    const filed = await fileBurst(as(lead), team.slug, { amount: "42" });
    const first = await nextMessage(1);
    expect(first.type).toBe("quota.burst_requested");
    expect(first.signature).toBe(`sha256=${createHmac("sha256", SECRET).update(first.raw, "utf8").digest("hex")}`);
    expect(first.body).toMatchObject({
      type: "quota.burst_requested",
      scope: { team: team.slug },
      period_start: filed.starts_at,
      actor: lead.email,
      burst_request: { id: filed.id, status: "pending", amount: "42.000000000000" },
      url: expect.stringMatching(/\/quotas$/),
    });
    const window = `${formatDayTime(new Date(filed.starts_at))} – ${formatDayTime(new Date(filed.ends_at))}`;
    expect(first.body.message).toBe(`${lead.email} requested a burst of $42.00 for team ${team.slug} (${window}): Launch week traffic`);

    await decide(as(admin1), filed.id, "approve", { amount: "40", comment: "ok" });
    const second = await nextMessage(2);
    expect(second.body).toMatchObject({ type: "quota.burst_approved", actor: admin1.email, burst_request: { status: "approved", approved_amount: "40.000000000000" } });
    expect(second.body.message).toContain("approved a burst of $40.00 of the $42.00 requested");

    const other = await fileBurst(as(lead), team.slug);
    await nextMessage(3);
    await decide(as(admin2), other.id, "reject", { comment: "not now" });
    expect((await nextMessage(4)).body).toMatchObject({ type: "quota.burst_rejected", burst_request: { id: other.id, status: "rejected", decision_comment: "not now" } });

    const cancelled = await fileBurst(as(lead), team.slug);
    await nextMessage(5);
    await decide(as(lead), cancelled.id, "cancel");
    await expectNever(() => receiver.requests.length > 5 || disabledReceiver.requests.length > 0, 300, { what: "a notification of the cancel" });
    expect(receiver.requests).toHaveLength(5);
    expect(disabledReceiver.requests).toHaveLength(0);
  });

  it("a failing channel never fails the request; sendBurstNotification reports each channel", async () => {
    receiver.respondWith(500);
    const filed = await fileBurst(as(lead), team.slug);
    expect(filed.status).toBe("pending");
    const results = await sendBurstNotification(burstNotification("quota.burst_requested", filed, "tester", "http://burnrate.test"));
    expect(results).toEqual([{ channel_id: channelId, result: expect.objectContaining({ ok: false, status: 500 }) }]);
    receiver.respondWith(200);
  });
});
