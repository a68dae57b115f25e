import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db";
import { formatUsd } from "@/lib/money";
import { createTestKey } from "../factories/api-keys";
import { usd } from "../factories/budgets";
import {
  burstBody,
  createAllocation,
  decide,
  deleteAllocation,
  fileBurst,
  getAllocation,
  getBurst,
  listAllocations,
  listBursts,
  patchAllocation,
  postAllocation,
  postBurst,
  thisPeriod,
  type QuotaAuth,
} from "../factories/quotas";
import { createUsageWorld, type UsageRowSpec, type UsageWorld } from "../factories/usage-rows";
import { createTestKeyFor, createTestTeam, createTestUser, detailPaths, type TestTeam, type TestUser } from "../factories/users";

/**
 * The quota API through its routes: the contract's bodies and statuses, who may do what,
 * validation, audit entries. Usage goes through POST /api/v1/events ($1 per million input
 * tokens, $10 per million output tokens), at the real clock's current hour (always inside
 * this period) and just before this month (never counted). The check has its own file.
 */

let world: UsageWorld;
let teamA: TestTeam;
let teamB: TestTeam;
let teamC: TestTeam;
let adminKey: QuotaAuth;
let readKey: QuotaAuth;
let ingestKey: QuotaAuth;
let readKeyA: QuotaAuth;
let admin: TestUser;
let finance: TestUser;
let leadA: TestUser;
let leadA2: TestUser;
let leadB: TestUser;
let viewerA: TestUser;
const as = (user: TestUser): QuotaAuth => ({ cookie: user.cookie });

const period = thisPeriod();
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
let teamARows: UsageRowSpec[];

beforeAll(async () => {
  world = await createUsageWorld();
  teamA = await createTestTeam();
  teamB = await createTestTeam();
  teamC = await createTestTeam();
  adminKey = { key: await createTestKey(["admin"]) };
  readKey = { key: await createTestKey(["read"]) };
  ingestKey = { key: await createTestKey(["ingest"]) };
  readKeyA = { key: (await createTestKeyFor({ scopes: ["read"], teamId: teamA.id })).secret };
  admin = await createTestUser({ role: "admin" });
  finance = await createTestUser({ role: "finance" });
  leadA = await createTestUser({ role: "team_lead", teams: [{ slug: teamA.slug, role: "lead" }] });
  leadA2 = await createTestUser({ role: "team_lead", teams: [{ slug: teamA.slug, role: "lead" }] });
  leadB = await createTestUser({ role: "team_lead", teams: [{ slug: teamB.slug, role: "lead" }, { slug: teamA.slug, role: "member" }] });
  viewerA = await createTestUser({ role: "viewer", teams: [{ slug: teamA.slug, role: "member" }] });
  teamARows = [
    usd(period.inThisHour, "12.5", { team: teamA.slug }),
    usd(period.lastMonth, 1000, { team: teamA.slug }),
    usd(new Date(Date.now() - 40 * DAY_MS).toISOString(), 7, { team: teamA.slug }),
  ];
  await world.ingest(teamARows);
});

const usd12 = (amount: string | number) => formatUsd(amount);

async function auditOf(targetId: string) {
  return prisma.auditLog.findMany({ where: { targetId }, orderBy: { id: "asc" } });
}

