import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as listNotificationsRoute } from "@/app/api/v1/notifications/route";
import { POST as markReadRoute } from "@/app/api/v1/notifications/read/route";
import { GET as badgesRoute } from "@/app/api/v1/badges/route";
import { GET as listChannelsRoute } from "@/app/api/v1/alert-channels/route";
import { DELETE as deleteChannelRoute, PATCH as patchChannelRoute } from "@/app/api/v1/alert-channels/[id]/route";
import { POST as testChannelRoute } from "@/app/api/v1/alert-channels/[id]/test/route";
import { POST as postRuleRoute } from "@/app/api/v1/alert-rules/route";
import { alertTitle } from "@/lib/alerts/deliver";
import type { ChannelView, TestResult } from "@/lib/alerts/channels";
import type { FiredAlert } from "@/lib/alerts/evaluate";
import { getPool } from "@/lib/db";
import type { BadgesJson, NotificationItem, NotificationPageJson } from "@/lib/schemas/notifications";
import { createTestKey, apiRequest } from "../factories/api-keys";
import { createPricedModel, evaluateAt, ingest } from "../factories/alerts";
import { createAllocation, decide, fileBurst, type QuotaAuth } from "../factories/quotas";
import { createTestTeam, createTestUser, detailPaths, read, routeParams, sessionRequest, uniqueSlug, type TestUser } from "../factories/users";

/**
 * The in-app channel end to end: what the evaluator and burst requests write, who sees
 * which notification (team scope, admins-only, never the actor), read marks and the
 * unread count, the badges, refusals (API keys, bad input), and the built-in channel
 * itself (off: nothing written; not deletable; no URL).
 */

const TEAM_X = uniqueSlug("notex");
const TEAM_Y = uniqueSlug("notey");

let ingestKey: string;
let adminKey: string;
let model: string;
let admin: TestUser;
let admin2: TestUser;
let finance: TestUser;
let leadX: TestUser;
let viewerX: TestUser;
let leadY: TestUser;

const as = (user: TestUser): QuotaAuth => ({ cookie: user.cookie });

async function notificationsOf(user: TestUser, query = "") {
  return read<NotificationPageJson>(await listNotificationsRoute(sessionRequest(`/api/v1/notifications${query}`, { cookie: user.cookie })));
}

async function markRead(user: TestUser, body: unknown) {
  return read<{ marked: number; unread_count: number }>(
    await markReadRoute(sessionRequest("/api/v1/notifications/read", { cookie: user.cookie, method: "POST", body })),
  );
}

async function badgesOf(user: TestUser) {
  return read<BadgesJson>(await badgesRoute(sessionRequest("/api/v1/badges", { cookie: user.cookie })));
}

/** Each user's unread count, by name, as GET /api/v1/notifications answers it. */
async function unreadCounts(users: Record<string, TestUser>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [name, user] of Object.entries(users)) counts[name] = (await notificationsOf(user)).body.unread_count;
  return counts;
}

/** The notifications of one alert event, straight from the table. */
async function notificationRows(where: string, params: unknown[]) {
  const result = await getPool().query<{ id: string; kind: string; team: string | null; audience: string; alert_event_id: string | null; burst_request_id: string | null }>(
    `SELECT id::text, kind, team, audience::text AS audience, alert_event_id::text, burst_request_id::text FROM notifications WHERE ${where} ORDER BY created_at, id`,
    params,
  );
  return result.rows;
}

/** An instant inside the current UTC month, a minute ago (or the month's first instant right after midnight on the 1st). */
function aMinuteAgoThisMonth(): string {
  const now = new Date();
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  return new Date(Math.max(monthStart, now.getTime() - 60_000)).toISOString();
}

async function inAppChannel(): Promise<ChannelView> {
  const { body } = await read<{ channels: ChannelView[] }>(await listChannelsRoute(sessionRequest("/api/v1/alert-channels", { cookie: finance.cookie })));
  const builtIn = body.channels.filter((channel) => channel.type === "in_app");
  expect(builtIn).toHaveLength(1);
  return builtIn[0] as ChannelView;
}

beforeAll(async () => {
  ingestKey = await createTestKey(["ingest"]);
  adminKey = await createTestKey(["admin"]);
  model = await createPricedModel();
  await createTestTeam({ slug: TEAM_X });
  await createTestTeam({ slug: TEAM_Y });
  admin = await createTestUser({ role: "admin" });
  admin2 = await createTestUser({ role: "admin" });
  finance = await createTestUser({ role: "finance" });
  leadX = await createTestUser({ role: "team_lead", teams: [{ slug: TEAM_X, role: "lead" }] });
  viewerX = await createTestUser({ role: "viewer", teams: [{ slug: TEAM_X, role: "member" }] });
  leadY = await createTestUser({ role: "team_lead", teams: [{ slug: TEAM_Y, role: "lead" }] });
});

