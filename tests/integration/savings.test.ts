import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST as postDeferrable } from "@/app/api/v1/savings/deferrable/route";
import { POST as postDismissal } from "@/app/api/v1/savings/dismissals/route";
import { GET as getSavingsRoute } from "@/app/api/v1/savings/route";
import { POST as postSubstitute } from "@/app/api/v1/savings/substitutes/route";
import { GET as listChangesRoute, POST as postChangeRoute } from "@/app/api/v1/feature-changes/route";
import type { FeatureChangeView } from "@/lib/savings/feature-changes";
import { createPricedModel } from "../factories/alerts";
import type { SavingsReport } from "@/lib/savings/savings";
import { getPool, prisma } from "@/lib/db";
import { insertPrice } from "@/lib/pricing/price-store";
import { createTestKey } from "../factories/api-keys";
import { ingest, PROVIDER, type UsageSpec } from "../factories/alerts";
import { createTestUser, detailPaths, read, sessionRequest, type TestUser } from "../factories/users";

/**
 * The savings advisor (issue 18, item 2) against real ingested usage: exact projections for a
 * model swap, the batch tier and prompt caching (re-pricing the window's actual token classes
 * at current prices, held to 1e-12), the run rate, dismissals, and who may declare what.
 */

let admin: TestUser;
let finance: TestUser;
let lead: TestUser;
const suffix = randomUUID().slice(0, 8);
const BIG = `big-${suffix}`;
const SMALL = `small-${suffix}`;
const TEAM = `sav-a-${suffix}`;
const OTHER = `sav-b-${suffix}`;
const WINDOW = "from=2026-08-03&to=2026-08-31"; // four Mondays-to-Mondays: 28 days

const rates = (input: string, output: string, read: string) => ({
  inputPerMtok: input,
  outputPerMtok: output,
  cacheReadPerMtok: read,
  cacheWritePerMtok: input,
  cacheWrite1hPerMtok: input,
  reasoningPerMtok: output,
});

beforeAll(async () => {
  admin = await createTestUser({ role: "admin" });
  finance = await createTestUser({ role: "finance" });
  lead = await createTestUser({ role: "team_lead", teams: [{ slug: TEAM, role: "lead" }] });
  const from = new Date("2020-01-01T00:00:00Z");
  await insertPrice(getPool(), { provider: PROVIDER, model: BIG, serviceTier: "standard", effectiveFrom: from, rates: rates("10", "30", "1") });
  await insertPrice(getPool(), { provider: PROVIDER, model: BIG, serviceTier: "batch", effectiveFrom: from, rates: rates("5", "15", "0.5") });
  await insertPrice(getPool(), { provider: PROVIDER, model: SMALL, serviceTier: "standard", effectiveFrom: from, rates: rates("1", "3", "0.1") });
  const key = await createTestKey(["ingest"]);
  // 60 calls a week of 2,000 input tokens (100 output): 60% read from the cache in the first
  // week, 10% in the three after. Another team's calls, to check scoping.
  const week = (day: string, read: number): UsageSpec => ({ at: `${day}T10:00:00Z`, input: 2000, read, output: 100, count: 60, model: BIG, tags: { team: TEAM, feature: "chat" } });
  await ingest(key, BIG, [
    week("2026-08-04", 1200),
    week("2026-08-11", 200),
    week("2026-08-18", 200),
    week("2026-08-25", 200),
    { at: "2026-08-12T10:00:00Z", input: 5000, output: 500, count: 10, model: BIG, tags: { team: OTHER, feature: "search" } },
  ]);
});

async function savings(user: TestUser, query = WINDOW) {
  return read<SavingsReport>(await getSavingsRoute(sessionRequest(`/api/v1/savings?${query}`, { cookie: user.cookie })));
}

const post = (handler: (request: Request) => Promise<Response>, path: string) => async (user: TestUser, body: unknown) =>
  read<Record<string, unknown>>(await handler(sessionRequest(path, { cookie: user.cookie, method: "POST", body })));
const substitute = post(postSubstitute as (request: Request) => Promise<Response>, "/api/v1/savings/substitutes");
const deferrable = post(postDeferrable as (request: Request) => Promise<Response>, "/api/v1/savings/deferrable");
const dismiss = post(postDismissal as (request: Request) => Promise<Response>, "/api/v1/savings/dismissals");

