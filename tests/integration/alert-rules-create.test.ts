import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { DELETE as deleteRuleRoute, PATCH as patchRule } from "@/app/api/v1/alert-rules/[id]/route";
import { GET as listRulesRoute, POST as postRule } from "@/app/api/v1/alert-rules/route";
import { prisma } from "@/lib/db";
import type { RuleView } from "@/lib/alerts/rule-store";
import { apiRequest } from "../factories/api-keys";
import { createPricedModel, evaluateAt, ingest } from "../factories/alerts";
import { createTestKeyFor, createTestUser, detailPaths, read, routeParams, sessionRequest, uniqueSlug, type TestUser } from "../factories/users";

/**
 * POST /api/v1/alert-rules (rules people add: scoped to a team or a budget, routed to
 * channels) and DELETE /api/v1/alert-rules/{id} (only rules people added).
 */

let finance: TestUser;
let lead: TestUser;
let viewer: TestUser;
let channelA: string;
let channelB: string;
const TEAM = uniqueSlug("rules");

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;
const as = (user: TestUser, handler: Handler, path: string, options: { method?: string; body?: unknown; id?: string } = {}) =>
  handler(sessionRequest(path, { cookie: user.cookie, method: options.method ?? "GET", body: options.body }), routeParams({ id: options.id ?? "" }));
const create = (body: unknown, user: TestUser = finance) => as(user, postRule, "/api/v1/alert-rules", { method: "POST", body }).then((r) => read<RuleView>(r));
const remove = (id: string, user: TestUser = finance) => as(user, deleteRuleRoute, `/api/v1/alert-rules/${id}`, { method: "DELETE", id }).then((r) => read(r));

beforeAll(async () => {
  finance = await createTestUser({ role: "finance" });
  lead = await createTestUser({ role: "team_lead" });
  viewer = await createTestUser({ role: "viewer" });
  channelA = (await prisma.alertChannel.create({ data: { name: "rules-a", type: "webhook", target: "http://127.0.0.1:9/a" } })).id;
  channelB = (await prisma.alertChannel.create({ data: { name: "rules-b", type: "webhook", target: "http://127.0.0.1:9/b" } })).id;
});

