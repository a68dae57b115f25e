import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { GET as getRuleRoute, PATCH as patchRuleRoute, DELETE as deleteRuleRoute } from "@/app/api/v1/allocation-rules/[id]/route";
import { POST as previewRoute } from "@/app/api/v1/allocation-rules/preview/route";
import { GET as listRulesRoute, POST as createRuleRoute } from "@/app/api/v1/allocation-rules/route";
import { DELETE as reopenRoute, POST as closeRoute } from "@/app/api/v1/chargeback/close/route";
import { GET as monthsRoute } from "@/app/api/v1/chargeback/months/route";
import { GET as chargebackRoute } from "@/app/api/v1/chargeback/route";
import { GET as statementRoute } from "@/app/api/v1/chargeback/statement/route";
import { PATCH as patchPriceRoute } from "@/app/api/v1/prices/[id]/route";
import { getPool, prisma } from "@/lib/db";
import { repriceForNewPrice } from "@/lib/pricing/reprice";
import { Money } from "@/lib/money";
import { createTestKey } from "../factories/api-keys";
import { createPricedModel, ingest, PROVIDER, type UsageSpec } from "../factories/alerts";
import { createTestUser, detailPaths, read, routeParams, sessionRequest, uniqueSlug, type TestUser } from "../factories/users";

/**
 * Chargeback (contract "Additions (December 2026) → Chargeback") against real ingested usage:
 * exact statements for each method and a combination of rules (rows + unallocated = the
 * month's spend exactly), the preview, a closed month unchanged by a late event or a
 * re-pricing (the difference lands on the next open month's adjustments, once), the audit
 * trail, and who may read or change what.
 */

let admin: TestUser;
let finance: TestUser;
let lead: TestUser;
let viewer: TestUser;
let ingestKey: string;
let model: string;

beforeAll(async () => {
  admin = await createTestUser({ role: "admin" });
  finance = await createTestUser({ role: "finance" });
  lead = await createTestUser({ role: "team_lead", teams: [{ slug: "search", role: "lead" }] });
  viewer = await createTestUser({ role: "viewer", teams: [{ slug: "search", role: "member" }] });
  ingestKey = await createTestKey(["ingest"]);
  model = await createPricedModel();
});

beforeEach(async () => {
  // Rules are installation-wide: each test starts with none (its months are its own).
  await prisma.allocationRule.deleteMany();
});

interface ChargebackJson {
  month: string;
  status: "open" | "closed";
  scope: "all" | "teams";
  rows: { team: string; direct_usd: string; allocated_usd: string; total_usd: string; adjustments_usd: string; charge_usd: string; previous_total_usd: string | null }[];
  total_usd: string;
  unallocated_usd: string | null;
  unallocated_lines: { reason: string; rule_name: string | null; cost_usd: string }[];
  adjustments_usd: string;
  adjustment_lines: { team: string | null; for_month: string; cost_usd: string }[];
}

async function chargeback(user: TestUser, month: string) {
  return read<ChargebackJson>(await chargebackRoute(sessionRequest(`/api/v1/chargeback?month=${month}`, { cookie: user.cookie })));
}

async function statement(user: TestUser, month: string, team: string, format = "") {
  return read<Record<string, unknown>>(
    await statementRoute(sessionRequest(`/api/v1/chargeback/statement?month=${month}&team=${team}${format}`, { cookie: user.cookie })),
  );
}

async function createRule(user: TestUser, body: Record<string, unknown>) {
  return read<{ id: string } & Record<string, unknown>>(
    await createRuleRoute(sessionRequest("/api/v1/allocation-rules", { cookie: user.cookie, method: "POST", body })),
  );
}

async function close(user: TestUser, month: string) {
  return read<ChargebackJson>(await closeRoute(sessionRequest("/api/v1/chargeback/close", { cookie: user.cookie, method: "POST", body: { month } })));
}

function usage(at: string, usd: string, tags: Record<string, string>, count = 1): UsageSpec {
  return { at, usd, tags, count };
}

/** rows + unallocated = the month's total, exactly. */
function expectAddsUp(view: ChargebackJson): void {
  const sum = view.rows.reduce((acc, row) => acc.plus(row.total_usd), new Money(view.unallocated_usd ?? 0));
  expect(sum.eq(view.total_usd)).toBe(true);
}

