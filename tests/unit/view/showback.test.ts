import { describe, expect, it } from "vitest";
import { buildShowbackRows, daysOf, previousWindow, showbackCsv, sortShowbackRows, type SpendRow } from "@/lib/view/showback";

function row(keys: Record<string, string | null>, cost: string, requests = 1, extra: Partial<Record<string, number>> = {}): SpendRow {
  return {
    ...keys,
    cost_usd: cost,
    requests,
    input_tokens: 0,
    output_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    reasoning_output_tokens: 0,
    response_cache_hits: 0,
    retries: 0,
    unpriced_requests: 0,
    ...extra,
  };
}

const days = ["2026-11-01", "2026-11-02", "2026-11-03"];
const input = {
  primary: "team" as const,
  secondary: "feature" as const,
  current: [
    row({ team: "search", feature: "rewrite" }, "0.1", 3, { retries: 1 }),
    row({ team: "search", feature: "answer" }, "0.2", 2),
    row({ team: null, feature: null }, "0.3", 5, { unpriced_requests: 2 }),
    row({ team: "growth", feature: "email" }, "0.4", 1),
  ],
  previous: [row({ team: "search", feature: "rewrite" }, "0.2"), row({ team: "search", feature: "answer" }, "0.2"), row({ team: null, feature: null }, "0.1")],
  daily: [
    row({ team: "search", day: "2026-11-01" }, "0.1"),
    row({ team: "search", day: "2026-11-03" }, "0.2"),
    row({ team: "growth", day: "2026-11-02" }, "0.4"),
    row({ team: "search", day: "2026-10-31" }, "9"),
  ],
  days,
  totalCostUsd: "1",
};

describe("buildShowbackRows", () => {
  const rows = buildShowbackRows(input);
  const byId = Object.fromEntries(rows.map((r) => [r.id, r]));

  it("sums children into their group exactly (0.1 + 0.2 = 0.3, not 0.30000000000000004)", () => {
    expect(byId.search?.measures.cost_usd).toBe("0.3");
    expect(byId.search?.measures.requests).toBe(5);
    expect(byId.search?.measures.retries).toBe(1);
    expect(byId.search?.children.map((c) => [c.key, c.measures.cost_usd])).toEqual([
      ["rewrite", "0.1"],
      ["answer", "0.2"],
    ]);
  });

  it("computes shares of the total and changes vs the previous period", () => {
    expect(byId.search?.share).toBe("0.3");
    expect(byId.search?.previousCostUsd).toBe("0.4");
    expect(byId.search?.change).toBe("-0.25");
    expect(byId.search?.children[0]?.change).toBe("-0.5");
    expect(byId.growth?.change).toBeNull(); // nothing last period: no percentage to show
    expect(byId["∅"]?.key).toBeNull();
    expect(byId["∅"]?.change).toBe("2");
    expect(byId["∅"]?.measures.unpriced_requests).toBe(2);
  });

  it("lays the daily series on the window's days, ignoring days outside it", () => {
    expect(byId.search?.daily).toEqual(["0.1", "0", "0.2"]);
    expect(byId.growth?.daily).toEqual(["0", "0.4", "0"]);
    expect(byId["∅"]?.daily).toEqual(["0", "0", "0"]);
  });

  it("has no share when the period cost nothing", () => {
    const free = buildShowbackRows({ ...input, secondary: null, current: [row({ team: "a" }, "0")], totalCostUsd: "0" });
    expect(free[0]?.share).toBeNull();
  });
});

describe("sortShowbackRows", () => {
  const rows = buildShowbackRows(input);
  it("sorts by cost descending, children too; equal costs by name, untagged last", () => {
    const sorted = sortShowbackRows(rows, { key: "cost_usd", direction: "desc" });
    expect(sorted.map((r) => r.key)).toEqual(["growth", "search", null]);
    expect(sorted[1]?.children.map((c) => c.key)).toEqual(["answer", "rewrite"]);
  });
  it("sorts names with untagged last both ways", () => {
    expect(sortShowbackRows(rows, { key: "key", direction: "asc" }).map((r) => r.key)).toEqual(["growth", "search", null]);
    expect(sortShowbackRows(rows, { key: "requests", direction: "asc" }).map((r) => r.key)).toEqual(["growth", "search", null]);
  });
  it("puts rows without a change first when ascending", () => {
    expect(sortShowbackRows(rows, { key: "change", direction: "asc" }).map((r) => r.key)).toEqual(["growth", "search", null]);
  });
});