describe("POST /api/v1/quota/allocations", () => {
  it("creates the team-wide baseline: 201 with the allocation and where it stands", async () => {
    const { status, body } = await postAllocation(as(admin), { team: teamA.slug, unit: "usd", amount: "100", period: "month" });
    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.any(String),
      team: teamA.slug,
      model: null,
      unit: "usd",
      amount: "100.000000000000",
      period: "month",
      requests_per_minute: null,
      tokens_per_minute: null,
      used: "12.500000000000", // this hour's $12.50; last month's $1000 does not count
      burst_amount: "0.000000000000",
      limit: "100.000000000000",
      remaining: "87.500000000000",
      utilization: "0.1250",
      idle: false,
      over: false,
      period_start: period.start.toISOString(),
      period_end: new Date(Date.UTC(period.start.getUTCFullYear(), period.start.getUTCMonth() + 1, 1)).toISOString(),
    });
    const [entry] = await auditOf(body.id);
    expect(entry).toMatchObject({
      action: "allocation.set",
      actorLabel: admin.email,
      targetType: "quota_allocation",
      teamId: teamA.id,
      before: null,
      after: { team: teamA.slug, model: null, unit: "usd", amount: "100.000000000000", period: "month", requests_per_minute: null, tokens_per_minute: null },
    });
  });

  it("replaces the baseline of the same (team, model): 200, same id, omitted limits cleared; audited with before and after", async () => {
    const model = world.models.openai;
    const created = await postAllocation(adminKey, { team: teamA.slug, unit: "tokens", amount: 5000, model, requests_per_minute: 60, tokens_per_minute: 90000 });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ model, unit: "tokens", amount: "5000", requests_per_minute: 60, tokens_per_minute: 90000 });
    const replaced = await postAllocation(adminKey, { team: teamA.slug, unit: "usd", amount: "0.5", model, period: "month" });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      id: created.body.id,
      model,
      unit: "usd",
      amount: "0.500000000000",
      requests_per_minute: null,
      tokens_per_minute: null,
      used: "12.500000000000", // the team's events are all of this model
    });
    const entries = await auditOf(created.body.id);
    expect(entries.map((e) => e.action)).toEqual(["allocation.set", "allocation.set"]);
    expect(entries[1]).toMatchObject({
      actorLabel: expect.stringMatching(/^key br_/),
      before: { unit: "tokens", amount: "5000", requests_per_minute: 60, tokens_per_minute: 90000 },
      after: { unit: "usd", amount: "0.500000000000", requests_per_minute: null, tokens_per_minute: null },
    });
  });

  it("refuses bad bodies with 400 naming the field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ team: "No such team!", unit: "usd", amount: "10" }, "team"], // a valid new slug registers the team
      [{ team: teamB.slug, unit: "tokens", amount: "10.5" }, "amount"],
      [{ team: teamB.slug, unit: "usd", amount: 0 }, "amount"],
      [{ team: teamB.slug, unit: "usd", amount: "-1" }, "amount"],
      [{ team: teamB.slug, unit: "usd", amount: "0.0000000000001" }, "amount"],
      [{ team: teamB.slug, unit: "eur", amount: "10" }, "unit"],
      [{ team: teamB.slug, unit: "usd", amount: "10", period: "week" }, "period"],
      [{ team: teamB.slug, unit: "usd", amount: "10", requests_per_minute: 0 }, "requests_per_minute"],
      [{ team: teamB.slug, unit: "usd", amount: "10", is_admin: true }, "is_admin"],
      [{ unit: "usd", amount: "10" }, "team"],
    ];
    for (const [body, path] of cases) {
      const { status, body: error } = await postAllocation(adminKey, body);
      expect({ body, status }).toEqual({ body, status: 400 });
      expect(detailPaths(error)).toContain(path);
    }
    expect((await listAllocations(adminKey, { team: teamB.slug })).body.allocations).toEqual([]);
  });

  it("is for platform admins only: 401 anonymous, 403 for everyone else, whatever the body", async () => {
    const body = { team: teamB.slug, unit: "usd", amount: "10" };
    expect((await postAllocation(null, body)).status).toBe(401);
    for (const auth of [as(finance), as(leadA), as(leadB), as(viewerA), readKey, ingestKey, readKeyA]) {
      expect((await postAllocation(auth, body)).status).toBe(403);
      expect((await postAllocation(auth, "not json")).status).toBe(403);
    }
    expect((await listAllocations(adminKey, { team: teamB.slug })).body.allocations).toEqual([]);
  });
});