describe("GET /api/v1/savings", () => {
  it("prices a model swap, the batch tier and prompt caching exactly, largest saving first", async () => {
    // Only the caching opportunity exists before anything is declared.
    const before = await savings(finance);
    expect(before.status).toBe(200);
    expect(before.body.opportunities.map((o) => o.kind)).toEqual(["prompt_caching"]);

    expect((await substitute(lead, { from: { provider: PROVIDER, model: BIG }, to: { provider: PROVIDER, model: SMALL } })).status).toBe(403);
    const declared = await substitute(admin, { from: { provider: PROVIDER, model: BIG }, to: { provider: PROVIDER, model: SMALL }, note: "same family" });
    expect(declared.status).toBe(201);
    const again = await substitute(admin, { from: { provider: PROVIDER, model: BIG }, to: { provider: PROVIDER, model: SMALL } });
    expect([again.status, detailPaths(again.body)]).toEqual([409, ["to"]]);
    expect((await deferrable(lead, { team: TEAM, feature: "chat" })).status).toBe(201);
    const notMine = await deferrable(lead, { team: OTHER, feature: "search" });
    expect([notMine.status, detailPaths(notMine.body)]).toEqual([403, ["team"]]);

    const { body } = await savings(finance);
    // Token classes of TEAM/chat over the window: 480,000 input of which 108,000 read from the
    // cache, 24,000 output. At the current standard price of BIG: 372,000 × $10 + 108,000 × $1
    // + 24,000 × $30 per million = $4.548.
    expect(body.opportunities).toEqual([
      {
        kind: "model_swap",
        team: TEAM,
        feature: "chat",
        provider: PROVIDER,
        model: BIG,
        suggested_provider: PROVIDER,
        suggested_model: SMALL,
        current_cost_usd: "4.548000000000",
        // 372,000 × $1 + 108,000 × $0.10 + 24,000 × $3 per million
        projected_cost_usd: "0.454800000000",
        savings_usd: "4.093200000000",
        // × 30 / 28 days
        savings_per_month_usd: "4.385571428571",
        rationale: expect.stringContaining(SMALL),
      },
      {
        kind: "batch_tier",
        team: TEAM,
        feature: "chat",
        provider: PROVIDER,
        model: BIG,
        suggested_tier: "batch",
        current_cost_usd: "4.548000000000",
        // 372,000 × $5 + 108,000 × $0.50 + 24,000 × $15 per million
        projected_cost_usd: "2.274000000000",
        savings_usd: "2.274000000000",
        savings_per_month_usd: "2.436428571429",
        rationale: expect.stringContaining("deferrable"),
      },
      {
        kind: "prompt_caching",
        team: TEAM,
        feature: "chat",
        provider: PROVIDER,
        model: BIG,
        current_cost_usd: "4.548000000000",
        // The best week's 60% of 480,000 = 288,000 read: 192,000 × $10 + 288,000 × $1 + 24,000 × $30
        projected_cost_usd: "2.928000000000",
        savings_usd: "1.620000000000",
        savings_per_month_usd: "1.735714285714",
        rationale: expect.stringContaining("2026-08-03"),
      },
      {
        // The other team's feature on the same model: 50,000 input and 5,000 output tokens,
        // $0.65 at BIG's price, $0.065 at SMALL's.
        kind: "model_swap",
        team: OTHER,
        feature: "search",
        provider: PROVIDER,
        model: BIG,
        suggested_provider: PROVIDER,
        suggested_model: SMALL,
        current_cost_usd: "0.650000000000",
        projected_cost_usd: "0.065000000000",
        savings_usd: "0.585000000000",
        savings_per_month_usd: "0.626785714286",
        rationale: expect.any(String),
      },
    ]);
    // Alternatives for the same feature and model do not add up: the best of each counts.
    expect(body.total_savings_usd).toBe("4.678200000000");
    expect(body.total_savings_per_month_usd).toBe("5.012357142857");
  });

  it("keeps a lead to their teams, and forgets nothing dismissed", async () => {
    const mine = await savings(lead);
    expect(new Set(mine.body.opportunities.map((o) => o.team))).toEqual(new Set([TEAM]));
    const other = await savings(lead, `${WINDOW}&team=${OTHER}`);
    expect([other.status, detailPaths(other.body)]).toEqual([403, ["team"]]);

    expect((await dismiss(lead, { kind: "model_swap", team: TEAM, feature: "chat", model: BIG })).status).toBe(201);
    expect((await savings(finance)).body.opportunities.map((o) => [o.kind, o.team])).toEqual([
      ["batch_tier", TEAM],
      ["prompt_caching", TEAM],
      ["model_swap", OTHER],
    ]);
    expect(await prisma.savingsDismissal.count({ where: { team: TEAM } })).toBe(1);
    const bad = await dismiss(lead, { kind: "cheaper", team: TEAM, feature: "chat" });
    expect([bad.status, detailPaths(bad.body)]).toEqual([400, ["kind"]]);
    const badWindow = await savings(finance, "from=2026-08-31&to=2026-08-03");
    expect([badWindow.status, detailPaths(badWindow.body)]).toEqual([400, ["to"]]);
  });
});

