import { describe, expect, it } from "vitest";
import {
  composeFinanceDigest,
  composeTeamDigest,
  digestDue,
  digestDueAt,
  digestEmail,
  digestWeekOf,
  hasSpend,
  signedMoney,
  teamsWithSpend,
  topMovers,
  type DigestBudgetInput,
  type DigestInputs,
  type DigestSpendRow,
  type DigestSummary,
} from "@/lib/digest/compose";

/**
 * The weekly digest's pure core on hand-made numbers; every figure is worked out in the
 * comments. Calendar: 2026-11-16 is a Monday; last week is Nov 9–15, the week before Nov 2–8.
 */

const usd = (amount: string) => {
  const [whole, fraction = ""] = amount.replace("-", "").split(".");
  return `${amount.startsWith("-") ? "-" : ""}${whole}.${fraction.padEnd(12, "0")}`;
};

const row = (team: string | null, feature: string | null, model: string | null, week: "current" | "previous", costUsd: string): DigestSpendRow => ({
  team,
  feature,
  model,
  week,
  costUsd,
});

const WEEK = digestWeekOf(new Date("2026-11-16T06:00:00Z"));

// Team search: the week before 10.5 + 2 + 8 + 3 = 23.5; last week 25.25 + 1 + 0.001 + 3.5 = 29.751.
// Team ads: 0 → 4. No team: 1 → 0. Organisation: 24.5 → 33.751.
const SPEND: DigestSpendRow[] = [
  row("search", "query", "m-large", "previous", "10.5"),
  row("search", "query", "m-large", "current", "25.25"),
  row("search", "query", "m-small", "previous", "2"),
  row("search", "query", "m-small", "current", "1"),
  row("search", "rank", "m-large", "previous", "8"),
  row("search", null, "m-small", "current", "0.001"),
  row("search", "chat", "m-small", "previous", "3"),
  row("search", "chat", "m-small", "current", "3.5"),
  row("ads", "x", "m-small", "current", "4"),
  row(null, null, "m-large", "previous", "1"),
];

const BUDGETS: DigestBudgetInput[] = [
  { id: "b1", name: "Search monthly", team: "search", amountUsd: "100", spentUsd: "40", forecastUsd: "90", status: "ok" },
  { id: "b2", name: "Ads cap", team: "ads", amountUsd: "10", spentUsd: "12", forecastUsd: "20", status: "over" },
  { id: "b3", name: "All spend", team: null, amountUsd: "500", spentUsd: "300", forecastUsd: "600", status: "at_risk" },
  { id: "b4", name: "Another search", team: "search", amountUsd: "50", spentUsd: "30", forecastUsd: "60.5", status: "at_risk" },
];

const SEARCH_ALERTS = {
  open: 4,
  latest: [
    { id: "a1", title: "Spend spike", message: "Spend spike (team search): $9.00 today.", firedAt: "2026-11-15T10:00:00.000Z" },
    { id: "a2", title: "Budget threshold crossed", message: "Another search reached 50%.", firedAt: "2026-11-14T10:00:00.000Z" },
  ],
};

const inputs = (overrides: Partial<DigestInputs> = {}): DigestInputs => ({ week: WEEK, spend: SPEND, alerts: { open: 0, latest: [] }, budgets: BUDGETS, ...overrides });

describe("the digest week", () => {
  it("is the Monday (UTC) at or before now, covering the seven days before it", () => {
    expect(WEEK).toEqual({ week: "2026-11-16", from: "2026-11-09", to: "2026-11-16", previousFrom: "2026-11-02" });
    expect(digestWeekOf(new Date("2026-11-22T23:59:59.999Z")).week).toBe("2026-11-16");
    expect(digestWeekOf(new Date("2026-11-23T00:00:00Z")).week).toBe("2026-11-23");
    expect(digestWeekOf(new Date("2026-12-03T12:00:00Z"))).toEqual({ week: "2026-11-30", from: "2026-11-23", to: "2026-11-30", previousFrom: "2026-11-16" });
  });

  it("is due from Monday 06:00 UTC until the week is over", () => {
    expect(digestDueAt(new Date("2026-11-18T00:00:00Z")).toISOString()).toBe("2026-11-16T06:00:00.000Z");
    expect(digestDue(new Date("2026-11-16T05:59:59.999Z"))).toBe(false);
    expect(digestDue(new Date("2026-11-16T06:00:00Z"))).toBe(true);
    expect(digestDue(new Date("2026-11-17T01:00:00Z"))).toBe(true);
    expect(digestDue(new Date("2026-11-22T23:59:59Z"))).toBe(true);
    // The next Monday before 06:00: last week's is over, this week's not due yet.
    expect(digestDue(new Date("2026-11-23T05:00:00Z"))).toBe(false);
  });
});