describe("GET /api/v1/quota/allocations", () => {
  beforeAll(async () => {
    await createAllocation(adminKey, { team: teamB.slug, unit: "tokens", amount: "1000000" });
  });

  const teamsOf = (allocations: { team: string }[]) => [...new Set(allocations.map((a) => a.team))].sort();

  it("is team-scoped: admins, finance and installation-wide keys see every team; leads, viewers and team keys their own", async () => {
    const all = [teamA.slug, teamB.slug].sort();
    for (const auth of [as(admin), as(finance), readKey, adminKey]) {
      const { status, body } = await listAllocations(auth);
      expect(status).toBe(200);
      expect(teamsOf(body.allocations)).toEqual(all);
    }
    expect(teamsOf((await listAllocations(as(leadA))).body.allocations)).toEqual([teamA.slug]);
    expect(teamsOf((await listAllocations(as(viewerA))).body.allocations)).toEqual([teamA.slug]);
    expect(teamsOf((await listAllocations(readKeyA)).body.allocations)).toEqual([teamA.slug]);
    expect(teamsOf((await listAllocations(as(leadB))).body.allocations)).toEqual(all); // lead of B, member of A
    expect((await listAllocations(ingestKey)).status).toBe(403);
    expect((await listAllocations(null)).status).toBe(401);
  });

  it("orders by team, the team-wide allocation first; ?team= narrows (to nothing outside the caller's teams)", async () => {
    const mine = (await listAllocations(as(admin), { team: teamA.slug })).body.allocations;
    expect(mine.map((a) => a.model)).toEqual([null, world.models.openai]);
    expect((await listAllocations(as(leadA), { team: teamB.slug })).body.allocations).toEqual([]);
    expect((await listAllocations(as(admin), { team: "nobody" })).body.allocations).toEqual([]);
    expect((await listAllocations(as(admin), { bogus: "1" } as never)).status).toBe(400);
  });

  it("GET /{id}: 404 outside the caller's teams and for unknown or malformed ids", async () => {
    const [b] = (await listAllocations(as(admin), { team: teamB.slug })).body.allocations;
    expect(b).toBeDefined();
    expect((await getAllocation(as(admin), b?.id ?? "")).body).toMatchObject({ team: teamB.slug, unit: "tokens", amount: "1000000", used: "0" });
    expect((await getAllocation(as(leadA), b?.id ?? "")).status).toBe(404);
    expect((await getAllocation(as(admin), "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await getAllocation(as(admin), "not-a-uuid")).status).toBe(404);
  });
});

describe("PATCH and DELETE /api/v1/quota/allocations/{id}", () => {
  it("changes only what is sent; audited; the amount must fit the unit", async () => {
    const created = await createAllocation(adminKey, { team: teamC.slug, unit: "usd", amount: "10.25", requests_per_minute: 5 });
    const changed = await patchAllocation(as(admin), created.id, { amount: "20", tokens_per_minute: 1000 });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: created.id, unit: "usd", amount: "20.000000000000", requests_per_minute: 5, tokens_per_minute: 1000 });
    expect((await patchAllocation(as(admin), created.id, { requests_per_minute: null })).body.requests_per_minute).toBeNull();

    const toTokens = await patchAllocation(as(admin), created.id, { unit: "tokens", amount: "10.5" });
    expect(toTokens.status).toBe(400);
    expect(detailPaths(toTokens.body)).toEqual(["amount"]);
    expect((await patchAllocation(as(admin), created.id, { unit: "tokens" })).body).toMatchObject({ unit: "tokens", amount: "20" });
    expect((await patchAllocation(as(admin), created.id, {})).status).toBe(400);
    expect(detailPaths((await patchAllocation(as(admin), created.id, { amount: "3", team: teamA.slug })).body)).toEqual(["team"]);

    const entries = await auditOf(created.id);
    expect(entries.map((e) => e.action)).toEqual(["allocation.set", "allocation.set", "allocation.set", "allocation.set"]);
    expect(entries[1]).toMatchObject({ before: { amount: "10.250000000000", tokens_per_minute: null }, after: { amount: "20.000000000000", tokens_per_minute: 1000 } });
    expect(entries[3]).toMatchObject({ before: { unit: "usd" }, after: { unit: "tokens", amount: "20" } });
  });

  it("moving to a model the team already has an allocation for is a 409", async () => {
    const [teamWide, forModel] = (await listAllocations(as(admin), { team: teamA.slug })).body.allocations;
    const clash = await patchAllocation(as(admin), forModel?.id ?? "", { model: null });
    expect(clash.status).toBe(409);
    expect(clash.body).toMatchObject({ error: { code: "conflict" } });
    expect(teamWide?.model).toBeNull();
  });

  it("only admins change or delete; DELETE answers {id, deleted} and is audited as allocation.delete", async () => {
    const created = await createAllocation(adminKey, { team: teamC.slug, unit: "usd", amount: "1", model: "deletable-model" });
    for (const auth of [as(finance), as(leadA), readKey, ingestKey]) {
      expect((await patchAllocation(auth, created.id, { amount: "2" })).status).toBe(403);
      expect((await deleteAllocation(auth, created.id)).status).toBe(403);
    }
    expect(await deleteAllocation(as(admin), created.id)).toEqual({ status: 200, body: { id: created.id, deleted: true } });
    expect((await getAllocation(as(admin), created.id)).status).toBe(404);
    expect((await deleteAllocation(as(admin), created.id)).status).toBe(404);
    expect((await patchAllocation(as(admin), created.id, { amount: "2" })).status).toBe(404);
    const entries = await auditOf(created.id);
    expect(entries.at(-1)).toMatchObject({ action: "allocation.delete", actorLabel: admin.email, before: { model: "deletable-model" }, after: null });
  });
});

describe("POST /api/v1/quota/requests", () => {
  it("a team lead files for their team: 201, pending, in the team's allocation unit", async () => {
    const body = burstBody(teamA.slug, { amount: 50, expected_usage: "2x traffic for the launch" });
    const { status, body: request } = await postBurst(as(leadA), body);
    expect(status).toBe(201);
    expect(request).toEqual({
      id: expect.any(String),
      team: teamA.slug,
      unit: "usd",
      amount: "50.000000000000",
      approved_amount: null,
      starts_at: new Date(body.starts_at as string).toISOString(),
      ends_at: new Date(body.ends_at as string).toISOString(),
      reason: "Launch week traffic",
      expected_usage: "2x traffic for the launch",
      status: "pending",
      requested_by: { id: leadA.id, email: leadA.email },
      decided_by: null,
      decided_at: null,
      decision_comment: null,
      created_at: expect.any(String),
    });
    expect(await auditOf(request.id)).toEqual([
      expect.objectContaining({ action: "burst_request.create", actorUserId: leadA.id, teamId: teamA.id, before: null, after: expect.objectContaining({ status: "pending", amount: "50.000000000000" }) }),
    ]);
  });

  it("the unit defaults to the team's allocation unit (tokens: whole numbers only); else usd; or as given", async () => {
    expect((await fileBurst(as(leadB), teamB.slug, { amount: "250000" })).unit).toBe("tokens");
    const fractional = await postBurst(as(leadB), burstBody(teamB.slug, { amount: "2.5" }));
    expect(fractional.status).toBe(400);
    expect(detailPaths(fractional.body)).toEqual(["amount"]);
    const noAllocation = await createTestTeam();
    expect((await fileBurst(adminKey, noAllocation.slug)).unit).toBe("usd");
    expect((await fileBurst(as(leadB), teamB.slug, { unit: "usd", amount: "2.5" })).amount).toBe("2.500000000000");
  });

  it("who may file: leads for the teams they lead, admins (a key's request has no requester); nobody else", async () => {
    expect((await postBurst(as(leadA), burstBody(teamB.slug))).status).toBe(403);
    expect((await postBurst(as(leadB), burstBody(teamA.slug))).status).toBe(403); // only a member of A
    for (const auth of [as(viewerA), as(finance), readKey, ingestKey, readKeyA]) expect((await postBurst(auth, burstBody(teamA.slug))).status).toBe(403);
    expect((await postBurst(null, burstBody(teamA.slug))).status).toBe(401);
    expect((await fileBurst(as(admin), teamB.slug)).requested_by).toEqual({ id: admin.id, email: admin.email });
    expect((await fileBurst(adminKey, teamB.slug)).requested_by).toBeNull();
  });

  it("validation: window order and length, ends_at in the future, amount > 0, the reason, the team", async () => {
    const now = Date.now();
    const at = (ms: number) => new Date(now + ms).toISOString();
    const cases: [Record<string, unknown>, string][] = [
      [{ starts_at: at(2 * HOUR_MS), ends_at: at(HOUR_MS) }, "ends_at"],
      [{ starts_at: at(HOUR_MS), ends_at: at(HOUR_MS) }, "ends_at"],
      [{ starts_at: at(-3 * HOUR_MS), ends_at: at(-HOUR_MS) }, "ends_at"],
      [{ starts_at: at(0), ends_at: at(92 * DAY_MS + 1) }, "ends_at"],
      [{ amount: 0 }, "amount"],
      [{ amount: "-5" }, "amount"],
      [{ reason: "   " }, "reason"],
      [{ reason: undefined }, "reason"],
      [{ starts_at: "2026-11-01" }, "starts_at"],
      [{ unit: "eur" }, "unit"],
      [{ team: "No such team!" }, "team"], // a valid new slug registers the team (teams-planning.test.ts)
      [{ status: "approved" }, "status"],
    ];
    for (const [overrides, path] of cases) {
      const { status, body } = await postBurst(adminKey, burstBody(teamA.slug, overrides));
      expect({ overrides, status }).toEqual({ overrides, status: 400 });
      expect(detailPaths(body)).toContain(path);
    }
    expect((await postBurst(adminKey, burstBody(teamA.slug, { starts_at: at(0), ends_at: at(92 * DAY_MS) }))).status).toBe(201);
  });
});

describe("approve, reject, cancel", () => {
  it("approve: admins only (a team lead gets 403 and nothing changes); 200 with the request; deciding again is 409", async () => {
    const request = await fileBurst(as(leadA), teamA.slug, { amount: "80" });
    for (const auth of [as(leadA), as(finance), as(viewerA), readKey, ingestKey]) {
      expect((await decide(auth, request.id, "approve", {})).status).toBe(403);
      expect((await decide(auth, request.id, "reject", {})).status).toBe(403);
    }
    expect((await getBurst(as(admin), request.id)).body.status).toBe("pending");

    const approved = await decide(as(admin), request.id, "approve", { amount: "30", comment: "half of it for now" });
    expect(approved.status).toBe(200);
    expect(approved.body).toEqual({
      ...request,
      status: "approved",
      approved_amount: "30.000000000000",
      decided_by: { id: admin.id, email: admin.email },
      decided_at: expect.any(String),
      decision_comment: "half of it for now",
    });
    for (const decision of ["approve", "reject", "cancel"] as const) {
      const again = await decide(as(admin), request.id, decision, {});
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({ error: { code: "conflict", message: "This request is already approved; only pending requests can be " + { approve: "approved.", reject: "rejected.", cancel: "cancelled." }[decision] } });
    }
    const entries = await auditOf(request.id);
    expect(entries.map((e) => e.action)).toEqual(["burst_request.create", "burst_request.approve"]);
    expect(entries[1]).toMatchObject({
      actorUserId: admin.id,
      before: { status: "pending", approved_amount: null },
      after: { status: "approved", approved_amount: "30.000000000000", decision_comment: "half of it for now" },
    });
  });

  it("approve with no body approves it all; an admin key decides with decided_by null", async () => {
    const request = await fileBurst(as(leadA), teamA.slug, { amount: "12.34" });
    const approved = await decide(adminKey, request.id, "approve");
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: "approved", approved_amount: "12.340000000000", decided_by: null, decision_comment: null });
  });

  it("approve for more than requested, or a bad body: 400, still pending", async () => {
    const request = await fileBurst(as(leadA), teamA.slug, { amount: "10" });
    const tooMuch = await decide(as(admin), request.id, "approve", { amount: "10.000000000001" });
    expect(tooMuch.status).toBe(400);
    expect(detailPaths(tooMuch.body)).toEqual(["amount"]);
    expect(detailPaths((await decide(as(admin), request.id, "approve", { amount: "0" })).body)).toEqual(["amount"]);
    expect(detailPaths((await decide(as(admin), request.id, "reject", { comment: 5 })).body)).toEqual(["comment"]);
    expect(detailPaths((await decide(as(admin), request.id, "reject", { reason: "x" })).body)).toEqual(["reason"]);
    expect((await getBurst(as(admin), request.id)).body.status).toBe("pending");
    expect((await decide(as(admin), "00000000-0000-4000-8000-000000000000", "approve")).status).toBe(404);
  });

  it("tokens: an approval must be whole tokens", async () => {
    const request = await fileBurst(as(leadB), teamB.slug, { amount: "1000" });
    expect(detailPaths((await decide(as(admin), request.id, "approve", { amount: "10.5" })).body)).toEqual(["amount"]);
    expect((await decide(as(admin), request.id, "approve", { amount: 999 })).body).toMatchObject({ status: "approved", approved_amount: "999" });
  });

  it("reject: 200 rejected with the comment; audited", async () => {
    const request = await fileBurst(as(leadA), teamA.slug);
    const rejected = await decide(as(admin), request.id, "reject", { comment: "use the batch tier" });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: "rejected", approved_amount: null, decision_comment: "use the batch tier", decided_by: { id: admin.id } });
    expect((await auditOf(request.id)).map((e) => e.action)).toEqual(["burst_request.create", "burst_request.reject"]);
  });

  it("cancel: the requester while pending, or an admin; another lead of the team 403, another team's lead 404", async () => {
    const own = await fileBurst(as(leadA), teamA.slug);
    expect((await decide(as(leadA2), own.id, "cancel")).status).toBe(403);
    expect((await decide(as(viewerA), own.id, "cancel")).status).toBe(403);
    const leadC = await createTestUser({ role: "team_lead", teams: [{ slug: teamC.slug, role: "lead" }] });
    expect((await decide(as(leadC), own.id, "cancel")).status).toBe(404);
    const cancelled = await decide(as(leadA), own.id, "cancel", { comment: "not needed after all" });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", decided_by: { id: leadA.id }, decision_comment: "not needed after all" });
    expect((await decide(as(leadA), own.id, "cancel")).status).toBe(409);
    expect((await auditOf(own.id)).map((e) => [e.action, e.actorUserId])).toEqual([
      ["burst_request.create", leadA.id],
      ["burst_request.cancel", leadA.id],
    ]);

    const other = await fileBurst(as(leadA2), teamA.slug);
    expect((await decide(as(admin), other.id, "cancel")).body).toMatchObject({ status: "cancelled", decided_by: { id: admin.id } });
    const approved = await fileBurst(as(leadA), teamA.slug);
    await decide(as(admin), approved.id, "approve");
    expect((await decide(as(leadA), approved.id, "cancel")).status).toBe(409);
  });
});

