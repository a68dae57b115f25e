import { beforeAll, describe, expect, it } from "vitest";
import { PATCH as patchRule } from "@/app/api/v1/alert-rules/[id]/route";
import { prisma } from "@/lib/db";
import type { FiredAlert } from "@/lib/alerts/evaluate";
import { ensureDefaultRules } from "@/lib/alerts/default-rules";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { BASE_URL, createBudget, createPricedModel, evaluateAt, ingest, PROVIDER } from "../factories/alerts";
import { read, routeParams } from "../factories/users";

/**
 * Every rule type on data sent through POST /api/v1/events: it fires on crafted data, and
 * not just below its edge. Each scenario has a month of its own (months apart, further than
 * any rule looks back), and only looks at the alerts of its own type.
 */

let ingestKey: string;
let adminKey: string;
let model: string;

const ofType = (fired: FiredAlert[], type: string) => fired.filter((alert) => alert.type === type);
const days = (first: number, count: number) => Array.from({ length: count }, (_, i) => first + i);
const pad = (n: number) => String(n).padStart(2, "0");

beforeAll(async () => {
  ingestKey = await createTestKey(["ingest"]);
  adminKey = await createTestKey(["admin"]);
  model = await createPricedModel();
  await ensureDefaultRules();
});

describe("budget_threshold and budget_forecast", () => {
  it("fires each threshold crossed by actual spend, and the forecast above the amount", async () => {
    const at80 = await createBudget({ name: "At 80", team: "bud-a", amountUsd: "100" });
    const below80 = await createBudget({ name: "Below 80", team: "bud-b", amountUsd: "100" });
    const roomy = await createBudget({ name: "Roomy", team: "bud-c", amountUsd: "1000" });
    // $8 a day from the 11th to the 20th: $80 / $79.99 / $10 by January 20th
    await ingest(ingestKey, model, [
      ...days(11, 10).map((d) => ({ at: `2025-01-${pad(d)}T10:00:00Z`, usd: "8", tags: { team: "bud-a" } })),
      ...days(11, 9).map((d) => ({ at: `2025-01-${pad(d)}T10:00:00Z`, usd: "8", tags: { team: "bud-b" } })),
      { at: "2025-01-20T10:00:00Z", usd: "7.99", tags: { team: "bud-b" } },
      { at: "2025-01-15T10:00:00Z", usd: "10", tags: { team: "bud-c" } },
    ]);

    const { fired } = await evaluateAt("2025-01-20T12:30:00Z");
    const thresholds = ofType(fired, "budget.threshold").map((a) => [a.budget_id, a.threshold]);
    expect(thresholds.sort()).toEqual(
      [
        [at80, 50],
        [at80, 80],
        [below80, 50],
      ].sort(),
    );
    const at80Alert = ofType(fired, "budget.threshold").find((a) => a.budget_id === at80 && a.threshold === 80);
    expect(at80Alert).toEqual({
      id: expect.any(String),
      type: "budget.threshold",
      budget_id: at80,
      threshold: 80,
      actual_usd: "80.000000000000",
      forecast_usd: expect.stringMatching(/^\d+\.\d{12}$/),
      amount_usd: "100.000000000000",
      scope: { team: "bud-a" },
      period_start: "2025-01-01T00:00:00.000Z",
      message: 'Budget "At 80" has used 80.00% of its $100.00 monthly budget ($80.00 spent), past its 80% threshold.',
      url: `${BASE_URL}/budgets`,
    });

    const forecasts = ofType(fired, "budget.forecast");
    expect(forecasts.map((a) => a.budget_id).sort()).toEqual([at80, below80].sort());
    expect(forecasts.every((a) => Number(a.forecast_usd) > 100)).toBe(true);
    expect(forecasts.some((a) => a.budget_id === roomy)).toBe(false);
  });
});