const totals = (view: ChargebackJson) => Object.fromEntries(view.rows.map((row) => [row.team, [row.direct_usd, row.allocated_usd, row.total_usd]]));

describe("monthly statements", () => {
  it("spreads shared spend proportionally and untagged spend evenly, exactly, with the rule named on each line", async () => {
    await ingest(ingestKey, model, [
      usage("2026-03-03T10:00:00Z", "3", { team: "search", feature: "query" }, 2),
      usage("2026-03-04T10:00:00Z", "3", { team: "support", feature: "chat" }),
      usage("2026-03-05T10:00:00Z", "1", { team: "mobile", feature: "assist" }),
      usage("2026-03-06T10:00:00Z", "4", { team: "platform", feature: "embeddings-index" }),
      usage("2026-03-07T10:00:00Z", "2", {}),
    ]);

    // Before any rule: each team its own spend; the platform index is platform's; $2 untagged.
    const plain = await chargeback(finance, "2026-03");
    expect(plain.status).toBe(200);
    expect(totals(plain.body)).toEqual({
      search: ["6.000000000000", "0.000000000000", "6.000000000000"],
      platform: ["4.000000000000", "0.000000000000", "4.000000000000"],
      support: ["3.000000000000", "0.000000000000", "3.000000000000"],
      mobile: ["1.000000000000", "0.000000000000", "1.000000000000"],
    });
    expect(plain.body).toMatchObject({ total_usd: "16.000000000000", unallocated_usd: "2.000000000000", scope: "all", status: "open" });
    expectAddsUp(plain.body);

    // The preview says what the rule would do, and saves nothing.
    const platformRule = { name: "Platform index", match: { team: "platform", feature: "embeddings-index" }, method: "proportional", effective_from: "2026-01" };
    const preview = await read<{ matched_usd: string; rows: { team: string; before_usd: string; after_usd: string; from_rule_usd: string }[] }>(
      await previewRoute(sessionRequest("/api/v1/allocation-rules/preview", { cookie: finance.cookie, method: "POST", body: { ...platformRule, month: "2026-03" } })),
    );
    expect(preview.status).toBe(200);
    expect(preview.body.matched_usd).toBe("4.000000000000");
    expect(preview.body.rows).toEqual([
      { team: "search", before_usd: "6.000000000000", after_usd: "8.400000000000", change_usd: "2.400000000000", from_rule_usd: "2.400000000000" },
      { team: "support", before_usd: "3.000000000000", after_usd: "4.200000000000", change_usd: "1.200000000000", from_rule_usd: "1.200000000000" },
      { team: "mobile", before_usd: "1.000000000000", after_usd: "1.400000000000", change_usd: "0.400000000000", from_rule_usd: "0.400000000000" },
      { team: "platform", before_usd: "4.000000000000", after_usd: "0.000000000000", change_usd: "-4.000000000000", from_rule_usd: "0.000000000000" },
    ]);
    expect(await prisma.allocationRule.count()).toBe(0);

    const created = await createRule(finance, platformRule);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Platform index", method: "proportional", effective_from: "2026-01", order: 1 });
    const untagged = await createRule(admin, { name: "Untagged", match: { team: null }, method: "even", effective_from: "2026-03" });
    expect(untagged.status).toBe(201);

    const view = await chargeback(finance, "2026-03");
    // Direct 6 / 3 / 1 (of 10): the $4 index at 60/30/10 %; the $2 untagged in thirds, the
    // 2e-12 left over by rounding down on the largest share (the first of equals: mobile).
    expect(totals(view.body)).toEqual({
      search: ["6.000000000000", "3.066666666666", "9.066666666666"],
      support: ["3.000000000000", "1.866666666666", "4.866666666666"],
      mobile: ["1.000000000000", "1.066666666668", "2.066666666668"],
    });
    expect(view.body).toMatchObject({ total_usd: "16.000000000000", unallocated_usd: "0.000000000000" });
    expectAddsUp(view.body);

    const mobile = await statement(finance, "2026-03", "mobile");
    expect(mobile.body).toMatchObject({
      team: "mobile",
      direct_lines: [{ feature: "assist", provider: PROVIDER, model, cost_usd: "1.000000000000", requests: 1 }],
      allocated_lines: [
        { rule_name: "Platform index", method: "proportional", pool_usd: "4.000000000000", share_percent: "10.0000", cost_usd: "0.400000000000" },
        { rule_name: "Untagged", method: "even", pool_usd: "2.000000000000", share_percent: "33.3333", cost_usd: "0.666666666668" },
      ],
      total_usd: "2.066666666668",
      charge_usd: "2.066666666668",
    });

    // The CSV goes through the one writer: a formula-like value is neutralized, numbers stay numbers.
    const csv = await statement(finance, "2026-03", "mobile", "&format=csv");
    expect(csv.status).toBe(200);
    expect(String(csv.body).split("\r\n")).toEqual([
      "month,team,line,feature,provider,model,rule,share_percent,for_month,requests,cost_usd",
      `2026-03,mobile,direct,assist,${PROVIDER},${model},,,,1,1.000000000000`,
      "2026-03,mobile,allocated,,,,Platform index,10.0000,,,0.400000000000",
      "2026-03,mobile,allocated,,,,Untagged,33.3333,,,0.666666666668",
      "2026-03,mobile,total,,,,,,,,2.066666666668",
      "2026-03,mobile,charge,,,,,,,,2.066666666668",
      "",
    ]);

    // Audited with before/after.
    const audit = await prisma.auditLog.findMany({ where: { action: { startsWith: "allocation_rule." } }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => [entry.action, entry.actorLabel])).toEqual([
      ["allocation_rule.create", finance.email],
      ["allocation_rule.create", admin.email],
    ]);
  });

  it("fixed percents, a more specific rule first, a target team registered, and a pool with nobody to spread over", async () => {
    const newTeam = uniqueSlug("finops");
    await ingest(ingestKey, model, [
      usage("2026-04-02T10:00:00Z", "1", { team: "search", feature: "agent" }),
      usage("2026-04-02T11:00:00Z", "7", { team: "platform", feature: "agent" }),
      usage("2026-04-02T12:00:00Z", "2", { team: "platform", feature: "agent", environment: "staging" }),
    ]);
    // Specific (2 keys) claims the staging agent before the general fixed rule (1 key).
    expect((await createRule(finance, { name: "Agent", match: { feature: "agent" }, method: "fixed", targets: [{ team: "search", percent: 33.3 }, { team: newTeam, percent: "66.7" }], effective_from: "2026-04" })).status).toBe(201);
    expect((await createRule(finance, { name: "Staging agent", match: { feature: "agent", environment: "staging" }, method: "proportional", effective_from: "2026-04" })).status).toBe(201);

    const view = await chargeback(finance, "2026-04");
    // Fixed claims search's $1 and platform's $7: $8 at 33.3 / 66.7 %. Nobody has direct
    // spend left, so the proportional $2 stays unallocated, named.
    expect(totals(view.body)).toEqual({
      [newTeam]: ["0.000000000000", "5.336000000000", "5.336000000000"],
      search: ["0.000000000000", "2.664000000000", "2.664000000000"],
    });
    expect(view.body.unallocated_lines).toEqual([{ reason: "no_teams_to_spread_over", rule_id: expect.any(String), rule_name: "Staging agent", cost_usd: "2.000000000000" }]);
    expect(view.body).toMatchObject({ total_usd: "10.000000000000", unallocated_usd: "2.000000000000" });
    expectAddsUp(view.body);

    const team = await prisma.team.findUnique({ where: { slug: newTeam } });
    expect(team).toMatchObject({ origin: "planned" });
    expect(await prisma.auditLog.count({ where: { action: "team.register", targetId: team?.id } })).toBe(1);

    const listed = await read<{ rules: { name: string; order: number }[] }>(await listRulesRoute(sessionRequest("/api/v1/allocation-rules", { cookie: finance.cookie })));
    expect(listed.body.rules.map((rule) => [rule.order, rule.name])).toEqual([[1, "Staging agent"], [2, "Agent"]]);
  });

  it("changes and deletes a rule (audited before and after); a rule is not effective before its month", async () => {
    await ingest(ingestKey, model, [
      usage("2026-08-02T10:00:00Z", "4", { team: "search" }),
      usage("2026-08-02T10:00:00Z", "2", { team: "support" }),
      usage("2026-08-03T10:00:00Z", "3", {}),
    ]);
    const rule = await createRule(finance, { name: "Untagged", match: { team: null }, method: "proportional", effective_from: "2026-09" });
    expect((await chargeback(finance, "2026-08")).body.unallocated_usd).toBe("3.000000000000");

    const patched = await read<Record<string, unknown>>(
      await patchRuleRoute(
        sessionRequest(`/api/v1/allocation-rules/${rule.body.id}`, { cookie: finance.cookie, method: "PATCH", body: { effective_from: "2026-08", method: "fixed", targets: [{ team: "support", percent: 100 }] } }),
        routeParams({ id: rule.body.id }),
      ),
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ method: "fixed", effective_from: "2026-08", targets: [{ team: "support", percent: "100" }] });
    expect(totals((await chargeback(finance, "2026-08")).body)).toEqual({
      search: ["4.000000000000", "0.000000000000", "4.000000000000"],
      support: ["2.000000000000", "3.000000000000", "5.000000000000"],
    });

    // Back to proportional without targets: the old targets go.
    const again = await read<Record<string, unknown>>(
      await patchRuleRoute(sessionRequest(`/api/v1/allocation-rules/${rule.body.id}`, { cookie: finance.cookie, method: "PATCH", body: { method: "proportional" } }), routeParams({ id: rule.body.id })),
    );
    expect(again.body).toMatchObject({ method: "proportional", targets: null });
    // Proportional to 4:2 — $2 and $1.
    expect(totals((await chargeback(finance, "2026-08")).body)).toEqual({
      search: ["4.000000000000", "2.000000000000", "6.000000000000"],
      support: ["2.000000000000", "1.000000000000", "3.000000000000"],
    });

    // A fixed rule without targets is refused, naming them.
    const bad = await read(
      await patchRuleRoute(sessionRequest(`/api/v1/allocation-rules/${rule.body.id}`, { cookie: finance.cookie, method: "PATCH", body: { method: "fixed" } }), routeParams({ id: rule.body.id })),
    );
    expect(bad.status).toBe(400);
    expect(detailPaths(bad.body)).toEqual(["targets"]);

    const deleted = await deleteRuleRoute(sessionRequest(`/api/v1/allocation-rules/${rule.body.id}`, { cookie: admin.cookie, method: "DELETE" }), routeParams({ id: rule.body.id }));
    expect(deleted.status).toBe(200);
    expect((await getRuleRoute(sessionRequest(`/api/v1/allocation-rules/${rule.body.id}`, { cookie: admin.cookie }), routeParams({ id: rule.body.id }))).status).toBe(404);
    const actions = await prisma.auditLog.findMany({ where: { targetId: rule.body.id }, orderBy: { id: "asc" } });
    expect(actions.map((entry) => entry.action)).toEqual(["allocation_rule.create", "allocation_rule.update", "allocation_rule.update", "allocation_rule.delete"]);
    expect(actions[1]?.before).toMatchObject({ method: "proportional", effective_from: "2026-09" });
    expect(actions[1]?.after).toMatchObject({ method: "fixed", effective_from: "2026-08" });
  });
  it("previews an edit with the rule in its own place in the order", async () => {
    await ingest(ingestKey, model, [usage("2026-02-10T10:00:00Z", "3", {}), usage("2026-02-10T10:00:00Z", "1", { team: "search" }), usage("2026-02-10T10:00:00Z", "1", { team: "support" })]);
    const a = await createRule(finance, { name: "A", match: { team: null }, method: "fixed", targets: [{ team: "search", percent: 100 }], effective_from: "2026-01" });
    await createRule(finance, { name: "B", match: { team: null }, method: "fixed", targets: [{ team: "support", percent: 100 }], effective_from: "2026-01" });
    // A is older: it claims the $3 untagged. Previewing A edited (name only) must keep that.
    const preview = await read<{ rows: { team: string; after_usd: string; change_usd: string }[] }>(
      await previewRoute(
        sessionRequest("/api/v1/allocation-rules/preview", {
          cookie: finance.cookie,
          method: "POST",
          body: { name: "A renamed", match: { team: null }, method: "fixed", targets: [{ team: "search", percent: 100 }], effective_from: "2026-01", month: "2026-02", replace_id: a.body.id },
        }),
      ),
    );
    expect(preview.body.rows.map((row) => [row.team, row.after_usd, row.change_usd])).toEqual([
      ["search", "4.000000000000", "0.000000000000"],
      ["support", "1.000000000000", "0.000000000000"],
    ]);
  });
});

