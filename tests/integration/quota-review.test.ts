import { beforeAll, describe, expect, it } from "vitest";
import type { Principal } from "@/lib/auth/permissions";
import { prisma } from "@/lib/db";
import { createBurstRequest, decideBurstRequest } from "@/lib/quotas/bursts";
import { getQuotaReview, type ReviewTeamView } from "@/lib/quotas/review";
import type { QuotaUnitName } from "@/lib/schemas/quota";
import { createTestKey } from "../factories/api-keys";
import { usd } from "../factories/budgets";
import { createAllocation, getReview, quotaPrincipal, type QuotaAuth } from "../factories/quotas";
import { createUsageWorld } from "../factories/usage-rows";
import { createTestTeam, createTestUser, type TestTeam, type TestUser } from "../factories/users";

/**
 * GET /api/v1/quota/review on fixed-date usage (ingested through POST /api/v1/events, $1
 * per million input tokens), reviewed at NOW = 2026-11-18 (default month: 2026-10, so the
 * months looked at are 2026-08, 2026-09, 2026-10). Every figure below is worked out by hand:
 *
 *   cut    usd 100: Aug $80, Sep $30, Oct $20      → under 50% in Sep and Oct: cut to 1.2 × 30 = $36
 *   over   usd 100: Aug $50, Sep $60, Oct $130.50  → over 100% in Oct: raise to 1.1 × 130.5 = $143.55
 *   bursty tokens 1,000,000: Aug 800k, Sep 900k, Oct 950k; approved token bursts in Aug (200k)
 *          and Oct 30 – Nov 2 (300k), a rejected one in Sep, an approved USD one in Sep (other unit,
 *          ignored)                                → bursts in 2 of 3 months: raise to 1.1 × (1M + 300k) = 1,430,000
 *   keep   usd 100: Aug $55, Sep $60, Oct $70      → keep
 *   fresh  usd 100 created 2026-10-15: Oct $10     → did not exist in Sep: no cut, keep
 *   modelOnly: only a model-specific allocation   → not reviewed
 */

const NOW = new Date("2026-11-18T12:00:00Z");

let teams: Record<"cut" | "over" | "bursty" | "keep" | "fresh" | "modelOnly", TestTeam>;
let adminKey: QuotaAuth;
let admin: TestUser;
let lead: TestUser;
let adminPrincipal: Principal;

async function allocate(team: TestTeam, unit: QuotaUnitName, amount: string, createdAt: string, model?: string): Promise<void> {
  const allocation = await createAllocation(adminKey, { team: team.slug, unit, amount, ...(model ? { model } : {}) });
  await prisma.quotaAllocation.update({ where: { id: allocation.id }, data: { createdAt: new Date(createdAt) } });
}

async function burst(team: TestTeam, unit: QuotaUnitName, amount: string, startsAt: string, endsAt: string, decision: "approve" | "reject"): Promise<void> {
  const request = await createBurstRequest(
    { principal: adminPrincipal, now: new Date(Date.parse(startsAt) - 86_400_000) },
    { team: team.slug, unit, amount, starts_at: startsAt, ends_at: endsAt, reason: "review fixture", expected_usage: null, notify: false },
  );
  await decideBurstRequest({ principal: adminPrincipal, now: new Date(startsAt) }, { id: request.id, action: { kind: decision }, notify: false });
}