describe("spend_spike", () => {
  it("fires above baseline × 2 with at least $5 more, per team, for the last hour and for today", async () => {
    const baseline = (team: string, usd: string) =>
      days(13, 7).map((d) => ({ at: `2025-03-${pad(d)}T11:20:00Z`, usd, tags: { team } }));
    await ingest(ingestKey, model, [
      ...baseline("spk-a", "1"),
      { at: "2025-03-20T11:15:00Z", usd: "7", tags: { team: "spk-a" } }, // 7× and $6 more: a spike
      ...baseline("spk-b", "10"),
      { at: "2025-03-20T11:15:00Z", usd: "20", tags: { team: "spk-b" } }, // exactly 2×: not above
      ...baseline("spk-c", "1"),
      { at: "2025-03-20T11:15:00Z", usd: "5.999", tags: { team: "spk-c" } }, // $4.999 more: under the floor
    ]);

    const { fired } = await evaluateAt("2025-03-20T12:30:00Z");
    const spikes = ofType(fired, "spend.spike");
    expect(spikes.map((a) => [a.scope.team, a.window]).sort()).toEqual([
      ["spk-a", "day"],
      ["spk-a", "hour"],
    ]);
    expect(spikes.find((a) => a.window === "hour")).toEqual({
      id: expect.any(String),
      type: "spend.spike",
      actual_usd: "7.000000000000",
      baseline_usd: "1.000000000000",
      window: "hour",
      window_start: "2025-03-20T11:00:00.000Z",
      window_end: "2025-03-20T12:00:00.000Z",
      scope: { team: "spk-a" },
      period_start: "2025-03-20T00:00:00.000Z",
      message:
        "Spend spike (team spk-a): $7.00 in the hour from 2025-03-20 11:00 UTC, against a median of $1.00 for that hour over the previous 7 days (+$6.00).",
      url: `${BASE_URL}/showback`,
    });
    expect(spikes.find((a) => a.window === "day")).toMatchObject({
      actual_usd: "7.000000000000",
      baseline_usd: "1.000000000000",
      window_start: "2025-03-20T00:00:00.000Z",
      window_end: "2025-03-20T13:00:00.000Z",
    });
  });
});

describe("cache_hit_rate_drop", () => {
  it("fires an ongoing drop of at least drop_pp points per team and feature, not one of 14.9", async () => {
    const rule = await prisma.alertRule.findFirstOrThrow({ where: { type: "cache_hit_rate_drop", budgetId: null } });
    const patched = await read<{ effective_params: Record<string, unknown> }>(
      await patchRule(
        apiRequest(`/api/v1/alert-rules/${rule.id}`, { key: adminKey, method: "PATCH", body: { params: { baseline_buckets: 3, min_requests: 1, min_buckets: 2 } } }),
        routeParams({ id: rule.id }),
      ),
    );
    expect(patched.status).toBe(200);
    expect(patched.body.effective_params).toMatchObject({ baseline_buckets: 3, min_requests: 1, min_buckets: 2, drop_pp: 15 });

    const hour = (h: number, feature: string, read: number) => ({
      at: `2025-05-20T${pad(h)}:10:00Z`,
      input: 1000,
      read,
      tags: { team: "cache-a", feature },
    });
    await ingest(ingestKey, model, [
      ...[7, 8, 9].map((h) => hour(h, "cf-1", 600)),
      ...[10, 11].map((h) => hour(h, "cf-1", 300)), // 30 points down, still down
      ...[7, 8, 9].map((h) => hour(h, "cf-2", 600)),
      ...[10, 11].map((h) => hour(h, "cf-2", 451)), // 14.9 points down
      hour(12, "cf-1", 600), // the current hour is not complete: not judged yet
    ]);

    const { fired } = await evaluateAt("2025-05-20T12:30:00Z");
    expect(ofType(fired, "cache.hit_rate_drop")).toEqual([
      {
        id: expect.any(String),
        type: "cache.hit_rate_drop",
        baseline_hit_rate: "0.6000",
        hit_rate: "0.3000",
        drop_pp: "30.00",
        episode_start: "2025-05-20T10:00:00.000Z",
        scope: { team: "cache-a", feature: "cf-1" },
        period_start: "2025-05-20T10:00:00.000Z",
        message:
          "Prompt-cache hit rate (team cache-a, feature cf-1) dropped 30.00 points: 30.00% at its lowest against a baseline of 60.00%, since 2025-05-20 10:00 UTC.",
        url: `${BASE_URL}/cache`,
      },
    ]);
  });
});