describe("movers", () => {
  it("ranks features and models by their change in $, rises and drops apart, at most 3 each", () => {
    const search = SPEND.filter((r) => r.team === "search");
    // Features: query 12.5 → 26.25 (+13.75), rank 8 → 0 (−8), chat 3 → 3.5 (+0.5), none 0 → 0.001.
    // Models: m-large 18.5 → 25.25 (+6.75), m-small 5 → 4.501 (−0.499).
    expect(topMovers(search, ["feature", "model"])).toEqual({
      up: [
        { kind: "feature", name: "query", previousUsd: usd("12.5"), currentUsd: usd("26.25"), changeUsd: usd("13.75"), changePct: "110.00" },
        // 6.75 / 18.5 = 0.364864…
        { kind: "model", name: "m-large", previousUsd: usd("18.5"), currentUsd: usd("25.25"), changeUsd: usd("6.75"), changePct: "36.49" },
        { kind: "feature", name: "chat", previousUsd: usd("3"), currentUsd: usd("3.5"), changeUsd: usd("0.5"), changePct: "16.67" },
      ],
      down: [
        { kind: "feature", name: "rank", previousUsd: usd("8"), currentUsd: usd("0"), changeUsd: usd("-8"), changePct: "-100.00" },
        // −0.499 / 5
        { kind: "model", name: "m-small", previousUsd: usd("5"), currentUsd: usd("4.501"), changeUsd: usd("-0.499"), changePct: "-9.98" },
      ],
    });
  });

  it("leaves out groups that did not move, breaks ties by kind then name, and has no percentage without a week before", () => {
    const rows = [
      row("t", "b", "m", "previous", "1"),
      row("t", "b", "m", "current", "3"),
      row("t", "a", "m", "current", "2"),
      row("t", null, "m", "current", "0"),
      row("t", "same", "n", "previous", "5"),
      row("t", "same", "n", "current", "5"),
    ];
    // a 0 → 2 and b 1 → 3 tie at +2 (a first); model m 1 → 5 (+4); model n and feature "same" unchanged.
    expect(topMovers(rows, ["feature", "model"])).toEqual({
      up: [
        { kind: "model", name: "m", previousUsd: usd("1"), currentUsd: usd("5"), changeUsd: usd("4"), changePct: "400.00" },
        { kind: "feature", name: "a", previousUsd: usd("0"), currentUsd: usd("2"), changeUsd: usd("2"), changePct: null },
        { kind: "feature", name: "b", previousUsd: usd("1"), currentUsd: usd("3"), changeUsd: usd("2"), changePct: "200.00" },
      ],
      down: [],
    });
  });

  it("knows who spent: teams with a non-zero cost in either week", () => {
    expect(teamsWithSpend([...SPEND, row("idle", "f", "m", "current", "0")])).toEqual(["ads", "search"]);
    expect(hasSpend([row("idle", "f", "m", "current", "0")])).toBe(false);
    expect(hasSpend([row(null, null, "m", "previous", "0.000000000001")])).toBe(true);
  });
});