beforeAll(async () => {
  const world = await createUsageWorld();
  adminKey = { key: await createTestKey(["admin"]) };
  teams = {
    cut: await createTestTeam(),
    over: await createTestTeam(),
    bursty: await createTestTeam(),
    keep: await createTestTeam(),
    fresh: await createTestTeam(),
    modelOnly: await createTestTeam(),
  };
  admin = await createTestUser({ role: "admin" });
  lead = await createTestUser({ role: "team_lead", teams: [{ slug: teams.cut.slug, role: "lead" }] });
  adminPrincipal = await quotaPrincipal({ cookie: admin.cookie });

  await allocate(teams.cut, "usd", "100", "2026-07-01T00:00:00Z");
  await allocate(teams.cut, "usd", "1", "2026-07-01T00:00:00Z", world.models.openai);
  await allocate(teams.over, "usd", "100", "2026-07-01T00:00:00Z");
  await allocate(teams.bursty, "tokens", "1000000", "2026-07-01T00:00:00Z");
  await allocate(teams.keep, "usd", "100", "2026-07-01T00:00:00Z");
  await allocate(teams.fresh, "usd", "100", "2026-10-15T00:00:00Z");
  await allocate(teams.modelOnly, "usd", "100", "2026-07-01T00:00:00Z", world.models.openai);

  const tag = (team: TestTeam) => ({ team: team.slug });
  const tokens = (at: string, n: number, team: TestTeam) => ({ at, input: n, output: 0, tags: tag(team) });
  await world.ingest([
    usd("2026-08-15T10:00:00Z", 80, tag(teams.cut)),
    usd("2026-09-15T10:00:00Z", 30, tag(teams.cut)),
    usd("2026-10-15T10:00:00Z", 20, tag(teams.cut)),
    usd("2026-08-15T10:00:00Z", 50, tag(teams.over)),
    usd("2026-09-15T10:00:00Z", 60, tag(teams.over)),
    usd("2026-10-01T00:00:00Z", 100, tag(teams.over)),
    usd("2026-10-31T23:59:59.999Z", "30.5", tag(teams.over)),
    usd("2026-11-01T00:00:00Z", 1000, tag(teams.over)), // November: not in the review
    tokens("2026-08-15T10:00:00Z", 800_000, teams.bursty),
    tokens("2026-09-15T10:00:00Z", 900_000, teams.bursty),
    tokens("2026-10-15T10:00:00Z", 950_000, teams.bursty),
    usd("2026-08-15T10:00:00Z", 55, tag(teams.keep)),
    usd("2026-09-15T10:00:00Z", 60, tag(teams.keep)),
    usd("2026-10-15T10:00:00Z", 70, tag(teams.keep)),
    usd("2026-10-20T10:00:00Z", 10, tag(teams.fresh)),
    usd("2026-10-20T10:00:00Z", 5, tag(teams.modelOnly)),
  ]);
  await burst(teams.bursty, "tokens", "200000", "2026-08-10T00:00:00Z", "2026-08-12T00:00:00Z", "approve");
  await burst(teams.bursty, "tokens", "100000", "2026-09-10T00:00:00Z", "2026-09-12T00:00:00Z", "reject");
  await burst(teams.bursty, "usd", "999", "2026-09-20T00:00:00Z", "2026-09-22T00:00:00Z", "approve");
  await burst(teams.bursty, "tokens", "300000", "2026-10-30T00:00:00Z", "2026-11-02T00:00:00Z", "approve");
});

const month = (key: string, used: string, utilization: string | null, approved = 0, requested = 0) => ({
  month: key,
  used,
  utilization,
  bursts_approved: approved,
  bursts_requested: requested,
});

