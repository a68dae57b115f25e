import { beforeAll, describe, expect, it } from "vitest";
import { GET as listChannels, POST as createChannel } from "@/app/api/v1/alert-channels/route";
import { DELETE as deleteChannel, PATCH as patchChannel } from "@/app/api/v1/alert-channels/[id]/route";
import { POST as testChannel } from "@/app/api/v1/alert-channels/[id]/test/route";
import { GET as channelDeliveries } from "@/app/api/v1/alert-channels/[id]/deliveries/route";
import { GET as listRules } from "@/app/api/v1/alert-rules/route";
import { PATCH as patchRule } from "@/app/api/v1/alert-rules/[id]/route";
import { GET as listAlerts } from "@/app/api/v1/alerts/route";
import { POST as evaluate } from "@/app/api/v1/alerts/evaluate/route";
import { POST as acknowledge } from "@/app/api/v1/alerts/[id]/acknowledge/route";
import { prisma } from "@/lib/db";
import type { AlertView } from "@/lib/alerts/alerts";
import type { ChannelView } from "@/lib/alerts/channels";
import type { FiredAlert } from "@/lib/alerts/evaluate";
import type { RuleView } from "@/lib/alerts/rule-store";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { createPricedModel, evaluateAt, ingest } from "../factories/alerts";
import { createTestKeyFor, createTestTeam, createTestUser, detailPaths, read, routeParams, sessionRequest, uniqueSlug, type TestUser } from "../factories/users";

// Channels in this file point at 127.0.0.1: the outbound guard (lib/http/outbound.ts) reaches loopback only when listed.
process.env.BURNRATE_OUTBOUND_ALLOW = "127.0.0.1/32";

/**
 * The alerts API: who may do what (alerts:manage = finance and admin; reading alerts is
 * spend:read, team-scoped), the shapes the Alerts page reads, and validation.
 */

let ingestKey: string;
let adminKey: string;
let model: string;
let finance: TestUser;
let lead: TestUser;
let viewer: TestUser;
const TEAM_X = uniqueSlug("x");
const TEAM_Y = uniqueSlug("y");

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const call = (handler: Handler, path: string, user: TestUser, options: { method?: string; body?: unknown; id?: string } = {}) =>
  handler(sessionRequest(path, { cookie: user.cookie, method: options.method ?? "GET", body: options.body }), routeParams({ id: options.id ?? "" }));

beforeAll(async () => {
  ingestKey = await createTestKey(["ingest"]);
  adminKey = await createTestKey(["admin"]);
  model = await createPricedModel();
  finance = await createTestUser({ role: "finance" });
  lead = await createTestUser({ role: "team_lead", teams: [{ slug: TEAM_X, role: "lead" }] });
  viewer = await createTestUser({ role: "viewer", teams: [{ slug: TEAM_X, role: "member" }] });
});

describe("POST /api/v1/alerts/evaluate", () => {
  it("runs every rule now and answers {fired: [...]}, audited", async () => {
    const monthStart = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1);
    const at = new Date(Math.max(monthStart, Date.now() - 60_000)).toISOString();
    await ingest(ingestKey, model, [{ at, input: 10, model: "unpriced-now" }]);
    const { status, body } = await read<{ fired: FiredAlert[]; resolved: unknown[]; skipped: boolean }>(
      await call(evaluate, "/api/v1/alerts/evaluate", finance, { method: "POST" }),
    );
    expect(status).toBe(200);
    expect(body.skipped).toBe(false);
    expect(body.fired).toEqual([expect.objectContaining({ type: "spend.unpriced", unpriced_requests: 1, models: ["alertco/unpriced-now"] })]);
    expect(await prisma.auditLog.count({ where: { action: "alert.evaluate", actorUserId: finance.id } })).toBe(1);
  });
});