const everyone = () => ({ admin, admin2, finance, leadX, viewerX, leadY });

// The scenarios build on each other, in order: the unread counts below are exact.
let orgAlert: FiredAlert;
let teamAlert: FiredAlert;
let requestedId: string;

describe("alerts fired by the evaluator", () => {
  it("writes exactly one notification per alert, dated when it fired, however often the rules run", async () => {
    const rule = await read<{ id: string }>(
      await postRuleRoute(sessionRequest("/api/v1/alert-rules", { cookie: finance.cookie, method: "POST", body: { type: "unpriced_spend", scope: { team: TEAM_X } } })),
    );
    expect(rule.status).toBe(201);
    await ingest(ingestKey, model, [{ at: aMinuteAgoThisMonth(), input: 10, model: "unpriced-bell", tags: { team: TEAM_X } }]);

    const now = new Date();
    const run = await evaluateAt(now);
    expect(run.fired.map((alert) => [alert.type, alert.scope.team ?? null]).sort()).toEqual(
      [
        ["spend.unpriced", null],
        ["spend.unpriced", TEAM_X],
      ].sort(),
    );
    orgAlert = run.fired.find((alert) => !alert.scope.team) as FiredAlert;
    teamAlert = run.fired.find((alert) => alert.scope.team === TEAM_X) as FiredAlert;

    // Evaluating again in the same period fires nothing and writes nothing.
    expect((await evaluateAt(new Date(now.getTime() + 60_000))).fired).toEqual([]);

    const rows = await notificationRows("kind = 'alert'", []);
    expect(rows.map((row) => row.alert_event_id).sort()).toEqual([orgAlert.id, teamAlert.id].sort());
    expect(rows.map((row) => [row.alert_event_id, row.team, row.audience]).sort()).toEqual(
      [
        [orgAlert.id, null, "scoped"],
        [teamAlert.id, TEAM_X, "scoped"],
      ].sort(),
    );

    const { status, body } = await notificationsOf(finance);
    expect(status).toBe(200);
    const byAlert = (id: string) => body.notifications.find((n) => n.link === `/alerts?id=${id}`);
    expect(byAlert(teamAlert.id)).toEqual({
      id: expect.any(String),
      kind: "alert",
      team: TEAM_X,
      title: alertTitle("spend.unpriced"),
      message: teamAlert.message,
      link: `/alerts?id=${teamAlert.id}`,
      created_at: now.toISOString(),
      read: false,
    } satisfies NotificationItem);
    expect(byAlert(orgAlert.id)).toMatchObject({ kind: "alert", team: null, message: orgAlert.message, read: false });
  });

  it("shows finance and admins every alert; a team's lead and viewer only that team's; other leads none", async () => {
    const links = async (user: TestUser) => (await notificationsOf(user)).body.notifications.map((n) => n.link).sort();
    const both = [`/alerts?id=${orgAlert.id}`, `/alerts?id=${teamAlert.id}`].sort();
    expect(await links(finance)).toEqual(both);
    expect(await links(admin)).toEqual(both);
    expect(await links(admin2)).toEqual(both);
    expect(await links(leadX)).toEqual([`/alerts?id=${teamAlert.id}`]);
    expect(await links(viewerX)).toEqual([`/alerts?id=${teamAlert.id}`]);
    expect(await links(leadY)).toEqual([]);
    expect(await unreadCounts(everyone())).toEqual({ admin: 2, admin2: 2, finance: 2, leadX: 1, viewerX: 1, leadY: 0 });
  });
});

