import { beforeAll, describe, expect, it } from "vitest";
import { POST as postEventsRoute } from "@/app/api/v1/events/route";
import { GET as listTeamsRoute } from "@/app/api/v1/teams/route";
import type { TeamView } from "@/lib/access/teams";
import { prisma } from "@/lib/db";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { budgetBody, postBudget, type BudgetAuth } from "../factories/budgets";
import { contractEvent } from "../factories/events";
import { burstBody, postAllocation, postBurst, type QuotaAuth } from "../factories/quotas";
import { createTestTeam, createTestUser, detailPaths, read, sessionRequest, uniqueSlug, type TestTeam, type TestUser } from "../factories/users";

/**
 * Contract "Additions (December 2026) → Teams": budgets, allocations and burst requests
 * accept a team slug with no usage yet and register the team (audited "team.register", in
 * the same transaction); who may plan for a slug is unchanged (a lead still files only for
 * teams they lead); ingest still registers the teams it sees as discovered.
 */

let admin: TestUser;
let finance: TestUser;
let lead: TestUser;
let viewer: TestUser;
let ledTeam: TestTeam;
let ingestKey: string;
const as = (user: TestUser): BudgetAuth & QuotaAuth => ({ cookie: user.cookie });

beforeAll(async () => {
  ledTeam = await createTestTeam();
  admin = await createTestUser({ role: "admin" });
  finance = await createTestUser({ role: "finance" });
  lead = await createTestUser({ role: "team_lead", teams: [{ slug: ledTeam.slug, role: "lead" }] });
  viewer = await createTestUser({ role: "viewer", teams: [{ slug: ledTeam.slug, role: "member" }] });
  ingestKey = await createTestKey(["ingest"]);
});

async function teamOf(slug: string) {
  return prisma.team.findUnique({ where: { slug }, include: { memberships: true } });
}

async function registrations(slug: string) {
  const team = await prisma.team.findUnique({ where: { slug }, select: { id: true } });
  if (!team) return [];
  return prisma.auditLog.findMany({ where: { action: "team.register", targetId: team.id }, orderBy: { id: "asc" } });
}

async function listTeams(user: TestUser) {
  return read<{ teams: TeamView[] }>(await listTeamsRoute(sessionRequest("/api/v1/teams", { cookie: user.cookie })));
}

