import { beforeAll, describe, expect, it } from "vitest";
import { GET as getBudgetRoute, PATCH as patchBudgetRoute } from "@/app/api/v1/budgets/[id]/route";
import { POST as postQuotaCheck } from "@/app/api/v1/quota/check/route";
import type { BudgetView } from "@/lib/budgets/budgets";
import { getPool, prisma } from "@/lib/db";
import { flushCapHits } from "@/lib/quotas/cap-hits";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { createPricedModel, ingest } from "../factories/alerts";
import { postBudget } from "../factories/budgets";
import { createAllocation } from "../factories/quotas";
import { GET as getReviewRoute } from "@/app/api/v1/quota/review/route";
import { createTestUser, detailPaths, read, routeParams, sessionRequest, uniqueSlug, type TestUser } from "../factories/users";

/**
 * Budget caps (issue 18, contract "Budget caps"): a capped budget's quota check refuses calls
 * in its scope once this month's spend reaches at_percent of the amount, naming the budget,
 * with or without an allocation; raising the amount allows them again; deny_models refuses
 * only the listed models; a scope narrower than a team needs the check's tags; refusals are
 * counted per team and the team is notified once; caps are audited and validated.
 */

let finance: TestUser;
let lead: TestUser;
let ingestKey: string;
let model: string;

beforeAll(async () => {
  finance = await createTestUser({ role: "finance" });
  lead = await createTestUser({ role: "team_lead", teams: [{ slug: "capped-lead-team", role: "lead" }] });
  ingestKey = await createTestKey(["ingest"]);
  model = await createPricedModel();
});

/** Now minus a few minutes: this month's spend (the test does not run in the first minutes of a month). */
function recently(minutes = 5): string {
  return new Date(Date.now() - minutes * 60_000).toISOString();
}

async function check(body: Record<string, unknown>) {
  return read<Record<string, unknown>>(await postQuotaCheck(apiRequest("/api/v1/quota/check", { key: ingestKey, method: "POST", body })));
}

async function patchBudget(id: string, body: Record<string, unknown>) {
  return read<BudgetView>(await patchBudgetRoute(sessionRequest(`/api/v1/budgets/${id}`, { cookie: finance.cookie, method: "PATCH", body }), routeParams({ id })));
}

async function budgetOf(id: string) {
  return (await read<BudgetView>(await getBudgetRoute(sessionRequest(`/api/v1/budgets/${id}`, { cookie: finance.cookie }), routeParams({ id })))).body;
}

