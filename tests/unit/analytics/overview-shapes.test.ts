import { describe, expect, it } from "vitest";
import { stackTopModels, weekTrend, type DailySpend } from "@/lib/analytics/overview";

describe("stackTopModels", () => {
  it("keeps the most expensive models and folds the rest into other, per day, exactly", () => {
    const rows = [
      { day: "d1", model: "a", costUsd: "5" },
      { day: "d1", model: "b", costUsd: "0.1" },
      { day: "d1", model: "c", costUsd: "0.2" },
      { day: "d2", model: "b", costUsd: "3" },
      { day: "d2", model: "c", costUsd: "0.7" },
    ];
    const stacked = stackTopModels(rows, 2);
    expect(stacked.models).toEqual(["a", "b", "other"]);
    expect(stacked.rows).toEqual([
      { day: "d1", model: "a", costUsd: "5" },
      { day: "d1", model: "b", costUsd: "0.1" },
      { day: "d1", model: "other", costUsd: "0.2" },
      { day: "d2", model: "b", costUsd: "3" },
      { day: "d2", model: "other", costUsd: "0.7" },
    ]);
    expect(stackTopModels(rows, 5).models).toEqual(["a", "b", "c"]);
  });
});

describe("weekTrend", () => {
  const day = (i: number, cost: string): DailySpend => ({ day: `2026-11-${String(i).padStart(2, "0")}`, costUsd: cost, requests: 1, unpricedRequests: 0 });

  it("compares the last 7 complete days with the 7 before, leaving today out", () => {
    const days = Array.from({ length: 16 }, (_, i) => day(i + 1, i < 8 ? "0.1" : "0.2"));
    days[15] = day(16, "1000"); // today, partial
    expect(weekTrend(days)).toEqual({ lastSevenDaysCostUsd: "1.4", priorSevenDaysCostUsd: "0.7", firstDay: "2026-11-09", lastDay: "2026-11-15" });
  });

  it("needs 14 complete days", () => {
    expect(weekTrend(Array.from({ length: 14 }, (_, i) => day(i + 1, "1")))).toBeNull();
  });
});