describe("a team's digest", () => {
  it("holds the team's spend, movers, open alerts and budgets, with exact numbers", () => {
    const digest = composeTeamDigest("search", inputs({ alerts: SEARCH_ALERTS }));
    expect(digest).toEqual({
      recipient: "team:search",
      team: "search",
      week: "2026-11-16",
      from: "2026-11-09",
      to: "2026-11-16",
      // 29.751 − 23.5 = 6.251 = 26.6 % of 23.5
      spend: { currentUsd: usd("29.751"), previousUsd: usd("23.5"), changeUsd: usd("6.251"), changePct: "26.60" },
      movers: topMovers(SPEND.filter((r) => r.team === "search"), ["feature", "model"]),
      teams: null,
      alerts: SEARCH_ALERTS,
      budgets: [
        { id: "b4", name: "Another search", team: "search", amountUsd: usd("50"), spentUsd: usd("30"), forecastUsd: usd("60.5"), status: "at_risk" },
        { id: "b1", name: "Search monthly", team: "search", amountUsd: usd("100"), spentUsd: usd("40"), forecastUsd: usd("90"), status: "on_track" },
      ],
      title: "Weekly digest: team search, Nov 9–15",
      message:
        "Spend last week (Nov 9–15): $29.75 vs $23.50 the week before (+$6.25, +26.6%). " +
        "Movers: biggest rise feature query (+$13.75), biggest drop feature rank (-$8.00). " +
        "4 open alerts. Budgets this month: 1 at risk, 1 on track.",
      link: "/showback?from=2026-11-09&to=2026-11-16&team=search&by=feature",
    } satisfies DigestSummary);
  });

  it("a team new last week: no percentage, no drops, no budgets, no alerts", () => {
    const digest = composeTeamDigest("ads", inputs({ budgets: [] }));
    expect(digest.spend).toEqual({ currentUsd: usd("4"), previousUsd: usd("0"), changeUsd: usd("4"), changePct: null });
    expect(digest.movers.down).toEqual([]);
    expect(digest.budgets).toEqual([]);
    expect(digest.message).toBe(
      "Spend last week (Nov 9–15): $4.00 vs $0.00 the week before (+$4.00). Movers: biggest rise feature x (+$4.00). No open alerts.",
    );
  });

  it("a team whose spend did not change at all says so", () => {
    const flat = [row("flat", "f", "m", "previous", "7"), row("flat", "f", "m", "current", "7")];
    const digest = composeTeamDigest("flat", inputs({ spend: flat, budgets: [] }));
    expect(digest.spend.changePct).toBe("0.00");
    expect(digest.message).toBe("Spend last week (Nov 9–15): $7.00 vs $7.00 the week before (no change). No open alerts.");
  });
});

describe("finance's digest", () => {
  it("holds the whole organisation, the teams that moved most, every open alert and budget", () => {
    const alerts = { open: 5, latest: SEARCH_ALERTS.latest };
    const digest = composeFinanceDigest(inputs({ alerts }));
    expect(digest).toEqual({
      recipient: "finance",
      team: null,
      week: "2026-11-16",
      from: "2026-11-09",
      to: "2026-11-16",
      // 33.751 − 24.5 = 9.251; / 24.5 = 0.377591…
      spend: { currentUsd: usd("33.751"), previousUsd: usd("24.5"), changeUsd: usd("9.251"), changePct: "37.76" },
      movers: {
        // Features: query +13.75, x +4, chat +0.5, rank −8, none 1 → 0.001 (−0.999); models: m-large 19.5 → 25.25 (+5.75), m-small 5 → 8.501 (+3.501).
        up: [
          { kind: "feature", name: "query", previousUsd: usd("12.5"), currentUsd: usd("26.25"), changeUsd: usd("13.75"), changePct: "110.00" },
          { kind: "model", name: "m-large", previousUsd: usd("19.5"), currentUsd: usd("25.25"), changeUsd: usd("5.75"), changePct: "29.49" },
          { kind: "feature", name: "x", previousUsd: usd("0"), currentUsd: usd("4"), changeUsd: usd("4"), changePct: null },
        ],
        down: [
          { kind: "feature", name: "rank", previousUsd: usd("8"), currentUsd: usd("0"), changeUsd: usd("-8"), changePct: "-100.00" },
          { kind: "feature", name: null, previousUsd: usd("1"), currentUsd: usd("0.001"), changeUsd: usd("-0.999"), changePct: "-99.90" },
        ],
      },
      teams: {
        up: [
          { kind: "team", name: "search", previousUsd: usd("23.5"), currentUsd: usd("29.751"), changeUsd: usd("6.251"), changePct: "26.60" },
          { kind: "team", name: "ads", previousUsd: usd("0"), currentUsd: usd("4"), changeUsd: usd("4"), changePct: null },
        ],
        down: [{ kind: "team", name: null, previousUsd: usd("1"), currentUsd: usd("0"), changeUsd: usd("-1"), changePct: "-100.00" }],
      },
      alerts,
      budgets: [
        { id: "b2", name: "Ads cap", team: "ads", amountUsd: usd("10"), spentUsd: usd("12"), forecastUsd: usd("20"), status: "over" },
        { id: "b3", name: "All spend", team: null, amountUsd: usd("500"), spentUsd: usd("300"), forecastUsd: usd("600"), status: "at_risk" },
        { id: "b4", name: "Another search", team: "search", amountUsd: usd("50"), spentUsd: usd("30"), forecastUsd: usd("60.5"), status: "at_risk" },
        { id: "b1", name: "Search monthly", team: "search", amountUsd: usd("100"), spentUsd: usd("40"), forecastUsd: usd("90"), status: "on_track" },
      ],
      title: "Weekly digest: all teams, Nov 9–15",
      message:
        "Spend last week (Nov 9–15): $33.75 vs $24.50 the week before (+$9.25, +37.8%). " +
        "Teams: biggest rise team search (+$6.25), biggest drop no team (-$1.00). " +
        "Movers: biggest rise feature query (+$13.75), biggest drop feature rank (-$8.00). " +
        "5 open alerts. Budgets this month: 1 over, 2 at risk, 1 on track.",
      link: "/showback?from=2026-11-09&to=2026-11-16",
    } satisfies DigestSummary);
  });

  it("names a week across two months", () => {
    const digest = composeFinanceDigest(inputs({ week: digestWeekOf(new Date("2026-12-07T06:00:00Z")), budgets: [] }));
    expect(digest.title).toBe("Weekly digest: all teams, Nov 30–Dec 6");
    expect(digest.link).toBe("/showback?from=2026-11-30&to=2026-12-07");
  });
});