describe("planning for a team with no usage yet", () => {
  it("finance creates a budget for a never-seen slug: 201, the team is registered as planned, audited by finance", async () => {
    const slug = uniqueSlug("planned");
    expect(await teamOf(slug)).toBeNull();
    const { status, body } = await postBudget(as(finance), budgetBody({ name: "Launch", scope: { team: slug } }));
    expect(status).toBe(201);
    expect(body).toMatchObject({ scope: { team: slug }, spent_usd: "0.000000000000" });

    const team = await teamOf(slug);
    expect(team).toMatchObject({ slug, name: slug, discovered: false, origin: "planned" });
    expect(team?.memberships).toEqual([]); // nobody leads a team by planning for it

    const entries = await registrations(slug);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorUserId: finance.id,
      actorLabel: finance.email,
      targetType: "team",
      teamId: team?.id,
      after: { slug, name: slug, origin: "planned", via: "budget" },
    });
    // The budget's own entry names the same team, in the same transaction.
    const budgetEntry = await prisma.auditLog.findFirstOrThrow({ where: { action: "budget.create", targetId: (body as { id: string }).id } });
    expect(budgetEntry.teamId).toBe(team?.id);

    // The list shows where it came from and that it has no lead yet.
    const listed = (await listTeams(admin)).body.teams.find((t) => t.slug === slug);
    expect(listed).toMatchObject({ origin: "planned", has_lead: false, discovered: false, members: [] });

    // A second budget for it registers nothing more.
    expect((await postBudget(as(finance), budgetBody({ name: "Launch 2", scope: { team: slug } }))).status).toBe(201);
    expect(await registrations(slug)).toHaveLength(1);
  });

  it("a budget PATCHed to a new team's slug registers it too", async () => {
    const created = await postBudget(as(admin), budgetBody({ name: "Moves", scope: { team: ledTeam.slug } }));
    expect(created.status).toBe(201);
    const slug = uniqueSlug("moved");
    const { PATCH } = await import("@/app/api/v1/budgets/[id]/route");
    const id = (created.body as { id: string }).id;
    const patched = await read(await PATCH(sessionRequest(`/api/v1/budgets/${id}`, { cookie: admin.cookie, method: "PATCH", body: { scope: { team: slug } } }), { params: Promise.resolve({ id }) }));
    expect(patched.status).toBe(200);
    expect(await teamOf(slug)).toMatchObject({ origin: "planned" });
    expect((await registrations(slug))[0]).toMatchObject({ actorUserId: admin.id, after: { via: "budget" } });
  });

  it("admin creates an allocation for a new slug: 201, registered and audited", async () => {
    const slug = uniqueSlug("alloc");
    const { status, body } = await postAllocation(as(admin), { team: slug, unit: "usd", amount: "250", period: "month" });
    expect(status).toBe(201);
    expect(body).toMatchObject({ team: slug, amount: "250.000000000000", used: "0.000000000000" });
    expect(await teamOf(slug)).toMatchObject({ origin: "planned", discovered: false });
    expect((await registrations(slug))[0]).toMatchObject({ actorUserId: admin.id, after: { via: "allocation" } });
  });

  it("finance may not allocate, so it registers nothing that way", async () => {
    const slug = uniqueSlug("nofin");
    expect((await postAllocation(as(finance), { team: slug, unit: "usd", amount: "1", period: "month" })).status).toBe(403);
    expect(await teamOf(slug)).toBeNull();
  });

  it("a lead's burst request for an unknown slug is still refused, and creates no team; an admin's registers it", async () => {
    const slug = uniqueSlug("burst");
    const refused = await postBurst(as(lead), burstBody(slug));
    expect(refused.status).toBe(403);
    expect(await teamOf(slug)).toBeNull();
    // Viewers and finance cannot file at all.
    expect((await postBurst(as(viewer), burstBody(slug))).status).toBe(403);
    expect((await postBurst(as(finance), burstBody(slug))).status).toBe(403);
    expect(await teamOf(slug)).toBeNull();
    // Leads and viewers cannot budget either.
    expect((await postBudget(as(lead), budgetBody({ scope: { team: slug } }))).status).toBe(403);
    expect(await teamOf(slug)).toBeNull();
    // The lead's own team still works.
    expect((await postBurst(as(lead), burstBody(ledTeam.slug))).status).toBe(201);

    const filed = await postBurst(as(admin), burstBody(slug));
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ team: slug, status: "pending" });
    expect(await teamOf(slug)).toMatchObject({ origin: "planned", memberships: [] });
    expect((await registrations(slug))[0]).toMatchObject({ actorUserId: admin.id, after: { via: "burst_request" } });
    // Still not the lead's: their burst for it stays refused.
    expect((await postBurst(as(lead), burstBody(slug))).status).toBe(403);
  });

  it("an invalid new slug is a 400 naming the field, and nothing is stored", async () => {
    const bad = "Not A Slug!";
    const budget = await postBudget(as(finance), budgetBody({ name: "bad slug", scope: { team: bad } }));
    expect(budget.status).toBe(400);
    expect(detailPaths(budget.body)).toEqual(["scope.team"]);
    const allocation = await postAllocation(as(admin), { team: bad, unit: "usd", amount: "1", period: "month" });
    expect(allocation.status).toBe(400);
    expect(detailPaths(allocation.body)).toEqual(["team"]);
    const burst = await postBurst(as(admin), burstBody(bad));
    expect(burst.status).toBe(400);
    expect(detailPaths(burst.body)).toEqual(["team"]);
    expect(await teamOf(bad)).toBeNull();
    expect(await prisma.budget.count({ where: { name: "bad slug" } })).toBe(0);
  });

  it("an existing team whose slug breaks the slug rules (seen in usage) can still be planned for", async () => {
    const odd = `Odd Team ${uniqueSlug()}`;
    await createTestTeam({ slug: odd, discovered: true });
    expect((await postBudget(as(finance), budgetBody({ scope: { team: odd } }))).status).toBe(201);
    expect(await registrations(odd)).toEqual([]);
  });

  it("concurrent budgets for the same new slug create one team and one registration", async () => {
    const slug = uniqueSlug("race");
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => postBudget(as(finance), budgetBody({ name: `race ${i}`, scope: { team: slug } }))),
    );
    expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
    expect(await prisma.team.count({ where: { slug } })).toBe(1);
    expect(await registrations(slug)).toHaveLength(1);
    expect(await prisma.budget.count({ where: { team: slug } })).toBe(6);
  });
});

describe("ingest", () => {
  it("still registers a new team it sees as discovered (origin discovered), without an audit entry", async () => {
    const slug = uniqueSlug("seen");
    const response = await postEventsRoute(apiRequest("/api/v1/events", { key: ingestKey, body: { events: [contractEvent({ tags: { team: slug } })] } }));
    expect(response.status).toBe(200);
    expect(await teamOf(slug)).toMatchObject({ slug, name: slug, discovered: true, origin: "discovered" });
    expect(await registrations(slug)).toEqual([]);
    const listed = (await listTeams(finance)).body.teams.find((t) => t.slug === slug);
    expect(listed).toMatchObject({ origin: "discovered", has_lead: false });

    // Planning for it later registers nothing: it exists.
    expect((await postBudget(as(finance), budgetBody({ scope: { team: slug } }))).status).toBe(201);
    expect(await registrations(slug)).toEqual([]);
    expect(await teamOf(slug)).toMatchObject({ origin: "discovered" });
  });

  it("usage for a planned team keeps it planned", async () => {
    const slug = uniqueSlug("then-seen");
    expect((await postBudget(as(finance), budgetBody({ scope: { team: slug } }))).status).toBe(201);
    const response = await postEventsRoute(apiRequest("/api/v1/events", { key: ingestKey, body: { events: [contractEvent({ tags: { team: slug } })] } }));
    expect(response.status).toBe(200);
    expect(await teamOf(slug)).toMatchObject({ origin: "planned", discovered: false });
    expect(await prisma.team.count({ where: { slug } })).toBe(1);
  });

  it("teams created by an admin are marked created", async () => {
    const { POST } = await import("@/app/api/v1/teams/route");
    const slug = uniqueSlug("made");
    const created = await read<TeamView>(await POST(sessionRequest("/api/v1/teams", { cookie: admin.cookie, method: "POST", body: { slug, name: "Made" } })));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug, origin: "created", has_lead: false });
  });
});