describe("did the change pay off?", () => {
  it("compares cost per call, success rate and cost per success over equal windows either side of a marked change", async () => {
    const priced = await createPricedModel(); // $1000 per million input tokens
    const key = await createTestKey(["ingest"]);
    const tags = { team: TEAM, feature: "triage" };
    // Before 2026-09-10: 10 calls of $0.01; after: 10 calls of $0.002 (14-day windows either side).
    await ingest(key, priced, [
      { at: "2026-09-05T10:00:00Z", input: 10, count: 10, tags },
      { at: "2026-09-15T10:00:00Z", input: 2, count: 10, tags },
    ]);
    const outcome = (day: string, success: boolean, i: number) => ({
      id: `oc-${suffix}-${day}-${i}`,
      occurredAt: new Date(`${day}T12:00:00Z`),
      traceId: `tr-${suffix}-${day}-${i}`,
      type: "resolved",
      success,
      team: TEAM,
      feature: "triage",
    });
    await prisma.outcome.createMany({
      data: [
        ...Array.from({ length: 10 }, (_, i) => outcome("2026-09-05", i < 9, i)),
        ...Array.from({ length: 10 }, (_, i) => outcome("2026-09-15", i < 6, i)),
      ],
    });

    const refused = await read(await postChangeRoute(sessionRequest("/api/v1/feature-changes", { cookie: lead.cookie, method: "POST", body: { team: OTHER, feature: "triage", at: "2026-09-10T00:00:00Z", description: "x" } })));
    expect([refused.status, detailPaths(refused.body)]).toEqual([403, ["team"]]);
    const marked = await read<FeatureChangeView>(
      await postChangeRoute(
        sessionRequest("/api/v1/feature-changes", { cookie: lead.cookie, method: "POST", body: { team: TEAM, feature: "triage", at: "2026-09-10T00:00:00Z", description: "moved to a smaller model" } }),
      ),
    );
    expect(marked.status).toBe(201);
    const listed = await read<{ changes: FeatureChangeView[] }>(await listChangesRoute(sessionRequest(`/api/v1/feature-changes?team=${TEAM}`, { cookie: finance.cookie })));
    expect(listed.body.changes).toEqual([
      {
        id: marked.body.id,
        team: TEAM,
        feature: "triage",
        at: "2026-09-10T00:00:00.000Z",
        description: "moved to a smaller model",
        before: {
          from: "2026-08-27T00:00:00.000Z",
          to: "2026-09-10T00:00:00.000Z",
          requests: 10,
          cost_usd: "0.100000000000",
          cost_per_request_usd: "0.010000000000",
          outcomes: 10,
          successful: 9,
          success_rate: "0.9000",
          cost_per_success_usd: "0.011111111111",
        },
        after: {
          from: "2026-09-10T00:00:00.000Z",
          to: "2026-09-24T00:00:00.000Z",
          requests: 10,
          cost_usd: "0.020000000000",
          cost_per_request_usd: "0.002000000000",
          outcomes: 10,
          successful: 6,
          success_rate: "0.6000",
          cost_per_success_usd: "0.003333333333",
        },
      },
    ]);
  });
});