describe("the email", () => {
  it("is plain text with every mover, the newest alerts, the budgets and an absolute link", () => {
    const digest = composeTeamDigest("search", inputs({ alerts: SEARCH_ALERTS }));
    expect(digestEmail(digest, "https://burnrate.example/")).toEqual({
      subject: "[Burnrate] Weekly digest: team search, Nov 9–15",
      text: [
        "Weekly digest: team search, Nov 9–15",
        "",
        "Spend last week (Nov 9–15): $29.75 vs $23.50 the week before (+$6.25, +26.6%).",
        "",
        "Features and models that moved most:",
        "  feature query: $12.50 -> $26.25 (+$13.75, +110.0%)",
        "  model m-large: $18.50 -> $25.25 (+$6.75, +36.5%)",
        "  feature chat: $3.00 -> $3.50 (+$0.50, +16.7%)",
        "  feature rank: $8.00 -> $0.00 (-$8.00, -100.0%)",
        "  model m-small: $5.00 -> $4.50 (-$0.50, -10.0%)",
        "",
        "Open alerts: 4",
        "  Spend spike: Spend spike (team search): $9.00 today.",
        "  Budget threshold crossed: Another search reached 50%.",
        "  and 2 more",
        "",
        "Budgets this month (forecast vs amount):",
        "  Another search: forecast $60.50 of $50.00, spent $30.00: at risk",
        "  Search monthly: forecast $90.00 of $100.00, spent $40.00: on track",
        "",
        "Open in Burnrate: https://burnrate.example/showback?from=2026-11-09&to=2026-11-16&team=search&by=feature",
        "",
      ].join("\n"),
    });
  });

  it("finance's names the teams that moved and each budget's team", () => {
    const { text } = digestEmail(composeFinanceDigest(inputs({ budgets: BUDGETS.slice(0, 2) })), "http://localhost:3000");
    expect(text).toContain(["Teams that moved most:", "  team search: $23.50 -> $29.75 (+$6.25, +26.6%)", "  team ads: $0.00 -> $4.00 (+$4.00)", "  no team: $1.00 -> $0.00 (-$1.00, -100.0%)"].join("\n"));
    expect(text).toContain(["Budgets this month (forecast vs amount):", "  Ads cap (team ads): forecast $20.00 of $10.00, spent $12.00: over", "  Search monthly (team search): forecast $90.00 of $100.00, spent $40.00: on track"].join("\n"));
    expect(text).toContain("Open alerts: 0\n\n");
    expect(text).toContain("Open in Burnrate: http://localhost:3000/showback?from=2026-11-09&to=2026-11-16\n");
  });

  it("signs money changes", () => {
    expect(signedMoney("30")).toBe("+$30.00");
    expect(signedMoney("-0.499")).toBe("-$0.50");
    expect(signedMoney("0")).toBe("$0.00");
  });
});
