import { describe, expect, it } from "vitest";
import { READS, type ReadName } from "@/lib/http/read-endpoints";

/**
 * Which READS entries may be answered by the read replica (lib/db/read-routing.ts). The
 * replica may be seconds behind: only the dashboards' and reports' figures over ingested
 * usage read it; quotas, budgets and whatever a page edits and reads back stay on the primary.
 */
const REPLICA: ReadName[] = [
  "spend",
  "forecast",
  "cacheReport",
  "tokensPerRequest",
  "outcomeReport",
  "outcomeCost",
  "tagKeys",
  "savings",
  "featureChanges",
];

describe("READS routing", () => {
  it("sends exactly the usage reports to the replica", () => {
    const names = Object.keys(READS) as ReadName[];
    expect(names.filter((name) => READS[name].reads === "replica").sort()).toEqual([...REPLICA].sort());
    for (const name of names) expect(["replica", "primary"], name).toContain(READS[name].reads);
  });

  it("keeps quotas, budgets, chargeback and edited settings on the primary", () => {
    for (const name of [
      "allocations",
      "burstRequests",
      "quotaReview",
      "budgets",
      "burndown",
      "chargeback",
      "statement",
      "closedMonths",
      "allocationRules",
      "alerts",
      "alertRules",
      "alertChannels",
      "teams",
      "reconciliation",
      "savingsSubstitutes",
      "deferrableFeatures",
    ] as const) {
      expect(READS[name].reads, name).toBe("primary");
    }
  });
});