describe("GET /api/v1/quota/requests", () => {
  it("filters by status and team; newest first; pending requests carry team_usage in their unit", async () => {
    const pending = await fileBurst(as(leadA), teamA.slug, { amount: "5" });
    const { status, body } = await listBursts(as(admin), { status: "pending", team: teamA.slug });
    expect(status).toBe(200);
    expect(body.requests.every((r) => r.status === "pending" && r.team === teamA.slug)).toBe(true);
    expect(body.requests[0]?.id).toBe(pending.id);
    const times = body.requests.map((r) => r.created_at);
    expect(times).toEqual([...times].sort().reverse());

    // Expected figures from the rows: this period so far, the 30 days up to the end of this hour.
    const endOfHour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS + HOUR_MS;
    const sum = (from: number) =>
      teamARows.filter((r) => Date.parse(r.at) >= from && Date.parse(r.at) < endOfHour).reduce((total, r) => total + (r.input ?? 0), 0) / 1e6;
    expect(body.requests[0]?.team_usage).toEqual({
      unit: "usd",
      last_30_days: usd12(sum(endOfHour - 30 * DAY_MS)),
      month_to_date: usd12(sum(period.start.getTime())),
      allocation: "100.000000000000",
    });

    const decided = (await listBursts(as(admin), { status: "approved" })).body.requests;
    expect(decided.length).toBeGreaterThan(0);
    expect(decided.every((r) => r.team_usage === undefined)).toBe(true);
  });

  it("tokens requests get token usage; a team without a team-wide allocation in the unit has allocation null", async () => {
    const request = await fileBurst(as(leadB), teamB.slug, { amount: "7" });
    const found = (await listBursts(as(admin), { team: teamB.slug, status: "pending" })).body.requests.find((r) => r.id === request.id);
    expect(found?.team_usage).toEqual({ unit: "tokens", last_30_days: "0", month_to_date: "0", allocation: "1000000" });
    const usdRequest = await fileBurst(as(leadB), teamB.slug, { amount: "7", unit: "usd" });
    expect((await getBurst(as(leadB), usdRequest.id)).body.team_usage).toEqual({ unit: "usd", last_30_days: "0.000000000000", month_to_date: "0.000000000000", allocation: null });
  });

  it("team-scoped: admins and finance see all; a lead of B does not see A's (and gets 404 on its id)", async () => {
    const aRequest = await fileBurst(as(leadA), teamA.slug);
    const teamsSeen = async (auth: QuotaAuth) => new Set((await listBursts(auth)).body.requests.map((r) => r.team));
    for (const auth of [as(admin), as(finance), readKey]) {
      const seen = await teamsSeen(auth);
      expect(seen.has(teamA.slug) && seen.has(teamB.slug)).toBe(true);
    }
    expect([...(await teamsSeen(as(leadA)))]).toEqual([teamA.slug]);
    const leadC = await createTestUser({ role: "team_lead", teams: [{ slug: teamC.slug, role: "lead" }] });
    expect((await teamsSeen(as(leadC))).size).toBe(0);
    expect((await getBurst(as(leadC), aRequest.id)).status).toBe(404);
    expect([...(await teamsSeen(readKeyA))]).toEqual([teamA.slug]);
    expect((await getBurst(as(viewerA), aRequest.id)).body.status).toBe("pending");
    expect((await listBursts(ingestKey)).status).toBe(403);
    expect((await listBursts(as(admin), { status: "done" })).status).toBe(400);
  });
});