describe("authorization", () => {
  it("keeps channels, rules and evaluation to finance and admins", async () => {
    const channel = await read<ChannelView>(await createChannel(apiRequest("/api/v1/alert-channels", { key: adminKey, body: { type: "webhook", url: "http://127.0.0.1:9/x" } })));
    const rule = (await prisma.alertRule.findFirstOrThrow()).id;
    const readKey = await createTestKey(["read"]);
    for (const user of [lead, viewer]) {
      const attempts = [
        await call(createChannel, "/api/v1/alert-channels", user, { method: "POST", body: { type: "webhook", url: "https://example.test/h" } }),
        await call(listChannels, "/api/v1/alert-channels", user),
        await call(patchChannel, `/api/v1/alert-channels/${channel.body.id}`, user, { method: "PATCH", body: { enabled: false }, id: channel.body.id }),
        await call(deleteChannel, `/api/v1/alert-channels/${channel.body.id}`, user, { method: "DELETE", id: channel.body.id }),
        await call(testChannel, `/api/v1/alert-channels/${channel.body.id}/test`, user, { method: "POST", id: channel.body.id }),
        await call(channelDeliveries, `/api/v1/alert-channels/${channel.body.id}/deliveries`, user, { id: channel.body.id }),
        await call(listRules, "/api/v1/alert-rules", user),
        await call(patchRule, `/api/v1/alert-rules/${rule}`, user, { method: "PATCH", body: { enabled: false }, id: rule }),
        await call(evaluate, "/api/v1/alerts/evaluate", user, { method: "POST" }),
      ];
      expect(attempts.map((r) => r.status)).toEqual(Array.from({ length: attempts.length }, () => 403));
    }
    expect((await evaluate(apiRequest("/api/v1/alerts/evaluate", { key: readKey }), routeParams({}))).status).toBe(403);
    expect((await createChannel(apiRequest("/api/v1/alert-channels", { key: readKey, body: {} }))).status).toBe(403);
    expect((await prisma.alertChannel.findUniqueOrThrow({ where: { id: channel.body.id } })).enabled).toBe(true);
    await prisma.alertChannel.delete({ where: { id: channel.body.id } });
  });
});

describe("alert channels", () => {
  it("creates, lists, changes and deletes channels without ever answering a secret", async () => {
    const created = await read<ChannelView>(
      await call(createChannel, "/api/v1/alert-channels", finance, { method: "POST", body: { type: "webhook", url: "https://hooks.example.test/burnrate", secret: "top-secret-value" } }),
    );
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: "Webhook hooks.example.test",
      type: "webhook",
      url: "https://hooks.example.test/burnrate",
      email: null,
      has_secret: true,
      enabled: true,
      created_at: expect.any(String),
      rule_ids: [],
    });
    const slack = await read<ChannelView>(
      await call(createChannel, "/api/v1/alert-channels", finance, {
        method: "POST",
        body: { type: "slack", url: "https://hooks.slack.com/services/T000/B000/abcdefghijkl", name: "Finance Slack" },
      }),
    );
    expect(slack.body).toMatchObject({ name: "Finance Slack", type: "slack", url: "https://hooks.slack.com/services/T000/B000/…ijkl", has_secret: false });

    const list = await read<{ channels: ChannelView[] }>(await call(listChannels, "/api/v1/alert-channels", finance));
    // After the built-in in-app channel, which every installation has.
    expect(list.body.channels.map((c) => c.type)[0]).toBe("in_app");
    expect(list.body.channels.filter((c) => c.type !== "in_app").map((c) => c.id)).toEqual([created.body.id, slack.body.id]);
    const audits = await prisma.auditLog.findMany({ where: { targetType: "alert_channel" }, select: { before: true, after: true } });
    const everything = JSON.stringify(list.body) + JSON.stringify(audits);
    expect(everything).not.toContain("top-secret-value");
    expect(everything).not.toContain("abcdefghijkl");

    const id = created.body.id;
    const changed = await read<ChannelView>(await call(patchChannel, `/api/v1/alert-channels/${id}`, finance, { method: "PATCH", body: { name: "Ops", secret: null, enabled: false }, id }));
    expect(changed.body).toMatchObject({ id, name: "Ops", has_secret: false, enabled: false });
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: "alert_channel.update", targetId: id } });
    expect(audit).toMatchObject({ actorUserId: finance.id, before: { name: "Webhook hooks.example.test", has_secret: true }, after: { name: "Ops", has_secret: false, secret_changed: true } });

    const deleted = await read(await call(deleteChannel, `/api/v1/alert-channels/${id}`, finance, { method: "DELETE", id }));
    expect(deleted).toEqual({ status: 200, body: { id, deleted: true } });
    expect((await call(deleteChannel, `/api/v1/alert-channels/${id}`, finance, { method: "DELETE", id })).status).toBe(404);
    expect((await call(patchChannel, "/api/v1/alert-channels/not-a-uuid", finance, { method: "PATCH", body: { name: "x" }, id: "not-a-uuid" })).status).toBe(404);
    expect(await prisma.auditLog.count({ where: { actorUserId: finance.id, action: { in: ["alert_channel.create", "alert_channel.delete"] } } })).toBe(3);
    await prisma.alertChannel.delete({ where: { id: slack.body.id } });
  });

  it("refuses bad channels with 400 naming the field", async () => {
    const bad = async (body: unknown) => {
      const response = await read(await call(createChannel, "/api/v1/alert-channels", finance, { method: "POST", body }));
      expect(response.status).toBe(400);
      return detailPaths(response.body);
    };
    expect(await bad({ type: "webhook", url: "ftp://example.test/x" })).toEqual(["url"]);
    expect(await bad({ type: "webhook" })).toEqual(["url"]);
    expect(await bad({ type: "pager", url: "https://example.test" })).toEqual(["type"]);
    expect(await bad({ type: "webhook", url: "https://example.test", is_admin: true })).toEqual(["is_admin"]);
    expect(await bad({ type: "email", to: "ops@example.test" })).toEqual(["type"]);
    const patch = await read(await call(patchChannel, "/api/v1/alert-channels/00000000-0000-4000-8000-000000000000", finance, { method: "PATCH", body: {}, id: "00000000-0000-4000-8000-000000000000" }));
    expect(patch.status).toBe(400);
  });
});