describe("showbackCsv", () => {
  it("writes exactly the visible rows, with exact decimals and quoted names", () => {
    const rows = sortShowbackRows(
      buildShowbackRows({ ...input, current: [...input.current, row({ team: 'say "hi", ok', feature: "x" }, "0.000000000001")] }),
      { key: "cost_usd", direction: "desc" },
    );
    const csv = showbackCsv(rows, "team", "feature", new Set(["search"]));
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "team,feature,cost_usd,requests,retries,retry_cost_usd,error_cost_usd,input_tokens,cache_read_input_tokens,cache_creation_input_tokens,output_tokens,reasoning_output_tokens,response_cache_hits,unpriced_requests,reported_cost_usd,share,previous_cost_usd,change",
    );
    expect(lines).toEqual([
      lines[0],
      "growth,(all),0.4,1,0,0,0,0,0,0,0,0,0,0,,0.4,0,",
      "search,(all),0.3,5,1,0,0,0,0,0,0,0,0,0,,0.3,0.4,-0.25",
      "search,answer,0.2,2,0,0,0,0,0,0,0,0,0,0,,0.2,0.2,0",
      "search,rewrite,0.1,3,1,0,0,0,0,0,0,0,0,0,,0.1,0.2,-0.5",
      ",(all),0.3,5,0,0,0,0,0,0,0,0,0,2,,0.3,0.1,2",
      '"say ""hi"", ok",(all),0.000000000001,1,0,0,0,0,0,0,0,0,0,0,,0.000000000001,0,',
    ]);
  });
});

describe("showbackCsv formula neutralization", () => {
  it("prefixes hostile team and feature names with ' and keeps negative changes as numbers", () => {
    const rows = buildShowbackRows({
      ...input,
      current: [row({ team: "=HYPERLINK(\"http://x\")", feature: "@SUM(1)" }, "0.1"), row({ team: "+cmd", feature: "-2+3" }, "0.1")],
      previous: [row({ team: "+cmd", feature: "-2+3" }, "0.4")],
      daily: [],
    });
    const lines = showbackCsv(rows, "team", "feature", "all").trimEnd().split("\r\n");
    expect(lines.slice(1)).toEqual([
      '"\'=HYPERLINK(""http://x"")",(all),0.1,1,0,0,0,0,0,0,0,0,0,0,,0.1,0,',
      '"\'=HYPERLINK(""http://x"")",\'@SUM(1),0.1,1,0,0,0,0,0,0,0,0,0,0,,0.1,0,',
      "'+cmd,(all),0.1,1,0,0,0,0,0,0,0,0,0,0,,0.1,0.4,-0.75",
      "'+cmd,'-2+3,0.1,1,0,0,0,0,0,0,0,0,0,0,,0.1,0.4,-0.75",
    ]);
  });
});

describe("windows", () => {
  it("lists the UTC days of [from, to) and the previous period of the same length", () => {
    expect(daysOf(new Date("2026-10-30T00:00:00Z"), new Date("2026-11-02T00:00:00Z"))).toEqual(["2026-10-30", "2026-10-31", "2026-11-01"]);
    const prev = previousWindow(new Date("2026-11-01T00:00:00Z"), new Date("2026-11-11T00:00:00Z"));
    expect([prev.from.toISOString(), prev.to.toISOString()]).toEqual(["2026-10-22T00:00:00.000Z", "2026-11-01T00:00:00.000Z"]);
  });
});

