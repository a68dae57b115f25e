import { describe, expect, it } from "vitest";
import { getSpendOverview } from "@/lib/analytics/overview";
import { insertEvents } from "../factories/usage";
import { principalWithTeams } from "../factories/users";

// "Now" is 2026-03-10 15:30 UTC: month to date is [Mar 1, Mar 10 16:00), last month's
// same period [Feb 1, Feb 10 16:00), last month [Feb 1, Mar 1).
const now = new Date("2026-03-10T15:30:00Z");

describe("getSpendOverview (usage_rollup_hourly)", () => {
  it("is all zeros on an empty database", async () => {
    const overview = await getSpendOverview({ principal: principalWithTeams("all"), now });
    expect(overview.latestHour).toBeNull();
    expect(overview.monthToDate.costUsd).toMatch(/^0(\.0+)?$/);
    expect(overview.monthToDate.requests).toBe(0);
    expect(overview.topTeams).toEqual([]);
  });

  it("sums exact money per window, counts unpriced and untagged, ranks teams", async () => {
    await insertEvents([
      // this month
      { at: "2026-03-01T00:00:00Z", costUsd: "1.100000000001", team: "search" },
      { at: "2026-03-10T15:59:59Z", costUsd: "2.200000000002", team: "search" }, // current hour counts
      { at: "2026-03-05T12:00:00Z", costUsd: "5.000000000000", team: "support" },
      { at: "2026-03-06T12:00:00Z", costUsd: "0.333333333333", team: null }, // untagged
      { at: "2026-03-07T12:00:00Z", costUsd: null, team: "support", provider: "mistral", model: "mistral-large" },
      { at: "2026-03-07T13:00:00Z", costUsd: null, team: "support", provider: "mistral", model: "mistral-large" },
      { at: "2026-03-10T16:00:00Z", costUsd: "100", team: "search" }, // next hour: after "now"'s hour
      // last month
      { at: "2026-02-01T00:00:00Z", costUsd: "3.000000000000", team: "search" },
      { at: "2026-02-10T15:00:00Z", costUsd: "0.5", team: "search" }, // inside the same period
      { at: "2026-02-10T16:00:00Z", costUsd: "7", team: "growth" }, // after the same period
      { at: "2026-02-28T23:59:59Z", costUsd: "0.000000000001", team: "growth" },
      // before the window
      { at: "2026-01-31T23:59:59Z", costUsd: "1000", team: "search" },
    ]);

    const overview = await getSpendOverview({ principal: principalWithTeams("all"), now });
    const mtd = overview.monthToDate;
    // 1.100000000001 + 2.200000000002 + 5 + 0.333333333333
    expect(Number.parseFloat(mtd.costUsd)).not.toBeNaN();
    expect(mtd.costUsd.replace(/0+$/, "")).toBe("8.633333333336");
    expect(mtd.requests).toBe(6);
    expect(mtd.unpricedRequests).toBe(2);
    expect(mtd.unpricedModels).toBe(1);
    expect(mtd.untaggedCostUsd.replace(/0+$/, "")).toBe("0.333333333333");
    expect(mtd.inputTokens).toBe(600);

    expect(overview.lastMonthSamePeriodCostUsd.replace(/0+$/, "")).toBe("3.5");
    expect(overview.lastMonthCostUsd.replace(/0+$/, "")).toBe("10.500000000001");
    expect(overview.lastMonthRequests).toBe(4);

    expect(overview.topTeams.map((t) => [t.team, t.costUsd.replace(/0+$/, "").replace(/\.$/, "")])).toEqual([
      ["support", "5"],
      ["search", "3.300000000003"],
    ]);
    expect(overview.latestHour?.toISOString()).toBe("2026-03-10T16:00:00.000Z");
    const march5 = overview.daily.find((d) => d.day === "2026-03-05");
    expect(march5?.costUsd.replace(/0+$/, "").replace(/\.$/, "")).toBe("5");
  });
});

describe("getSpendOverview: models, features and team scope", () => {
  // A month of its own (May 2026) so the rows above do not count here.
  const may = new Date("2026-05-20T12:00:00Z");

  it("stacks daily spend by model, ranks features, and scopes every figure to the caller's teams", async () => {
    await insertEvents([
      { at: "2026-05-02T10:00:00Z", costUsd: "1.5", team: "alpha", feature: "chat", model: "m-big" },
      { at: "2026-05-02T11:00:00Z", costUsd: "0.25", team: "alpha", feature: "chat", model: "m-small" },
      { at: "2026-05-03T10:00:00Z", costUsd: "2", team: "beta", feature: "search", model: "m-big" },
      { at: "2026-05-03T10:30:00Z", costUsd: "0.125", team: null, feature: "orphan", model: "m-small" },
    ]);

    const all = await getSpendOverview({ principal: principalWithTeams("all"), now: may });
    expect(all.models).toEqual(["openai/m-big", "openai/m-small"]);
    expect(all.dailyByModel.filter((r) => r.day.startsWith("2026-05-0")).sort((a, b) => (a.day + a.model).localeCompare(b.day + b.model))).toEqual([
      { day: "2026-05-02", model: "openai/m-big", costUsd: "1.5" },
      { day: "2026-05-02", model: "openai/m-small", costUsd: "0.25" },
      { day: "2026-05-03", model: "openai/m-big", costUsd: "2" },
      { day: "2026-05-03", model: "openai/m-small", costUsd: "0.125" },
    ]);
    expect(all.topFeatures.map((f) => [f.team, f.feature, Number(f.costUsd)])).toEqual([
      ["beta", "search", 2],
      ["alpha", "chat", 1.75],
      [null, "orphan", 0.125],
    ]);

    const alphaOnly = await getSpendOverview({ principal: principalWithTeams(["alpha"]), now: may });
    expect(alphaOnly.monthToDate.costUsd.replace(/0+$/, "")).toBe("1.75");
    expect(alphaOnly.monthToDate.requests).toBe(2);
    expect(Number(alphaOnly.monthToDate.untaggedCostUsd)).toBe(0);
    expect(alphaOnly.topTeams.map((t) => t.team)).toEqual(["alpha"]);
    expect(alphaOnly.topFeatures.map((f) => f.feature)).toEqual(["chat"]);
    expect(alphaOnly.dailyByModel.every((r) => r.day === "2026-05-02")).toBe(true);

    const nobody = await getSpendOverview({ principal: principalWithTeams([]), now: may });
    expect(nobody.monthToDate.requests).toBe(0);
    expect(nobody.latestHour).toBeNull();
  });
});