describe("alert rules", () => {
  it("lists one default rule per type with effective params", async () => {
    const { status, body } = await read<{ rules: RuleView[] }>(await call(listRules, "/api/v1/alert-rules", finance));
    expect(status).toBe(200);
    expect(body.rules.map((r) => r.type).sort()).toEqual(
      ["budget_forecast", "budget_threshold", "cache_hit_rate_drop", "reconciliation_drift", "runaway_trace", "spend_spike", "tokens_per_request_jump", "unpriced_spend", "untagged_spend"],
    );
    const spike = body.rules.find((r) => r.type === "spend_spike");
    expect(spike).toEqual({
      id: expect.any(String),
      name: "Spend spike",
      type: "spend_spike",
      alert_type: "spend.spike",
      enabled: true,
      params: {},
      effective_params: { windows: ["hour", "day"], relative: 1, floor_usd: "5", baseline_days: 7, group_by: "team" },
      scope: null,
      budget_id: null,
      channel_ids: [],
      built_in: true,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    // listing again creates nothing
    expect((await read<{ rules: RuleView[] }>(await call(listRules, "/api/v1/alert-rules", finance))).body.rules).toHaveLength(9);
  });

  it("changes a rule: params merged and validated per type, scope, channels; audited", async () => {
    const rule = await prisma.alertRule.findFirstOrThrow({ where: { type: "spend_spike" } });
    const patch = (body: unknown) => call(patchRule, `/api/v1/alert-rules/${rule.id}`, finance, { method: "PATCH", body, id: rule.id });

    const invalid = await read(await patch({ params: { relative: -1, bogus: 1 } }));
    expect(invalid.status).toBe(400);
    expect(detailPaths(invalid.body).sort()).toEqual(["params.bogus", "params.relative"]);
    expect(detailPaths((await read(await patch({ channel_ids: ["00000000-0000-4000-8000-000000000000"] }))).body)).toEqual(["channel_ids.0"]);
    expect(detailPaths((await read(await patch({ scope: { squad: "x" } }))).body)).toEqual(["scope.squad"]);

    const first = await read<RuleView>(await patch({ params: { floor_usd: "20", windows: ["hour"] } }));
    expect(first.status).toBe(200);
    const second = await read<RuleView>(await patch({ params: { relative: 2, windows: null }, scope: { team: TEAM_X }, enabled: false }));
    expect(second.body).toMatchObject({
      enabled: false,
      params: { floor_usd: "20", relative: 2 },
      effective_params: { windows: ["hour", "day"], relative: 2, floor_usd: "20", baseline_days: 7, group_by: "team" },
      scope: { team: TEAM_X },
    });
    expect(await prisma.auditLog.count({ where: { action: "alert_rule.update", targetId: rule.id } })).toBe(2);
    const reset = await read<RuleView>(await patch({ params: { relative: null, floor_usd: null }, scope: null, enabled: true }));
    expect(reset.body).toMatchObject({ enabled: true, params: {}, scope: null });
    expect((await call(patchRule, "/api/v1/alert-rules/00000000-0000-4000-8000-000000000000", finance, { method: "PATCH", body: { enabled: true }, id: "00000000-0000-4000-8000-000000000000" })).status).toBe(404);
  });
});

describe("GET /api/v1/alerts and acknowledging: team-scoped", () => {
  let xAlert: AlertView;
  let yAlert: AlertView;

  beforeAll(async () => {
    await createTestTeam({ slug: TEAM_Y });
    await ingest(ingestKey, model, [
      { at: "2025-04-20T11:15:00Z", usd: "10", tags: { team: TEAM_X } },
      { at: "2025-04-20T11:15:00Z", usd: "10", tags: { team: TEAM_Y } },
      { at: "2025-04-20T11:15:00Z", usd: "10" }, // untagged: an org-wide alert
    ]);
    await evaluateAt("2025-04-20T12:30:00Z");
  });

  async function alertsAs(principal: { cookie?: string; key?: string }, query = "") {
    const path = `/api/v1/alerts${query}`;
    const request = principal.cookie ? sessionRequest(path, { cookie: principal.cookie }) : apiRequest(path, { key: principal.key, method: "GET" });
    return read<{ alerts: AlertView[] }>(await listAlerts(request));
  }

  it("shows finance everything, a team lead and a viewer only their teams' alerts", async () => {
    const all = await alertsAs(finance, "?from=2025-04-01&to=2025-05-01");
    expect(all.status).toBe(200);
    expect(all.body.alerts.map((a) => [a.type, a.scope.team ?? null]).sort()).toEqual(
      [
        ["spend.spike", TEAM_X],
        ["spend.spike", TEAM_X],
        ["spend.spike", TEAM_Y],
        ["spend.spike", TEAM_Y],
        ["spend.untagged", null],
      ].sort(),
    );
    xAlert = all.body.alerts.find((a) => a.scope.team === TEAM_X) as AlertView;
    yAlert = all.body.alerts.find((a) => a.scope.team === TEAM_Y) as AlertView;
    expect(xAlert).toEqual({
      id: expect.any(String),
      type: "spend.spike",
      state: "open",
      rule_id: expect.any(String),
      budget_id: null,
      scope: { team: TEAM_X },
      period_start: "2025-04-20T00:00:00.000Z",
      message: expect.stringContaining(`Spend spike (team ${TEAM_X}): $10.00`),
      payload: expect.objectContaining({ id: xAlert.id, type: "spend.spike", scope: { team: TEAM_X } }),
      fired_at: "2025-04-20T12:30:00.000Z",
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
      // The built-in in-app channel's: delivered with the alert, as a notification.
      deliveries: { pending: 0, delivered: 1, failed: 0 },
    });

    for (const user of [lead, viewer]) {
      const mine = await alertsAs(user, "?from=2025-04-01&to=2025-05-01");
      expect(mine.body.alerts.map((a) => a.scope.team)).toEqual([TEAM_X, TEAM_X]);
      expect((await alertsAs(user, `?team=${TEAM_Y}`)).body.alerts).toEqual([]);
    }
    const yKey = await createTestKeyFor({ scopes: ["read"], teamId: (await prisma.team.findUniqueOrThrow({ where: { slug: TEAM_Y } })).id });
    expect((await alertsAs({ key: yKey.secret }, "?from=2025-04-01&to=2025-05-01")).body.alerts.map((a) => a.scope.team)).toEqual([TEAM_Y, TEAM_Y]);
  });

  it("filters by state, type, team and time, and validates the query", async () => {
    expect((await alertsAs(finance, `?team=${TEAM_Y}&type=spend.spike`)).body.alerts).toHaveLength(2);
    expect((await alertsAs(finance, "?type=spend.untagged&from=2025-04-01&to=2025-05-01")).body.alerts).toHaveLength(1);
    expect((await alertsAs(finance, "?from=2025-04-21")).body.alerts.every((a) => a.fired_at >= "2025-04-21")).toBe(true);
    const bad = await alertsAs(finance, "?state=bogus&type=nope&since=1");
    expect(bad.status).toBe(400);
    expect(detailPaths(bad.body).sort()).toEqual(["since", "state", "type"]);
  });

  it("lets a lead acknowledge their team's alert, and not another team's (404)", async () => {
    const other = await read(await call(acknowledge, `/api/v1/alerts/${yAlert.id}/acknowledge`, lead, { method: "POST", id: yAlert.id }));
    expect(other.status).toBe(404);
    expect((await prisma.alertEvent.findUniqueOrThrow({ where: { id: yAlert.id } })).state).toBe("open");

    const mine = await read<AlertView>(await call(acknowledge, `/api/v1/alerts/${xAlert.id}/acknowledge`, lead, { method: "POST", id: xAlert.id }));
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ id: xAlert.id, state: "acknowledged", acknowledged_by: { id: lead.id, email: lead.email } });
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: TEAM_X } });
    expect(await prisma.auditLog.findFirstOrThrow({ where: { action: "alert.acknowledge", targetId: xAlert.id } })).toMatchObject({
      actorUserId: lead.id,
      teamId: team.id,
    });
    expect((await alertsAs(lead, "?state=acknowledged")).body.alerts.map((a) => a.id)).toEqual([xAlert.id]);
  });
});