describe("tokens_per_request_jump", () => {
  it("fires a feature whose input tokens per request rose 25 %, not one up 24.9 %", async () => {
    await ingest(ingestKey, model, [
      { at: "2025-06-25T10:00:00Z", input: 1000, count: 60, tags: { team: "tok-a", feature: "tj-1" } },
      { at: "2025-07-18T10:00:00Z", input: 1250, count: 60, tags: { team: "tok-a", feature: "tj-1" } },
      { at: "2025-06-25T10:00:00Z", input: 1000, count: 60, tags: { team: "tok-a", feature: "tj-2" } },
      { at: "2025-07-18T10:00:00Z", input: 1249, count: 60, tags: { team: "tok-a", feature: "tj-2" } },
    ]);
    const { fired } = await evaluateAt("2025-07-20T12:30:00Z");
    expect(ofType(fired, "tokens.per_request_jump")).toEqual([
      {
        id: expect.any(String),
        type: "tokens.per_request_jump",
        input_change_pct: "25.0",
        output_change_pct: null,
        avg_input_tokens: "1250.0",
        prior_avg_input_tokens: "1000.0",
        avg_output_tokens: "0.0",
        prior_avg_output_tokens: "0.0",
        scope: { team: "tok-a", feature: "tj-1" },
        period_start: "2025-07-01T00:00:00.000Z",
        message: "Tokens per request jumped (team tok-a, feature tj-1): input +25.0% (1000.0 → 1250.0) in the last 7 days against the 28 days before.",
        url: `${BASE_URL}/cache`,
      },
    ]);
  });
});

describe("unpriced_spend", () => {
  it("fires on any unpriced request this month, and not in a month without any", async () => {
    await ingest(ingestKey, model, [
      { at: "2025-09-05T10:00:00Z", input: 100, model: "no-price-here", count: 3, tags: { team: "unp" } },
      { at: "2025-11-05T10:00:00Z", usd: "1", tags: { team: "unp" } },
    ]);
    const september = await evaluateAt("2025-09-20T12:30:00Z");
    expect(ofType(september.fired, "spend.unpriced")).toEqual([
      {
        id: expect.any(String),
        type: "spend.unpriced",
        unpriced_requests: 3,
        models: [`${PROVIDER}/no-price-here`],
        scope: {},
        period_start: "2025-09-01T00:00:00.000Z",
        message: `3 unpriced requests this month from 1 model (${PROVIDER}/no-price-here): add prices so this spend is counted.`,
        url: `${BASE_URL}/prices`,
      },
    ]);
    const november = await evaluateAt("2025-11-20T12:30:00Z");
    expect(ofType(november.fired, "spend.unpriced")).toEqual([]);
  });
});

describe("untagged_spend", () => {
  it("fires when spend without a team tag is 5.00 % of the month's, not 4.99 %", async () => {
    await ingest(ingestKey, model, [
      { at: "2026-01-05T10:00:00Z", usd: "95", tags: { team: "tagged" } },
      { at: "2026-01-06T10:00:00Z", usd: "5" },
      { at: "2026-03-05T10:00:00Z", usd: "95.01", tags: { team: "tagged" } },
      { at: "2026-03-06T10:00:00Z", usd: "4.99" },
    ]);
    const january = await evaluateAt("2026-01-20T12:30:00Z");
    expect(ofType(january.fired, "spend.untagged")).toEqual([
      {
        id: expect.any(String),
        type: "spend.untagged",
        tag: "team",
        actual_usd: "100.000000000000",
        untagged_usd: "5.000000000000",
        untagged_share_pct: "5.00",
        scope: {},
        period_start: "2026-01-01T00:00:00.000Z",
        message: "5.00% of this month's spend has no team tag: $5.00 of $100.00.",
        url: `${BASE_URL}/showback`,
      },
    ]);
    const march = await evaluateAt("2026-03-20T12:30:00Z");
    expect(ofType(march.fired, "spend.untagged")).toEqual([]);
  });
});

describe("disabled rules", () => {
  it("fire nothing", async () => {
    await prisma.alertRule.updateMany({ where: { type: "untagged_spend" }, data: { enabled: false } });
    await ingest(ingestKey, model, [{ at: "2026-05-06T10:00:00Z", usd: "5" }]);
    const { fired, errors } = await evaluateAt("2026-05-20T12:30:00Z");
    expect(ofType(fired, "spend.untagged")).toEqual([]);
    expect(errors).toEqual([]);
    await prisma.alertRule.updateMany({ where: { type: "untagged_spend" }, data: { enabled: true } });
  });
});