describe("burst requests", () => {
  beforeAll(async () => {
    await createAllocation({ key: adminKey }, { team: TEAM_X, unit: "usd", amount: "100" });
  });

  it("a filed request reaches the admins only, never the lead who filed it", async () => {
    const filed = await fileBurst(as(leadX), TEAM_X);
    requestedId = filed.id;
    const rows = await notificationRows("burst_request_id = $1::uuid", [filed.id]);
    expect(rows.map((row) => [row.kind, row.team, row.audience])).toEqual([["burst_requested", TEAM_X, "admins"]]);

    const adminView = (await notificationsOf(admin)).body.notifications[0];
    expect(adminView).toMatchObject({ kind: "burst_requested", team: TEAM_X, title: "Burst request waiting for a decision", link: `/quotas?request=${filed.id}`, read: false });
    for (const user of [finance, leadX, viewerX, leadY]) {
      expect((await notificationsOf(user)).body.notifications.some((n) => n.kind === "burst_requested")).toBe(false);
    }
    expect(await unreadCounts(everyone())).toEqual({ admin: 3, admin2: 3, finance: 2, leadX: 1, viewerX: 1, leadY: 0 });
  });

  it("badges: the pending count for admins, null for finance and leads", async () => {
    expect(await badgesOf(admin)).toEqual({ status: 200, body: { unread_notifications: 3, pending_burst_requests: 1 } });
    expect(await badgesOf(finance)).toEqual({ status: 200, body: { unread_notifications: 2, pending_burst_requests: null } });
    expect(await badgesOf(leadX)).toEqual({ status: 200, body: { unread_notifications: 1, pending_burst_requests: null } });
  });

  it("an approval reaches the team's lead and viewer and finance, not the deciding admin nor another team", async () => {
    expect((await decide(as(admin), requestedId, "approve", { comment: "go" })).status).toBe(200);
    const rows = await notificationRows("burst_request_id = $1::uuid AND kind = 'burst_approved'", [requestedId]);
    expect(rows.map((row) => [row.team, row.audience])).toEqual([[TEAM_X, "scoped"]]);

    const leadView = (await notificationsOf(leadX)).body.notifications[0];
    expect(leadView).toMatchObject({ kind: "burst_approved", team: TEAM_X, title: "Burst request approved", link: `/quotas?team=${TEAM_X}`, read: false });
    expect((await notificationsOf(admin)).body.notifications.some((n) => n.kind === "burst_approved")).toBe(false);
    expect((await notificationsOf(leadY)).body.notifications).toEqual([]);
    expect(await unreadCounts(everyone())).toEqual({ admin: 3, admin2: 4, finance: 3, leadX: 2, viewerX: 2, leadY: 0 });
    expect((await badgesOf(admin)).body).toEqual({ unread_notifications: 3, pending_burst_requests: 0 });
  });

  it("a rejection likewise, not to the admin who rejected it", async () => {
    const second = await fileBurst(as(leadX), TEAM_X, { amount: "7" });
    expect((await badgesOf(admin2)).body.pending_burst_requests).toBe(1);
    expect((await decide(as(admin2), second.id, "reject", { comment: "not now" })).status).toBe(200);
    const kinds = (await notificationRows("burst_request_id = $1::uuid", [second.id])).map((row) => row.kind);
    expect(kinds).toEqual(["burst_requested", "burst_rejected"]);
    expect((await notificationsOf(viewerX)).body.notifications[0]).toMatchObject({ kind: "burst_rejected", title: "Burst request rejected" });
    expect((await notificationsOf(admin2)).body.notifications.some((n) => n.kind === "burst_rejected")).toBe(false);
    // admin: +1 requested, +1 rejected; admin2: +1 requested (the rejection is its own).
    expect(await unreadCounts(everyone())).toEqual({ admin: 5, admin2: 5, finance: 4, leadX: 3, viewerX: 3, leadY: 0 });
  });
});

