import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { formatCount, formatMoney } from "@/lib/format";
import { launchBrowser } from "./browser";
import { queryAppDatabase } from "./app-database";
import { signedInContext } from "./sign-in";

// Overview renders real numbers from the seeded database, computed here independently
// from the raw events (the page reads the hourly rollups). Finance sees the whole organisation.
const baseUrl = inject("baseUrl");
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  ({ page } = await signedInContext(browser, baseUrl, "finance@example.com"));
});

afterAll(async () => {
  await browser?.close();
});

describe("Overview", () => {
  it("shows month-to-date spend and requests equal to the raw events", async () => {
    const [expected] = await queryAppDatabase<{ cost: string; requests: string; unpriced: string; last_month_cost: string; last_month_requests: string }>(`
      SELECT coalesce(sum(cost_usd) FILTER (WHERE occurred_at >= date_trunc('month', now(), 'UTC')), 0)::text AS cost,
             count(*) FILTER (WHERE occurred_at >= date_trunc('month', now(), 'UTC'))::text AS requests,
             count(*) FILTER (WHERE occurred_at >= date_trunc('month', now(), 'UTC') AND pricing_state = 'unpriced')::text AS unpriced,
             coalesce(sum(cost_usd) FILTER (WHERE occurred_at < date_trunc('month', now(), 'UTC')), 0)::text AS last_month_cost,
             count(*) FILTER (WHERE occurred_at < date_trunc('month', now(), 'UTC'))::text AS last_month_requests
      FROM usage_events
      WHERE occurred_at >= date_trunc('month', now(), 'UTC') - interval '1 month'`);
    expect(expected).toBeDefined();

    const response = await page.goto(`${baseUrl}/`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole("heading", { level: 1 }).first().textContent()).resolves.toMatch(/Overview/i);

    // The same figures in every hour of the month; in its first hour they are all zero.
    expect(await page.getByTestId("mtd-spend").textContent()).toBe(formatMoney(expected?.cost ?? "-1"));
    expect(await page.getByTestId("mtd-requests").textContent()).toBe(formatCount(Number(expected?.requests)));
    expect(await page.getByTestId("unpriced-requests").textContent()).toBe(formatCount(Number(expected?.unpriced)));
    // Last month, whole, is there either way (the demo's data covers it).
    expect(Number(expected?.last_month_requests)).toBeGreaterThan(0);
    expect(await page.getByTestId("last-month-spend").textContent()).toBe(formatMoney(expected?.last_month_cost ?? "-1"));

    if (expected?.requests === "0") {
      // The first hour of a month: nothing yet this month, and the page says so instead of
      // calling anything unpriced or comparing with last month ("-100%" would describe
      // missing data, not savings).
      await page.getByTestId("no-usage-this-month").waitFor();
      expect(await page.getByTestId("unpriced-callout").count()).toBe(0);
      expect(await page.getByTestId("mtd-spend-change").count()).toBe(0);
    } else {
      expect(await page.getByTestId("no-usage-this-month").count()).toBe(0);
      // The demo's unpriced model is called out, never counted as $0.
      expect(Number(expected?.unpriced)).toBeGreaterThan(0);
      await page.getByTestId("unpriced-callout").waitFor();
    }
  });

  it("draws the daily spend chart and lists the top teams", async () => {
    await page.goto(`${baseUrl}/`);
    await page.locator(".recharts-bar-rectangle").first().waitFor({ timeout: 15_000 });
    expect(await page.locator(".recharts-bar-rectangle").count()).toBeGreaterThan(10);
    const chart = page.getByRole("img", { name: /spend/i }).first();
    expect(await chart.getAttribute("aria-label")).toMatch(/\$/);

    const [top] = await queryAppDatabase<{ team: string }>(`
      SELECT team FROM usage_events
      WHERE occurred_at >= date_trunc('month', now(), 'UTC') AND team IS NOT NULL AND cost_usd IS NOT NULL
      GROUP BY team ORDER BY sum(cost_usd) DESC LIMIT 1`);
    if (top) {
      const firstRow = page.getByTestId("top-teams").locator("tbody tr").first();
      expect(await firstRow.textContent()).toContain(top.team);
    }
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/overview.png", fullPage: true });
  });

  it("navigates with the keyboard-accessible sidebar and marks the current page", async () => {
    await page.goto(`${baseUrl}/`);
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Showback" }).click();
    await page.waitForURL(`${baseUrl}/showback`);
    expect(await nav.getByRole("link", { name: "Showback" }).getAttribute("aria-current")).toBe("page");
    expect(await nav.getByRole("link", { name: "Overview" }).getAttribute("aria-current")).toBeNull();
  });

  it("answers unknown pages with a 404 page", async () => {
    const response = await page.goto(`${baseUrl}/no-such-page`);
    expect(response?.status()).toBe(404);
  });
});