describe("closing a month", () => {
  it("freezes the statements; late events and re-pricing reach the next open month's adjustments, once", async () => {
    // Its own model: the re-pricing below must not touch the other tests' months.
    const model = await createPricedModel();
    await ingest(ingestKey, model, [
      usage("2026-05-10T10:00:00Z", "5", { team: "search" }),
      usage("2026-05-11T10:00:00Z", "5", { team: "support" }),
      usage("2026-06-10T10:00:00Z", "2", { team: "search" }),
    ]);
    const closed = await close(finance, "2026-05");
    expect(closed.status).toBe(201);
    expect(closed.body).toMatchObject({ month: "2026-05", status: "closed", total_usd: "10.000000000000" });
    const before = await chargeback(finance, "2026-05");

    // A late event for May.
    await ingest(ingestKey, model, [usage("2026-05-20T10:00:00Z", "1", { team: "search" })]);
    const may = await chargeback(finance, "2026-05");
    expect(may.body).toEqual(before.body);
    const june = await chargeback(finance, "2026-06");
    expect(june.body.rows).toEqual([
      { team: "search", direct_usd: "2.000000000000", allocated_usd: "0.000000000000", total_usd: "2.000000000000", adjustments_usd: "1.000000000000", charge_usd: "3.000000000000", previous_total_usd: "5.000000000000" },
    ]);
    expect(june.body.adjustment_lines).toEqual([{ team: "search", for_month: "2026-05", cost_usd: "1.000000000000" }]);
    expect(await statement(finance, "2026-06", "search")).toMatchObject({
      body: { adjustment_lines: [{ for_month: "2026-05", cost_usd: "1.000000000000" }], total_usd: "2.000000000000", charge_usd: "3.000000000000" },
    });

    // June closes with that adjustment frozen; another late May event goes to July, alone.
    expect((await close(finance, "2026-06")).status).toBe(201);
    await ingest(ingestKey, model, [usage("2026-05-21T10:00:00Z", "0.5", { team: "support" })]);
    expect((await chargeback(finance, "2026-06")).body.adjustment_lines).toEqual([{ team: "search", for_month: "2026-05", cost_usd: "1.000000000000" }]);
    const july = await chargeback(finance, "2026-07");
    expect(july.body.adjustment_lines).toEqual([{ team: "support", for_month: "2026-05", cost_usd: "0.500000000000" }]);

    // Re-pricing May (the model's price doubled) changes no closed statement either.
    const price = await prisma.price.findFirstOrThrow({ where: { provider: PROVIDER, model } });
    const repriced = await patchPriceRoute(
      sessionRequest(`/api/v1/prices/${price.id}`, { cookie: admin.cookie, method: "PATCH", body: { input_per_mtok: "2000" } }),
      routeParams({ id: price.id }),
    );
    expect(repriced.status).toBe(200);
    // The route re-prices after answering (lib/pricing/reprice-queue.ts); this is the same pass, awaited.
    await repriceForNewPrice(getPool(), { provider: PROVIDER, model, serviceTier: "standard", effectiveFrom: price.effectiveFrom });
    expect((await chargeback(finance, "2026-05")).body).toEqual(before.body);
    // May now: search 6 × 2 = 12 (5 at close, 1 booked in June: 6 due), support 5.5 × 2 = 11 (5 at close: 6 due).
    // June now: search 2 × 2 = 4 (2 at close: 2 due).
    expect((await chargeback(finance, "2026-07")).body.adjustment_lines).toEqual([
      { team: "search", for_month: "2026-05", cost_usd: "6.000000000000" },
      { team: "support", for_month: "2026-05", cost_usd: "6.000000000000" },
      { team: "search", for_month: "2026-06", cost_usd: "2.000000000000" },
    ]);

    // Refusals: again, not over yet, reopening under a later closed month.
    expect(detailPaths((await close(finance, "2026-05")).body)).toEqual(["month"]);
    expect((await close(finance, "2026-05")).status).toBe(409);
    const thisMonth = new Date().toISOString().slice(0, 7);
    expect((await close(finance, thisMonth)).status).toBe(409);
    const reopenMay = await reopenRoute(sessionRequest("/api/v1/chargeback/close?month=2026-05", { cookie: finance.cookie, method: "DELETE" }));
    expect(reopenMay.status).toBe(409);
    const months = await read<{ months: { month: string }[] }>(await monthsRoute(sessionRequest("/api/v1/chargeback/months", { cookie: finance.cookie })));
    expect(months.body.months.map((m) => m.month)).toEqual(["2026-06", "2026-05"]);
    const reopenJune = await reopenRoute(sessionRequest("/api/v1/chargeback/close?month=2026-06", { cookie: admin.cookie, method: "DELETE" }));
    expect(reopenJune.status).toBe(200);
    expect((await chargeback(finance, "2026-06")).body.status).toBe("open");

    const audit = await prisma.auditLog.findMany({ where: { action: { startsWith: "chargeback." } }, orderBy: { id: "asc" } });
    expect(audit.map((entry) => [entry.action, entry.targetId])).toEqual([
      ["chargeback.close", "2026-05"],
      ["chargeback.close", "2026-06"],
      ["chargeback.reopen", "2026-06"],
    ]);
    expect(audit[0]?.after).toMatchObject({ month: "2026-05", total_usd: "10.000000000000" });
  });
});