describe("read marks", () => {
  it("marks the given ids the user may see, ignores the others, and lowers the unread count", async () => {
    const before = await notificationsOf(leadX);
    expect(before.body.unread_count).toBe(3);
    expect(before.body.notifications.map((n) => n.kind)).toEqual(["burst_rejected", "burst_approved", "alert"]);
    const alertNotice = before.body.notifications[2] as NotificationItem;
    const adminsOnly = (await notificationRows("burst_request_id = $1::uuid AND kind = 'burst_requested'", [requestedId]))[0]?.id as string;
    expect(adminsOnly).toEqual(expect.any(String));

    // Someone else's (admins only) and an unknown id: ignored, never revealed.
    expect(await markRead(leadX, { ids: [alertNotice.id, adminsOnly, randomUUID()] })).toEqual({ status: 200, body: { marked: 1, unread_count: 2 } });
    expect(await markRead(leadX, { ids: [alertNotice.id] })).toEqual({ status: 200, body: { marked: 0, unread_count: 2 } });
    expect(await markRead(leadX, { ids: [adminsOnly] })).toEqual({ status: 200, body: { marked: 0, unread_count: 2 } });

    const after = await notificationsOf(leadX);
    expect(after.body.notifications.map((n) => [n.kind, n.read])).toEqual([
      ["burst_rejected", false],
      ["burst_approved", false],
      ["alert", true],
    ]);
    const unreadOnly = await notificationsOf(leadX, "?unread=true");
    expect(unreadOnly.body).toEqual({ notifications: after.body.notifications.filter((n) => !n.read), unread_count: 2 });
    expect((await notificationsOf(leadX, "?limit=1")).body.notifications.map((n) => n.kind)).toEqual(["burst_rejected"]);
    expect((await badgesOf(leadX)).body.unread_notifications).toBe(2);
    // The admins-only one is still unread for the admins; read marks are per user.
    expect(await unreadCounts({ admin, viewerX })).toEqual({ admin: 5, viewerX: 3 });
  });

  it("marks everything visible read with {all: true}", async () => {
    expect(await markRead(leadX, { all: true })).toEqual({ status: 200, body: { marked: 2, unread_count: 0 } });
    expect(await markRead(leadX, { all: true })).toEqual({ status: 200, body: { marked: 0, unread_count: 0 } });
    expect((await notificationsOf(leadX)).body.notifications.every((n) => n.read)).toBe(true);
    expect((await notificationsOf(leadX, "?unread=true")).body).toEqual({ notifications: [], unread_count: 0 });
    expect(await markRead(finance, { all: true })).toEqual({ status: 200, body: { marked: 4, unread_count: 0 } });
    expect(await unreadCounts(everyone())).toEqual({ admin: 5, admin2: 5, finance: 0, leadX: 0, viewerX: 3, leadY: 0 });
  });
});

describe("refusals", () => {
  it("answers 403 to API keys (even admin keys) and 401 to nobody on all three routes", async () => {
    const readKey = await createTestKey(["read"]);
    for (const key of [adminKey, readKey]) {
      const answers = [
        await listNotificationsRoute(apiRequest("/api/v1/notifications", { key, method: "GET" })),
        await markReadRoute(apiRequest("/api/v1/notifications/read", { key, body: { all: true } })),
        await badgesRoute(apiRequest("/api/v1/badges", { key, method: "GET" })),
      ];
      expect(answers.map((response) => response.status)).toEqual([403, 403, 403]);
    }
    const anonymous = [
      await listNotificationsRoute(apiRequest("/api/v1/notifications", { method: "GET" })),
      await markReadRoute(apiRequest("/api/v1/notifications/read", { body: { all: true } })),
      await badgesRoute(apiRequest("/api/v1/badges", { method: "GET" })),
    ];
    expect(anonymous.map((response) => response.status)).toEqual([401, 401, 401]);
    expect(await unreadCounts({ admin })).toEqual({ admin: 5 });
  });

  it("answers 400 naming the field for a bad query or body", async () => {
    for (const [query, field] of [
      ["?limit=0", "limit"],
      ["?limit=101", "limit"],
      ["?limit=abc", "limit"],
      ["?unread=maybe", "unread"],
      ["?since=yesterday", "since"],
    ] as const) {
      const { status, body } = await notificationsOf(viewerX, query);
      expect(status, query).toBe(400);
      expect(detailPaths(body), query).toEqual([field]);
    }
    for (const [payload, field] of [
      [{ ids: [] }, "ids"],
      [{ ids: ["x"] }, "ids.0"],
      [{}, "ids"],
      [{ all: false }, "all"],
      [{ ids: [randomUUID()], all: true }, "ids"],
      [{ all: true, extra: 1 }, "extra"],
    ] as const) {
      const { status, body } = await markRead(viewerX, payload);
      expect(status, JSON.stringify(payload)).toBe(400);
      expect(detailPaths(body), JSON.stringify(payload)).toEqual([field]);
    }
    expect(await unreadCounts({ viewerX })).toEqual({ viewerX: 3 });
  });
});

