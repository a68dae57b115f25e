import { describe, expect, it } from "vitest";
import { isMissingPartition, monthKey, monthStart, partitionsPastRetention, retentionCutoff, unknownMonths, type EventPartition } from "@/lib/db/partitions";

const partition = (from: string, to: string): EventPartition => ({ name: `usage_events_${from.slice(0, 7).replace("-", "_")}`, from: new Date(from), to: new Date(to) });

describe("monthly event partitions", () => {
  it("names and month starts are UTC", () => {
    expect(monthKey(new Date("2026-12-31T23:59:59.999Z"))).toBe("2026_12");
    expect(monthKey(new Date("2027-01-01T00:00:00.000Z"))).toBe("2027_01");
    expect(monthStart(new Date("2026-03-15T10:00:00Z")).toISOString()).toBe("2026-03-01T00:00:00.000Z");
    expect(monthStart(new Date("2026-11-15T10:00:00Z"), 2).toISOString()).toBe("2027-01-01T00:00:00.000Z");
    expect(monthStart(new Date("2026-01-15T10:00:00Z"), -1).toISOString()).toBe("2025-12-01T00:00:00.000Z");
  });

  it("keeping N months keeps this month and the N - 1 before it", () => {
    const now = new Date("2026-12-02T08:00:00Z");
    expect(retentionCutoff(now, 1).toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(retentionCutoff(now, 3).toISOString()).toBe("2026-10-01T00:00:00.000Z");
    expect(retentionCutoff(now, 13).toISOString()).toBe("2025-12-01T00:00:00.000Z");
  });

  it("only partitions wholly before the cutoff are past the retention; 0 months keeps everything", () => {
    const partitions = [
      partition("2026-08-01T00:00:00Z", "2026-09-01T00:00:00Z"),
      partition("2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z"),
      partition("2026-10-01T00:00:00Z", "2026-11-01T00:00:00Z"),
      partition("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
      partition("2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"),
    ];
    const now = new Date("2026-12-02T08:00:00Z");
    expect(partitionsPastRetention(partitions, now, 3).map((p) => p.name)).toEqual(["usage_events_2026_08", "usage_events_2026_09"]);
    expect(partitionsPastRetention(partitions, now, 1).map((p) => p.name)).toEqual([
      "usage_events_2026_08",
      "usage_events_2026_09",
      "usage_events_2026_10",
      "usage_events_2026_11",
    ]);
    expect(partitionsPastRetention(partitions, now, 0)).toEqual([]);
    expect(partitionsPastRetention(partitions, now, 24)).toEqual([]);
  });

  it("a missing partition is told by SQLSTATE and table, not by the (translatable) message", () => {
    expect(isMissingPartition({ code: "23514", table: "usage_events", message: "keine Partition gefunden" })).toBe(true);
    expect(isMissingPartition({ code: "23514", table: "usage_events", constraint: "usage_events_token_classes" })).toBe(false);
    expect(isMissingPartition({ code: "23514", table: "budgets" })).toBe(false);
    expect(isMissingPartition({ code: "23505", table: "usage_events" })).toBe(false);
    expect(isMissingPartition(null)).toBe(false);
  });
});

describe("unknownMonths", () => {
  it("finds every month of a batch, in first-seen order, however its dates alternate", () => {
    // Years no other test uses: none of these months is known to this process.
    const dates = ["2031-01-31T23:59:59.999Z", "2031-02-01T00:00:00.000Z", "2031-01-15T00:00:00Z", "2031-03-02T00:00:00Z", "2031-02-28T00:00:00Z", "2031-01-01T00:00:00Z"];
    expect(unknownMonths(dates.map((d) => new Date(d)))).toEqual(["2031_01", "2031_02", "2031_03"]);
    expect(unknownMonths([])).toEqual([]);
  });
});