describe("who sees and changes what", () => {
  it("a lead reads only their teams' rows and statements; viewers and leads change nothing", async () => {
    await ingest(ingestKey, model, [
      usage("2026-10-02T10:00:00Z", "2", { team: "search" }),
      usage("2026-10-02T10:00:00Z", "3", { team: "support" }),
      usage("2026-10-02T10:00:00Z", "1", {}),
    ]);
    const mine = await chargeback(lead, "2026-10");
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ scope: "teams", total_usd: "2.000000000000", unallocated_usd: null, unallocated_lines: [] });
    expect(mine.body.rows.map((row) => row.team)).toEqual(["search"]);
    expect((await statement(lead, "2026-10", "search")).status).toBe(200);
    const other = await statement(lead, "2026-10", "support");
    expect(other.status).toBe(403);
    expect(detailPaths(other.body)).toEqual(["team"]);

    expect((await chargeback(viewer, "2026-10")).status).toBe(403);
    // Other teams' rules (names, percents) are for finance and admins.
    expect((await listRulesRoute(sessionRequest("/api/v1/allocation-rules", { cookie: lead.cookie }))).status).toBe(403);
    const rule = { name: "x", match: { team: null }, method: "even", effective_from: "2026-10" };
    expect((await createRule(lead, rule)).status).toBe(403);
    expect((await createRule(viewer, rule)).status).toBe(403);
    expect((await close(lead, "2026-10")).status).toBe(403);
    expect(await prisma.allocationRule.count()).toBe(0);
  });

  it("refuses bad input by its field, never a 500", async () => {
    const bad = async (body: Record<string, unknown>) => {
      const response = await createRule(finance, body);
      return [response.status, detailPaths(response.body)];
    };
    const base = { name: "r", match: { team: null }, method: "even", effective_from: "2026-10" };
    expect(await bad({ ...base, match: {} })).toEqual([400, ["match"]]);
    expect(await bad({ ...base, method: "fixed", targets: [{ team: "search", percent: 60 }, { team: "support", percent: 39.9 }] })).toEqual([400, ["targets"]]);
    expect(await bad({ ...base, targets: [{ team: "search", percent: 100 }] })).toEqual([400, ["targets"]]);
    expect(await bad({ ...base, method: "fixed", targets: [{ team: "Not A Slug!", percent: 100 }] })).toEqual([400, ["targets.0.team"]]);
    expect(await bad({ ...base, effective_from: "2026-13" })).toEqual([400, ["effective_from"]]);
    expect(await bad({ ...base, name: "a\u0000b" })).toEqual([400, ["name"]]);
    expect(await bad({ ...base, colour: "red" })).toEqual([400, ["colour"]]);
    const query = await read(await chargebackRoute(sessionRequest("/api/v1/chargeback?month=2026-1", { cookie: finance.cookie })));
    expect([query.status, detailPaths(query.body)]).toEqual([400, ["month"]]);
    const typo = await read(await chargebackRoute(sessionRequest("/api/v1/chargeback?month=2026-10&teams=search", { cookie: finance.cookie })));
    expect([typo.status, detailPaths(typo.body)]).toEqual([400, ["teams"]]);
    expect(await prisma.allocationRule.count()).toBe(0);
  });
});