describe("reported cost (what senders such as LiteLLM said calls cost)", () => {
  it("sums exactly where reported, stays null where nobody reported, and sorts nulls first ascending", () => {
    const rows = buildShowbackRows({
      ...input,
      current: [
        { ...row({ team: "search", feature: "rewrite" }, "0.1"), reported_cost_usd: "0.000000000001" },
        { ...row({ team: "search", feature: "answer" }, "0.2"), reported_cost_usd: "0.3" },
        row({ team: "search", feature: "other" }, "0.05"),
        row({ team: "growth", feature: "email" }, "0.4"),
      ],
    });
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId.search?.measures.reported_cost_usd).toBe("0.300000000001");
    expect(byId.growth?.measures.reported_cost_usd).toBeNull();
    expect(byId.search?.children.find((c) => c.key === "other")?.measures.reported_cost_usd).toBeNull();
    expect(sortShowbackRows(rows, { key: "reported_cost_usd", direction: "asc" }).map((r) => r.key)).toEqual(["growth", "search"]);
    const csv = showbackCsv(rows, "team", "feature", "all").split("\r\n");
    const header = csv[0]?.split(",") ?? [];
    const column = header.indexOf("reported_cost_usd");
    expect(column).toBeGreaterThan(0);
    const cells = Object.fromEntries(csv.slice(1, -1).map((line) => [line.split(",").slice(0, 2).join("/"), line.split(",")[column]]));
    expect(cells["search/(all)"]).toBe("0.300000000001");
    expect(cells["growth/(all)"]).toBe("");
  });
});

describe("retry and error cost (the part of the spend spent on retries and on failed calls)", () => {
  const rows = buildShowbackRows({
    ...input,
    current: [
      { ...row({ team: "search", feature: "rewrite" }, "10.5", 3, { retries: 2 }), retry_cost_usd: "9.100000000001", error_cost_usd: "0.9" },
      { ...row({ team: "search", feature: "answer" }, "0.2"), retry_cost_usd: "0.2", error_cost_usd: "0.000000000000" },
      { ...row({ team: "growth", feature: "email" }, "20"), retry_cost_usd: "10.1", error_cost_usd: "2" },
      // An older answer without the fields counts as 0.
      row({ team: "support", feature: "chat" }, "0.05"),
    ],
  });
  const byId = Object.fromEntries(rows.map((r) => [r.id, r]));

  it("sums them exactly per group, like cost_usd (9.100000000001 + 0.2, not a float)", () => {
    expect(byId.search?.measures.retry_cost_usd).toBe("9.300000000001");
    expect(byId.search?.measures.error_cost_usd).toBe("0.9");
    expect(byId.search?.children.map((c) => [c.key, c.measures.retry_cost_usd, c.measures.error_cost_usd])).toEqual([
      ["rewrite", "9.100000000001", "0.9"],
      ["answer", "0.2", "0"],
    ]);
    expect(byId.support?.measures.retry_cost_usd).toBe("0");
    expect(byId.support?.measures.error_cost_usd).toBe("0");
  });

  it("sorts by them as amounts, not as text (10.1 above 9.300000000001, 2 above 0.9)", () => {
    expect(sortShowbackRows(rows, { key: "retry_cost_usd", direction: "desc" }).map((r) => r.key)).toEqual(["growth", "search", "support"]);
    expect(sortShowbackRows(rows, { key: "error_cost_usd", direction: "asc" }).map((r) => r.key)).toEqual(["support", "search", "growth"]);
    const sorted = sortShowbackRows(rows, { key: "retry_cost_usd", direction: "asc" });
    expect(sorted.find((r) => r.key === "search")?.children.map((c) => c.key)).toEqual(["answer", "rewrite"]);
  });

  it("writes them to the CSV right after retries, exact", () => {
    const csv = showbackCsv(sortShowbackRows(rows, { key: "cost_usd", direction: "desc" }), "team", "feature", "all").trimEnd().split("\r\n");
    const header = csv[0]?.split(",") ?? [];
    expect(header.slice(2, 7)).toEqual(["cost_usd", "requests", "retries", "retry_cost_usd", "error_cost_usd"]);
    expect(csv.slice(1).map((line) => line.split(",").slice(0, 7).join(","))).toEqual([
      "growth,(all),20,1,0,10.1,2",
      "growth,email,20,1,0,10.1,2",
      "search,(all),10.7,4,2,9.300000000001,0.9",
      "search,rewrite,10.5,3,2,9.100000000001,0.9",
      "search,answer,0.2,1,0,0.2,0",
      "support,(all),0.05,1,0,0,0",
      "support,chat,0.05,1,0,0,0",
    ]);
  });
});