describe("the built-in in-app channel", () => {
  it("is listed without a URL, cannot be deleted (409) nor given a URL, recipient or secret (400 naming it)", async () => {
    const channel = await inAppChannel();
    expect(channel).toMatchObject({ type: "in_app", url: null, email: null, has_secret: false, enabled: true });
    const id = channel.id;
    const patch = (body: unknown) =>
      patchChannelRoute(sessionRequest(`/api/v1/alert-channels/${id}`, { cookie: admin.cookie, method: "PATCH", body }), routeParams({ id })).then((r) => read(r));

    const deleted = await read(await deleteChannelRoute(sessionRequest(`/api/v1/alert-channels/${id}`, { cookie: admin.cookie, method: "DELETE" }), routeParams({ id })));
    expect(deleted.status).toBe(409);
    for (const [body, field] of [
      [{ url: "https://hooks.example.test/x" }, "url"],
      [{ to: "ops@example.test" }, "to"],
      [{ secret: "0123456789abcdef0123" }, "secret"],
    ] as const) {
      const answer = await patch(body);
      expect(answer.status, field).toBe(400);
      expect(detailPaths(answer.body), field).toEqual([field]);
    }
    expect(await inAppChannel()).toEqual(channel);
  });

  it("switched off, the evaluator and burst requests write no notification; switched on again, they do", async () => {
    const { id } = await inAppChannel();
    const setEnabled = async (enabled: boolean) => {
      const answer = await read<ChannelView>(
        await patchChannelRoute(sessionRequest(`/api/v1/alert-channels/${id}`, { cookie: admin.cookie, method: "PATCH", body: { enabled } }), routeParams({ id })),
      );
      expect(answer).toMatchObject({ status: 200, body: { enabled } });
    };
    const before = (await notificationRows("true", [])).length;

    await setEnabled(false);
    await ingest(ingestKey, model, [{ at: "2025-03-05T10:00:00Z", input: 10, model: "unpriced-bell", tags: { team: TEAM_X } }]);
    const off = await evaluateAt("2025-03-10T12:00:00Z");
    expect(off.fired.map((alert) => alert.type)).toEqual(["spend.unpriced", "spend.unpriced"]);
    const offIds = off.fired.map((alert) => alert.id);
    expect(await notificationRows("alert_event_id = ANY($1::uuid[])", [offIds])).toEqual([]);
    const deliveries = await getPool().query("SELECT 1 FROM alert_deliveries WHERE alert_event_id = ANY($1::uuid[])", [offIds]);
    expect(deliveries.rowCount).toBe(0);
    const quiet = await fileBurst(as(leadX), TEAM_X, { amount: "3" });
    expect(await notificationRows("burst_request_id = $1::uuid", [quiet.id])).toEqual([]);
    expect((await notificationRows("true", [])).length).toBe(before);

    await setEnabled(true);
    await ingest(ingestKey, model, [{ at: "2025-04-05T10:00:00Z", input: 10, model: "unpriced-bell", tags: { team: TEAM_X } }]);
    const on = await evaluateAt("2025-04-10T12:00:00Z");
    expect(on.fired).toHaveLength(2);
    const onRows = await notificationRows("alert_event_id = ANY($1::uuid[])", [on.fired.map((alert) => alert.id)]);
    expect(onRows.map((row) => row.alert_event_id).sort()).toEqual(on.fired.map((alert) => alert.id).sort());
    // Dated when they fired (April 2025): before these accounts existed, so listed but not unread.
    const financeList = (await notificationsOf(finance)).body;
    expect(financeList.unread_count).toBe(0);
    expect(financeList.notifications.filter((n) => n.created_at === "2025-04-10T12:00:00.000Z").map((n) => n.read)).toEqual([true, true]);
  });

  it("sends a test notification to those who see organisation-wide ones", async () => {
    const { id } = await inAppChannel();
    const answer = await read<TestResult>(
      await testChannelRoute(sessionRequest(`/api/v1/alert-channels/${id}/test`, { cookie: admin.cookie, method: "POST" }), routeParams({ id })),
    );
    expect(answer).toMatchObject({ status: 200, body: { ok: true, status_code: null, error: null } });
    const [newest] = (await notificationsOf(finance)).body.notifications;
    expect(newest).toMatchObject({ kind: "test", team: null, link: "/alerts", read: false });
    expect((await notificationsOf(leadX)).body.notifications.some((n) => n.kind === "test")).toBe(false);
    expect(await unreadCounts({ finance, leadX })).toEqual({ finance: 1, leadX: 0 });
  });
});

describe("an installation without the in-app channel row yet (restored from before it)", () => {
  it("creates the channel, on, when a burst request is filed, and notifies the admins", async () => {
    await getPool().query("DELETE FROM alert_channels WHERE type = 'in_app'");
    const filed = await fileBurst(as(leadX), TEAM_X);
    const rows = await notificationRows("burst_request_id = $1::uuid", [filed.id]);
    expect(rows.map((row) => [row.kind, row.audience])).toEqual([["burst_requested", "admins"]]);
    const channels = await getPool().query<{ enabled: boolean }>("SELECT enabled FROM alert_channels WHERE type = 'in_app'");
    expect(channels.rows).toEqual([{ enabled: true }]);
  });
});