function expected(): Record<keyof typeof teams, ReviewTeamView | undefined> {
  const usdEntry = (team: TestTeam, rest: Omit<ReviewTeamView, "team" | "unit" | "allocation_id" | "allocation">) => ({
    team: team.slug,
    unit: "usd" as const,
    allocation_id: expect.any(String) as unknown as string,
    allocation: "100.000000000000",
    ...rest,
  });
  return {
    cut: usdEntry(teams.cut, {
      used: "20.000000000000",
      utilization: "0.2000",
      bursts_approved: 0,
      bursts_requested: 0,
      refused_checks: 0,
      suggestion: { kind: "cut", amount: "36.000000000000", reason: "Used under 50% of the baseline in both 2026-09 (30.0%) and 2026-10 (20.0%): cut to 120% of the higher month." },
      history: [month("2026-08", "80.000000000000", "0.8000"), month("2026-09", "30.000000000000", "0.3000"), month("2026-10", "20.000000000000", "0.2000")],
    }),
    over: usdEntry(teams.over, {
      used: "130.500000000000",
      utilization: "1.3050",
      bursts_approved: 0,
      bursts_requested: 0,
      refused_checks: 0,
      suggestion: { kind: "raise", amount: "143.550000000000", reason: "Used 130.5% of the baseline in 2026-10 (over 100%): raise to 110% of the peak need in 2026-08..2026-10." },
      history: [month("2026-08", "50.000000000000", "0.5000"), month("2026-09", "60.000000000000", "0.6000"), month("2026-10", "130.500000000000", "1.3050")],
    }),
    bursty: {
      team: teams.bursty.slug,
      unit: "tokens",
      allocation_id: expect.any(String) as unknown as string,
      allocation: "1000000",
      used: "950000",
      utilization: "0.9500",
      bursts_approved: 1,
      bursts_requested: 1,
      refused_checks: 0,
      suggestion: { kind: "raise", amount: "1430000", reason: "Needed approved bursts in 2 of the 3 months 2026-08..2026-10: raise to 110% of the peak need." },
      history: [month("2026-08", "800000", "0.8000", 1, 1), month("2026-09", "900000", "0.9000", 0, 1), month("2026-10", "950000", "0.9500", 1, 1)],
    },
    keep: usdEntry(teams.keep, {
      used: "70.000000000000",
      utilization: "0.7000",
      bursts_approved: 0,
      bursts_requested: 0,
      refused_checks: 0,
      suggestion: { kind: "keep", amount: null, reason: "Used 70.0% of the baseline in 2026-10: no change suggested." },
      history: [month("2026-08", "55.000000000000", "0.5500"), month("2026-09", "60.000000000000", "0.6000"), month("2026-10", "70.000000000000", "0.7000")],
    }),
    fresh: usdEntry(teams.fresh, {
      used: "10.000000000000",
      utilization: "0.1000",
      bursts_approved: 0,
      bursts_requested: 0,
      refused_checks: 0,
      suggestion: { kind: "keep", amount: null, reason: "Used 10.0% of the baseline in 2026-10: no change suggested." },
      history: [month("2026-08", "0.000000000000", null), month("2026-09", "0.000000000000", null), month("2026-10", "10.000000000000", "0.1000")],
    }),
    modelOnly: undefined,
  };
}

describe("the monthly review", () => {
  it("default month (the last complete one), one entry per team-wide allocation, suggestions exact", async () => {
    const review = await getQuotaReview({ principal: adminPrincipal, now: NOW }, {});
    expect(review.month).toBe("2026-10");
    const slugs = Object.values(teams).map((t) => t.slug);
    const ours = review.teams.filter((entry) => slugs.includes(entry.team));
    expect(ours.map((e) => e.team)).toEqual([...ours.map((e) => e.team)].sort());
    const want = expected();
    for (const [name, team] of Object.entries(teams) as [keyof typeof teams, TestTeam][]) {
      expect({ name, entry: ours.find((e) => e.team === team.slug) }).toEqual({ name, entry: want[name] });
    }
  });

  it("another month shifts the window: 2026-09 for the cut team is a keep (August was 80%)", async () => {
    const review = await getQuotaReview({ principal: adminPrincipal, now: NOW }, { month: "2026-09" });
    expect(review.teams.find((e) => e.team === teams.cut.slug)).toMatchObject({
      used: "30.000000000000",
      suggestion: { kind: "keep", amount: null, reason: "Used 30.0% of the baseline in 2026-09: no change suggested." },
      history: [month("2026-07", "0.000000000000", "0.0000"), month("2026-08", "80.000000000000", "0.8000"), month("2026-09", "30.000000000000", "0.3000")],
    });
  });

  it("the route: team-scoped, ?month= validated", async () => {
    const { status, body } = await getReview({ cookie: admin.cookie }, "2026-10");
    expect(status).toBe(200);
    const want = expected();
    expect(body.teams.find((e) => e.team === teams.over.slug)).toEqual(want.over);
    const mine = await getReview({ cookie: lead.cookie }, "2026-10");
    expect(mine.body).toEqual({ month: "2026-10", teams: [want.cut] });
    expect((await getReview({ key: await createTestKey(["read"]) }, "2026-10")).body.teams.length).toBe(5);
    expect((await getReview({ cookie: admin.cookie }, "2026-13")).status).toBe(400);
    expect((await getReview({ cookie: admin.cookie }, "October")).status).toBe(400);
    expect((await getReview({ key: await createTestKey(["ingest"]) }, "2026-10")).status).toBe(403);
    expect((await getReview(null)).status).toBe(401);
  });
});
