import { mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import type { OutcomeReport } from "@/lib/analytics/outcome-report";
import { presetWindow, utcToday, type DayWindow } from "@/lib/view/outcomes";
import { formatCount, formatMoney } from "@/lib/format";
import { Money } from "@/lib/money";
import { browserForFile } from "./browser";
import { queryAppDatabase } from "./app-database";
import { signedInContext } from "./sign-in";

// The Outcomes page against the seeded demo (45 days): figures recomputed here from the raw
// outcomes and events with the rules of lib/analytics/outcome-cost.ts (a trace's cost
// counted once, on its first outcome of a type; a team lead sees the outcomes of their
// teams and, of their traces, the calls of those teams or untagged).
const baseUrl = inject("baseUrl");
const browser = browserForFile();

/** The last 30 full UTC days, passed explicitly so a run across midnight compares one window. */
function testWindow(): DayWindow {
  return presetWindow(utcToday(new Date()), 30);
}

interface TypeFigures {
  type: string;
  outcomes: string;
  successful: string;
  cost: string;
}

async function expectedTypes(window: DayWindow, teams?: string[]): Promise<TypeFigures[]> {
  const params: unknown[] = [`${window.from}T00:00:00Z`, `${window.to}T00:00:00Z`];
  if (teams) params.push(teams);
  const outcomeScope = teams ? " AND team = ANY($3::text[])" : "";
  const eventScope = teams ? " AND (e.team = ANY($3::text[]) OR e.team IS NULL)" : "";
  return queryAppDatabase<TypeFigures>(
    `WITH o AS (
       SELECT type, trace_id, success, row_number() OVER (PARTITION BY type, trace_id ORDER BY occurred_at, id) AS rank
       FROM outcomes WHERE occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz${outcomeScope}
     ), t AS (
       SELECT e.trace_id, sum(e.cost_usd) AS cost FROM usage_events e
       WHERE e.trace_id IN (SELECT trace_id FROM o)${eventScope} GROUP BY e.trace_id
     )
     SELECT o.type, count(*)::text AS outcomes, count(*) FILTER (WHERE o.success)::text AS successful,
            coalesce(sum(t.cost) FILTER (WHERE o.rank = 1), 0)::text AS cost
     FROM o LEFT JOIN t ON t.trace_id = o.trace_id GROUP BY o.type ORDER BY o.type`,
    params,
  );
}

async function openOutcomes(page: Page, window: DayWindow): Promise<void> {
  await page.goto(`${baseUrl}/outcomes?from=${window.from}&to=${window.to}`);
  await page.getByTestId("outcome-type").first().waitFor({ timeout: 30_000 });
}

async function shownTypes(page: Page): Promise<string[]> {
  const types = await page.getByTestId("outcome-type").evaluateAll((sections) => sections.map((s) => s.getAttribute("data-type") ?? ""));
  return types.sort();
}

function typeRegion(page: Page, type: string) {
  return page.getByRole("region", { name: type, exact: true });
}

describe("Outcomes", () => {
  it("shows each outcome type's cost per success as the database computes it, and the API's totals", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "finance@example.com");
    const window = testWindow();
    await openOutcomes(page, window);
    expect(await page.getByRole("button", { name: "Last 30 days" }).getAttribute("aria-pressed")).toBe("true");

    const expected = await expectedTypes(window);
    // The demo's outcome types (lib/demo/company.ts) all have outcomes in any 30 days.
    expect(expected.map((e) => e.type)).toEqual(expect.arrayContaining(["ticket_resolved", "answer_accepted", "suggestion_applied"]));
    expect(await shownTypes(page)).toEqual(expected.map((e) => e.type).sort());
    for (const e of expected) {
      const region = typeRegion(page, e.type);
      expect(await region.getByTestId("outcome-count").textContent()).toBe(formatCount(Number(e.outcomes)));
      expect(await region.getByTestId("total-cost").textContent()).toBe(formatMoney(e.cost));
      const perSuccess = Number(e.successful) > 0 ? formatMoney(new Money(e.cost).div(e.successful)) : "—";
      expect(await region.getByTestId("cost-per-success").textContent()).toBe(perSuccess);
    }

    // The same figures as the API answers in this browser session.
    const response = await page.request.get(`${baseUrl}/api/v1/outcomes/report?from=${window.from}&to=${window.to}`);
    expect(response.status()).toBe(200);
    const report = (await response.json()) as OutcomeReport;
    for (const t of report.types) {
      const region = typeRegion(page, t.type);
      expect(await region.getByTestId("total-cost").textContent()).toBe(formatMoney(t.cost_usd));
      expect(await region.getByTestId("failed-cost").textContent()).toBe(formatMoney(t.failed_cost_usd));
    }

    // p95 of cost per trace: nearest rank (= percentile_disc) over the fully priced traces.
    const [distribution] = await queryAppDatabase<{ p95: string | null; traces: string }>(
      `WITH tr AS (SELECT DISTINCT trace_id FROM outcomes WHERE occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz),
            c AS (SELECT e.trace_id, sum(e.cost_usd) AS cost, count(*) FILTER (WHERE e.pricing_state = 'unpriced') AS unpriced
                  FROM usage_events e JOIN tr ON tr.trace_id = e.trace_id GROUP BY e.trace_id)
       SELECT percentile_disc(0.95) WITHIN GROUP (ORDER BY cost)::text AS p95, count(*)::text AS traces
       FROM c WHERE unpriced = 0 AND cost IS NOT NULL`,
      [`${window.from}T00:00:00Z`, `${window.to}T00:00:00Z`],
    );
    expect(Number(distribution?.traces)).toBe(report.distribution.count);
    expect(new Money(report.distribution.p95_usd ?? "-1").eq(distribution?.p95 ?? "-2")).toBe(true);
    expect(await page.getByTestId("trace-p95").textContent()).toBe(formatMoney(distribution?.p95 ?? "0"));
    expect(await page.getByTestId("trace-p50").textContent()).toBe(formatMoney(report.distribution.p50_usd ?? "0"));

    // The histogram is drawn (recharts bars) and says what it shows.
    const histogram = page.getByTestId("trace-cost-histogram");
    await histogram.locator(".recharts-bar-rectangle").first().waitFor({ timeout: 15_000 });
    expect(await histogram.locator(".recharts-bar-rectangle").count()).toBeGreaterThan(1);
    expect(await page.getByRole("img", { name: /Histogram of cost per trace/ }).getAttribute("aria-label")).toContain(
      `p95 ${formatMoney(distribution?.p95 ?? "0")}`,
    );
    await page.getByTestId("cost-per-success-chart").locator(".recharts-line").first().waitFor({ timeout: 15_000 });

    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/outcomes.png", fullPage: true });
    await context.close();
  });

  it("drills into the most expensive trace: its calls in a dialog that Escape closes", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "finance@example.com");
    const window = testWindow();
    await openOutcomes(page, window);
    const response = await page.request.get(`${baseUrl}/api/v1/outcomes/report?from=${window.from}&to=${window.to}`);
    const report = (await response.json()) as OutcomeReport;

    const opener = page.getByTestId("top-trace").first().getByRole("button");
    const traceId = (await opener.textContent()) ?? "";
    expect(traceId).toBe(report.top_traces[0]?.trace_id);
    await opener.click();

    const dialog = page.getByRole("dialog");
    await dialog.getByTestId("trace-calls").waitFor({ timeout: 15_000 });
    expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);

    const [db] = await queryAppDatabase<{ calls: string; cost: string | null }>(
      "SELECT count(*)::text AS calls, sum(cost_usd)::text AS cost FROM usage_events WHERE trace_id = $1",
      [traceId],
    );
    const calls = Number(db?.calls);
    expect(calls).toBeGreaterThan(0);
    expect(await dialog.getByTestId("trace-call").count()).toBe(calls);
    expect(await dialog.getByTestId("trace-call-count").textContent()).toBe(formatCount(calls));
    expect(await dialog.getByTestId("trace-cost").textContent()).toContain(formatMoney(db?.cost ?? "0"));
    // Calls in time order.
    const times = await dialog
      .getByTestId("trace-call")
      .evaluateAll((rows) => rows.map((row) => row.querySelector("time")?.getAttribute("datetime") ?? ""));
    expect(times).toEqual([...times].sort());
    await dialog.getByTestId("trace-outcomes").waitFor();

    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await opener.evaluate((el) => el === document.activeElement)).toBe(true);

    // A runaway-trace alert links to /outcomes?trace=<id>: the page opens on that trace.
    await page.goto(`${baseUrl}/outcomes?from=${window.from}&to=${window.to}&trace=${encodeURIComponent(traceId)}`);
    await page.getByRole("dialog").getByTestId("trace-calls").waitFor({ timeout: 15_000 });
    expect(await page.getByRole("dialog").getByTestId("trace-call").count()).toBe(calls);
    await context.close();
  });

  it("filters to one type in the URL and sorts its features by cost per success", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "finance@example.com");
    const window = testWindow();
    await openOutcomes(page, window);

    await page.getByLabel("Outcome type", { exact: true }).selectOption("ticket_resolved");
    await page.waitForURL(/type=ticket_resolved/);
    await expect.poll(() => shownTypes(page), { timeout: 15_000 }).toEqual(["ticket_resolved"]);

    const features = await queryAppDatabase<{ feature: string }>(
      `SELECT DISTINCT coalesce(feature, '') AS feature FROM outcomes
       WHERE type = 'ticket_resolved' AND occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz ORDER BY 1`,
      [`${window.from}T00:00:00Z`, `${window.to}T00:00:00Z`],
    );
    const rows = page.getByTestId("feature-cost-row");
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(features.length);

    const header = page.getByRole("columnheader", { name: "Cost per success", exact: true });
    expect(await header.getAttribute("aria-sort")).toBe("descending");
    await header.getByRole("button").click();
    await page.waitForURL(/dir=asc/);
    await expect.poll(() => header.getAttribute("aria-sort")).toBe("ascending");
    await context.close();
  });

  it("a team lead sees only the outcomes of their teams (support, search)", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "lead@example.com");
    const window = testWindow();
    await openOutcomes(page, window);
    await page.getByTestId("team-scope").waitFor();

    const expected = await expectedTypes(window, ["support", "search"]);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.map((e) => e.type)).not.toContain("suggestion_applied");
    expect(await shownTypes(page)).toEqual(expected.map((e) => e.type).sort());
    for (const e of expected) {
      expect(await typeRegion(page, e.type).getByTestId("total-cost").textContent()).toBe(formatMoney(e.cost));
    }

    const teams = await page.getByTestId("top-trace-team").allTextContents();
    expect(teams.length).toBeGreaterThan(0);
    expect(teams.every((team) => team === "support" || team === "search")).toBe(true);
    await context.close();
  });
});
