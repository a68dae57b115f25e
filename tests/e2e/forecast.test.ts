import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import type { ForecastJson } from "@/lib/budgets/forecast-spend";
import { currentMonthWindow } from "@/lib/view/showback";
import { defaultShowbackWindow } from "@/lib/schemas/pages/showback";
import { Money } from "@/lib/money";
import { browserForFile } from "./browser";
import { signedInContext } from "./sign-in";

// Month-end forecasts without a budget, on the demo data (45 days, so there is always history
// to forecast from). The page and the API are read moments apart and the forecast moves with
// the clock (the rest of today is projected), so figures are compared within a cent per second.
const baseUrl = inject("baseUrl");
const browser = browserForFile();

const MONEY = /^\$[\d,]+\.\d{2}$/;
const dollars = (text: string | null) => new Money((text ?? "").replace(/[$,]/g, ""));

async function apiForecast(page: Page, query = ""): Promise<ForecastJson> {
  return page.evaluate(async (q) => (await fetch(`/api/v1/forecast${q}`)).json() as Promise<ForecastJson>, query);
}

describe("Forecasts", () => {
  it("the Overview shows the month-end forecast with its range, spent so far, days left and the chart", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "finance@example.com");
    await page.goto(`${baseUrl}/`);
    await page.getByTestId("forecast-usd").waitFor({ timeout: 30_000 });
    const api = await apiForecast(page);
    expect(api.enough_history).toBe(true);

    const forecast = await page.getByTestId("forecast-usd").textContent();
    expect(forecast).toMatch(MONEY);
    expect(dollars(forecast).minus(api.forecast_usd).abs().lte(5)).toBe(true);
    const range = (await page.getByTestId("forecast-range").textContent()) ?? "";
    const [low, high] = range.split(" – ");
    expect(low).toMatch(MONEY);
    expect(high).toMatch(MONEY);
    expect(dollars(low ?? "").lte(dollars(forecast))).toBe(true);
    expect(dollars(high ?? "").gte(dollars(forecast))).toBe(true);
    // Spent so far is what the month-to-date card says (the same rollups, through this hour).
    expect(await page.getByTestId("forecast-spent").textContent()).toBe(await page.getByTestId("mtd-spend").textContent());
    expect(await page.getByTestId("forecast-days-left").textContent()).toBe(String(api.days_left));

    const chart = page.getByTestId("forecast-chart");
    expect(await chart.getAttribute("aria-label")).toMatch(/forecast \$[\d,.]+ by month end \(range \$/);
    await chart.locator(".recharts-line").first().waitFor();
    // The projection is dashed, the range a shaded area.
    expect(await chart.locator(".recharts-line path[stroke-dasharray]").count()).toBeGreaterThan(0);
    expect(await chart.locator(".recharts-area").count()).toBe(1);
    await context.close();
  });

  it("a lead's Overview forecasts their teams' spend", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "lead@example.com");
    await page.goto(`${baseUrl}/`);
    await page.getByTestId("forecast-usd").waitFor({ timeout: 30_000 });
    const mine = await apiForecast(page);
    const support = await apiForecast(page, "?team=support");
    const search = await apiForecast(page, "?team=search");
    expect(new Money(mine.spent_usd).eq(new Money(support.spent_usd).plus(search.spent_usd))).toBe(true);
    expect(await page.getByTestId("forecast-spent").textContent()).toBe(await page.getByTestId("mtd-spend").textContent());
    const other = await page.evaluate(async () => (await fetch("/api/v1/forecast?team=platform")).status);
    expect(other).toBe(403);
    await context.close();
  });

  it("Showback for the current month adds a sortable Forecast column, in the CSV", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "finance@example.com");
    const now = new Date();
    // Month to date (the default): no forecast column, but a way to the whole month.
    const mtd = defaultShowbackWindow(now);
    await page.goto(`${baseUrl}/showback?from=${mtd.from}&to=${mtd.to}`);
    await page.getByTestId("showback-table").waitFor({ timeout: 30_000 });
    const month = currentMonthWindow(now);
    if (mtd.to !== month.to) {
      expect(await page.getByRole("button", { name: /^Forecast/ }).count()).toBe(0);
      await page.getByTestId("showback-whole-month").click();
      await page.waitForURL(new RegExp(`to=${month.to}`));
    }
    await page.getByRole("button", { name: /^Forecast/ }).waitFor();
    await page.locator('[data-row-key] [data-testid="forecast-cell"][title]').first().waitFor({ timeout: 30_000 });

    const api = await apiForecast(page, "?group_by=team");
    const shown = await page.locator("[data-row-key]").evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute("data-row-key"), r.querySelector('[data-testid="forecast-cell"]')?.textContent ?? ""]),
    );
    expect(shown.length).toBeGreaterThan(0);
    for (const [team, text] of shown) {
      const group = api.groups.find((g) => (g.team ?? "") === team);
      expect(group, `forecast of ${team}`).toBeDefined();
      expect(dollars(text ?? "").minus(group?.forecast_usd ?? "0").abs().lte(2)).toBe(true);
    }

    // Sort by the forecast, highest first, and download exactly that.
    await page.getByRole("button", { name: /^Forecast/ }).click();
    await page.waitForURL(/sort=forecast_usd/);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    const csv = readFileSync((await download.path()) ?? "", "utf8").trimEnd().split("\r\n");
    const header = csv[0]?.split(",") ?? [];
    expect(header.slice(-3)).toEqual(["forecast_usd", "forecast_low_usd", "forecast_high_usd"]);
    const column = header.indexOf("forecast_usd");
    const teamRows = csv.slice(1).map((line) => line.split(",")).filter((cells) => cells[1] === "(all)");
    expect(teamRows.length).toBe(shown.length);
    const forecasts = teamRows.map((cells) => Number(cells[column]));
    expect(forecasts.every((f) => Number.isFinite(f) && f > 0)).toBe(true);
    expect(forecasts).toEqual([...forecasts].sort((a, b) => b - a));
    for (const cells of teamRows) {
      const [forecast, low, high] = cells.slice(column).map((c) => new Money(c));
      expect(low?.lte(forecast ?? 0) && high?.gte(forecast ?? 0)).toBe(true);
    }
    await context.close();
  });
});