describe("budget caps in the quota check", () => {
  it("refuses a team's calls at the cap, naming the budget, and allows them again once the amount is raised", async () => {
    const team = uniqueSlug("capped");
    await ingest(ingestKey, model, [{ at: recently(), usd: "10.4", tags: { team } }]);
    const created = await postBudget({ cookie: finance.cookie }, {
      name: "Search LLM",
      scope: { team },
      amount_usd: "10",
      enforce: { at_percent: 100, action: "deny" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ enforce: { at_percent: 100, action: "deny", models: [] }, cap: { state: "enforcing", limit_usd: "10.000000000000", refused_checks: 0 } });

    const refused = await check({ team, model });
    expect(refused.body).toMatchObject({
      allowed: false,
      reason: "budget Search LLM at 104% (cap 100%)",
      budget_id: created.body.id,
      unit: "usd",
      limit: "10.000000000000",
      used: "10.400000000000",
      remaining: "0.000000000000",
    });
    // Another team is not in the budget's scope.
    expect((await check({ team: uniqueSlug("free") })).body).toMatchObject({ allowed: true, reason: "no allocation", budget_id: null });

    // Raised above the spend: allowed again at once (the write invalidates this process's snapshot).
    const raised = await patchBudget(created.body.id, { amount_usd: "20" });
    expect(raised.body.cap).toMatchObject({ state: "armed", limit_usd: "20.000000000000" });
    expect((await check({ team, model })).body).toMatchObject({ allowed: true, budget_id: null });

    // Lifting the cap is audited like any change of the budget.
    await patchBudget(created.body.id, { amount_usd: "5" });
    expect((await check({ team })).body).toMatchObject({ allowed: false, reason: "budget Search LLM at 208% (cap 100%)" });
    const lifted = await patchBudget(created.body.id, { enforce: null });
    expect(lifted.body).toMatchObject({ enforce: null, cap: null });
    expect((await check({ team })).body).toMatchObject({ allowed: true });
    const audit = await prisma.auditLog.findMany({ where: { action: "budget.update", targetId: created.body.id }, orderBy: { id: "asc" } });
    expect(audit.at(-1)?.before).toMatchObject({ enforce: { at_percent: 100, action: "deny" } });
    expect(audit.at(-1)?.after).toMatchObject({ enforce: null });
  });

  it("sees new spend within 10 s of crossing the cap", async () => {
    const team = uniqueSlug("crossing");
    await ingest(ingestKey, model, [{ at: recently(), usd: "4", tags: { team } }]);
    const budget = await postBudget({ cookie: finance.cookie }, { name: "Crossing", scope: { team }, amount_usd: "5", enforce: { at_percent: 100, action: "deny" } });
    expect((await check({ team })).body).toMatchObject({ allowed: true });
    await ingest(ingestKey, model, [{ at: recently(1), usd: "1.5", tags: { team } }]);
    const started = Date.now();
    let answer = await check({ team });
    while (answer.body.allowed === true && Date.now() - started < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      answer = await check({ team });
    }
    expect(answer.body).toMatchObject({ allowed: false, budget_id: budget.body.id, reason: "budget Crossing at 110% (cap 100%)" });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("deny_models refuses only its models; a feature-scoped cap needs the check's feature", async () => {
    const team = uniqueSlug("models");
    await ingest(ingestKey, model, [{ at: recently(), usd: "3", tags: { team, feature: "agent" } }]);
    await postBudget({ cookie: finance.cookie }, {
      name: "Expensive models",
      scope: { team },
      amount_usd: "2",
      enforce: { at_percent: 100, action: "deny_models", models: ["big-model"] },
    });
    expect((await check({ team, model: "big-model" })).body).toMatchObject({ allowed: false, reason: "budget Expensive models at 150% (cap 100%)" });
    expect((await check({ team, model: "small-model" })).body).toMatchObject({ allowed: true });
    expect((await check({ team })).body).toMatchObject({ allowed: true });

    await postBudget({ cookie: finance.cookie }, { name: "Agent feature", scope: { team, feature: "agent" }, amount_usd: "1", enforce: { at_percent: 80, action: "deny" } });
    expect((await check({ team, model: "small-model" })).body).toMatchObject({ allowed: true });
    expect((await check({ team, model: "small-model", feature: "agent" })).body).toMatchObject({
      allowed: false,
      reason: "budget Agent feature at 300% (cap 80%)",
    });
  });

  it("counts refusals per team and notifies the team once", async () => {
    const team = uniqueSlug("counted");
    await ingest(ingestKey, model, [{ at: recently(), usd: "2", tags: { team } }]);
    const budget = await postBudget({ cookie: finance.cookie }, { name: "Counted", scope: { team }, amount_usd: "1", enforce: { at_percent: 100, action: "deny" } });
    for (let i = 0; i < 3; i++) expect((await check({ team })).body).toMatchObject({ allowed: false });
    await flushCapHits(getPool());
    for (let i = 0; i < 2; i++) expect((await check({ team })).body).toMatchObject({ allowed: false });
    await flushCapHits(getPool());
    expect((await budgetOf(budget.body.id)).cap).toMatchObject({ refused_checks: 5, refused_by_team: [{ team, refused_checks: 5 }] });
    const notes = await prisma.notification.findMany({ where: { kind: "cap_hit", team } });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ title: "Budget cap reached: Counted", link: `/quotas?burst=${team}` });

    // With an allocation, even one with room left, the cap still refuses; the quota review counts the refusals.
    const admin = await createTestUser({ role: "admin" });
    await createAllocation({ cookie: admin.cookie }, { team, unit: "usd", amount: "1000" });
    expect((await check({ team })).body).toMatchObject({ allowed: false, budget_id: budget.body.id });
    await flushCapHits(getPool());
    const month = new Date().toISOString().slice(0, 7);
    const review = await read<{ teams: { team: string; refused_checks: number }[] }>(
      await getReviewRoute(sessionRequest(`/api/v1/quota/review?month=${month}`, { cookie: admin.cookie })),
    );
    expect(review.body.teams.find((entry) => entry.team === team)?.refused_checks).toBe(6);
  });

  it("validates caps by their field, and only finance and admins set them", async () => {
    const bad = async (enforce: unknown) => {
      const response = await postBudget({ cookie: finance.cookie }, { name: "Bad", scope: {}, amount_usd: "1", enforce });
      return [response.status, detailPaths(response.body)];
    };
    expect(await bad({ at_percent: 0, action: "deny" })).toEqual([400, ["enforce.at_percent"]]);
    expect(await bad({ at_percent: 100, action: "deny_models" })).toEqual([400, ["enforce.models"]]);
    expect(await bad({ at_percent: 100, action: "deny", models: ["x"] })).toEqual([400, ["enforce.models"]]);
    expect(await bad({ at_percent: 100, action: "block" })).toEqual([400, ["enforce.action"]]);
    const byLead = await postBudget({ cookie: lead.cookie }, { name: "Mine", scope: { team: "capped-lead-team" }, amount_usd: "1", enforce: { at_percent: 100, action: "deny" } });
    expect(byLead.status).toBe(403);
  });
});