describe("POST /api/v1/alert-rules", () => {
  it("adds a team-scoped rule routed to chosen channels, after the built-in ones; audited", async () => {
    const { status, body } = await create({ type: "spend_spike", params: { relative: 2, windows: ["hour"] }, scope: { team: TEAM }, channel_ids: [channelA, channelB, channelA] });
    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.any(String),
      name: `Spend spike (team ${TEAM})`,
      type: "spend_spike",
      alert_type: "spend.spike",
      enabled: true,
      params: { relative: 2, windows: ["hour"] },
      effective_params: { windows: ["hour"], relative: 2, floor_usd: "5", baseline_days: 7, group_by: "team" },
      scope: { team: TEAM },
      budget_id: null,
      channel_ids: expect.arrayContaining([channelA, channelB]),
      built_in: false,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(body.channel_ids).toHaveLength(2);

    const list = await read<{ rules: RuleView[] }>(await as(finance, listRulesRoute, "/api/v1/alert-rules"));
    const spikes = list.body.rules.filter((r) => r.type === "spend_spike");
    expect(spikes.map((r) => [r.name, r.built_in])).toEqual([
      ["Spend spike", true],
      [`Spend spike (team ${TEAM})`, false],
    ]);
    expect(list.body.rules.filter((r) => r.built_in)).toHaveLength(9);

    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: "alert_rule.create", targetId: body.id } });
    expect(audit).toMatchObject({ actorUserId: finance.id, targetType: "alert_rule" });
    expect(audit.after).toMatchObject({ type: "spend_spike", scope: { team: TEAM }, params: { relative: 2, windows: ["hour"] } });
  });

  it("scopes a budget rule to one budget, which the rules without a budget then leave alone", async () => {
    const budget = await prisma.budget.create({ data: { name: `Rules ${randomUUID().slice(0, 6)}`, team: TEAM, amountUsd: "10", thresholds: [50] } });
    const { status, body } = await create({ type: "budget_threshold", budget_id: budget.id, name: "Tight budget" });
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: "Tight budget", budget_id: budget.id, scope: null, channel_ids: [] });

    // $6 of a $10 budget: past 50% — fired once, by the budget's own rule.
    const ingestKey = (await createTestKeyFor({ scopes: ["ingest"] })).secret;
    const model = await createPricedModel();
    await ingest(ingestKey, model, [{ at: "2025-06-10T10:00:00Z", usd: "6", tags: { team: TEAM } }]);
    const { fired } = await evaluateAt("2025-06-10T12:00:00Z");
    const thresholds = fired.filter((a) => a.type === "budget.threshold" && a.budget_id === budget.id);
    expect(thresholds).toHaveLength(1);
    const event = await prisma.alertEvent.findUniqueOrThrow({ where: { id: thresholds[0]?.id ?? "" } });
    expect(event.ruleId).toBe(body.id);

    // One rule of a type per budget.
    const again = await create({ type: "budget_threshold", budget_id: budget.id });
    expect(again.status).toBe(409);
    expect(detailPaths(again.body)).toEqual(["budget_id"]);
  });

  it("refuses what is not valid, naming the field", async () => {
    const budget = await prisma.budget.create({ data: { name: "Other", amountUsd: "10", thresholds: [50] } });
    const cases: [unknown, string[]][] = [
      [{ type: "spend_spike", params: { relative: -1, bogus: 1 } }, ["params.bogus", "params.relative"]],
      [{ type: "nonsense" }, ["type"]],
      [{ type: "unpriced_spend", scope: { squad: "x" } }, ["scope.squad"]],
      [{ type: "unpriced_spend", channel_ids: ["00000000-0000-4000-8000-000000000000"] }, ["channel_ids.0"]],
      [{ type: "unpriced_spend", budget_id: budget.id }, ["budget_id"]],
      [{ type: "budget_forecast", budget_id: "00000000-0000-4000-8000-000000000000" }, ["budget_id"]],
      [{ type: "budget_forecast", budget_id: budget.id, scope: { team: TEAM } }, ["scope"]],
      [{ type: "budget_forecast", name: "" }, ["name"]],
      [{ params: {} }, ["type"]],
    ];
    for (const [body, paths] of cases) {
      const response = await create(body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
      expect(detailPaths(response.body).sort()).toEqual(paths);
    }
    expect(await prisma.auditLog.count({ where: { action: "alert_rule.create", actorUserId: finance.id } })).toBe(2);
  });

  it("is for finance and admins only", async () => {
    for (const user of [lead, viewer]) expect((await create({ type: "unpriced_spend" }, user)).status).toBe(403);
    const anonymous = await postRule(apiRequest("/api/v1/alert-rules", { method: "POST", body: { type: "unpriced_spend" } }));
    expect(anonymous.status).toBe(401);
  });
});

describe("DELETE /api/v1/alert-rules/{id}", () => {
  it("deletes a rule someone added, resolving its open alerts; audited", async () => {
    const { body: rule } = await create({ type: "unpriced_spend", scope: { team: TEAM } });
    const alert = await prisma.alertEvent.create({
      data: { ruleId: rule.id, type: "spend.unpriced", dedupeKey: `del-${randomUUID()}`, scope: { team: TEAM }, periodStart: new Date("2026-01-01T00:00:00Z"), message: "m", payload: {} },
    });
    for (const user of [lead, viewer]) expect((await remove(rule.id, user)).status).toBe(403);

    const { status, body } = await remove(rule.id);
    expect({ status, body }).toEqual({ status: 200, body: { id: rule.id, deleted: true, resolved_alerts: 1 } });
    expect(await prisma.alertRule.count({ where: { id: rule.id } })).toBe(0);
    expect(await prisma.alertEvent.findUniqueOrThrow({ where: { id: alert.id } })).toMatchObject({ state: "resolved", ruleId: null, resolvedAt: expect.any(Date) });
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: "alert_rule.delete", targetId: rule.id } });
    expect(audit.before).toMatchObject({ type: "unpriced_spend", scope: { team: TEAM } });
    expect((await remove(rule.id)).status).toBe(404);
  });

  it("refuses to delete a built-in rule (409): it can only be disabled", async () => {
    const builtIn = await prisma.alertRule.findFirstOrThrow({ where: { type: "untagged_spend", budgetId: null }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    const response = await remove(builtIn.id);
    expect(response).toMatchObject({ status: 409, body: { error: { code: "conflict" } } });
    expect(await prisma.alertRule.count({ where: { id: builtIn.id } })).toBe(1);
    const disabled = await read<RuleView>(
      await as(finance, patchRule, `/api/v1/alert-rules/${builtIn.id}`, { method: "PATCH", body: { enabled: false }, id: builtIn.id }),
    );
    expect(disabled.body).toMatchObject({ enabled: false, built_in: true });
  });
});
