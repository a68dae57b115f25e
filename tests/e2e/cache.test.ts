import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { CacheReport } from "@/lib/analytics/cache";
import type { TokensPerRequestReport } from "@/lib/analytics/tokens-per-request";
import { planDemo } from "@/lib/demo/plan";
import { formatMoney } from "@/lib/format";
import { E2E_DEMO } from "../setup/e2e-global";
import { launchBrowser } from "./browser";
import { queryAppDatabase } from "./app-database";
import { signedInContext } from "./sign-in";

// The Cache page on the e2e demo data: the demo's cache-thrash incident (22 days before the
// end of the data, 46 hours) must be listed and shaded on the chart, and the figures must be
// the API's, fetched in the same signed-in session.
const baseUrl = inject("baseUrl");
const DAY = 86_400_000;
const HOUR = 3_600_000;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let thrash: { start: number; end: number };

interface Episode {
  start: string;
  end: string;
}

beforeAll(async () => {
  browser = await launchBrowser();
  ({ context, page } = await signedInContext(browser, baseUrl, "finance@example.com"));
  // The seeder ends the data at the hour it started; other tests add a few events of their
  // own, so take the last hour with demo-sized traffic. Tolerance of a day below anyway.
  const [last] = await queryAppDatabase<{ hour: Date | null }>(
    "SELECT max(hour) AS hour FROM (SELECT hour FROM usage_rollup_hourly GROUP BY hour HAVING sum(requests) >= 5) h",
  );
  expect(last?.hour).toBeTruthy();
  const endDate = new Date((last?.hour as Date).getTime() + HOUR);
  thrash = planDemo({ ...E2E_DEMO, seed: 42, endDate }).incidents.cacheThrash;
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

/** Overlaps the thrash window, give or take a day (the seed's end is "now", rounded). */
const overlapsThrash = (episode: Episode) => Date.parse(episode.start) < thrash.end + DAY && Date.parse(episode.end) > thrash.start - DAY;

async function listedDrops(): Promise<Episode[]> {
  return page.getByTestId("cache-drop").evaluateAll((items) =>
    items.map((item) => ({ start: item.getAttribute("data-start") ?? "", end: item.getAttribute("data-end") ?? "" })),
  );
}

async function shownWindow(): Promise<{ from: string; to: string }> {
  const from = await page.getByLabel("From", { exact: true }).inputValue();
  const through = await page.getByLabel("Through", { exact: true }).inputValue();
  const to = new Date(Date.parse(`${through}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
  return { from, to };
}

async function api<T>(path: string): Promise<T> {
  const response = await page.request.get(`${baseUrl}${path}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as T;
}

describe("Cache", () => {
  it("lists the demo's cache-thrash drop, shades it on the hit-rate chart, and shows the API's saving", async () => {
    const response = await page.goto(`${baseUrl}/cache`);
    expect(response?.status()).toBe(200);
    await page.getByTestId("cache-drops").waitFor({ timeout: 30_000 });

    // Default: the last 30 UTC days, today included, by day.
    const { from, to } = await shownWindow();
    expect((Date.parse(to) - Date.parse(from)) / DAY).toBe(30);
    expect(await page.getByRole("button", { name: "30 days" }).getAttribute("aria-pressed")).toBe("true");
    expect(await page.getByRole("button", { name: "Daily" }).getAttribute("aria-pressed")).toBe("true");

    const drops = await listedDrops();
    expect(drops.some(overlapsThrash), JSON.stringify({ drops, thrash })).toBe(true);
    expect(await page.getByTestId("cache-drop").first().textContent()).toMatch(/→.*a drop of [\d.]+ points/);

    // The chart marks it: a shaded band with its "−NN pp" label, over the drawn line.
    const chart = page.getByRole("img", { name: /prompt-cache hit rate/i }).first();
    await chart.locator(".recharts-line").first().waitFor();
    expect(await chart.locator(".recharts-reference-area").count()).toBeGreaterThanOrEqual(1);
    // recharts draws labels in a layer of their own, so look for it anywhere in the chart.
    expect(await chart.locator("text", { hasText: /^−\d+ pp$/ }).count()).toBeGreaterThanOrEqual(1);
    expect(await chart.getAttribute("aria-label")).toMatch(/drops? marked/);

    // Exactly the API's figures for the same window, in the same session.
    const report = await api<CacheReport>(`/api/v1/cache?from=${from}&to=${to}&bucket=day`);
    expect(await page.getByTestId("cache-saved").textContent()).toBe(formatMoney(report.totals.saved_usd));
    expect(report.saved_usd_basis).toBe("current_prices");
    expect(drops.map((d) => d.start)).toEqual(report.drops.map((d) => d.start));

    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/cache.png", fullPage: true });
  });

  it("renders the tokens-per-request chart and table, with sortable headers", async () => {
    await page.goto(`${baseUrl}/cache#tokens-per-request`);
    const section = page.locator("#tokens-per-request");
    const table = section.getByRole("table", { name: /tokens per request/i });
    await table.waitFor({ timeout: 30_000 });
    const chart = section.getByRole("img", { name: /tokens per request/i });
    await chart.locator(".recharts-line").first().waitFor();
    expect(await chart.locator(".recharts-line").count()).toBeGreaterThan(1);

    const { from, to } = await shownWindow();
    const report = await api<TokensPerRequestReport>(`/api/v1/tokens-per-request?from=${from}&to=${to}&bucket=day&group_by=feature`);
    expect(report.groups.length).toBeGreaterThan(0);
    expect(await table.locator("tbody tr").count()).toBe(report.groups.length);

    // Sorting is in the URL and announced through aria-sort.
    const header = table.getByRole("columnheader", { name: /^Requests/ });
    expect(await header.getAttribute("aria-sort")).toBe("descending");
    await header.getByRole("button").click();
    await page.waitForURL(/tdir=asc/);
    expect(await header.getAttribute("aria-sort")).toBe("ascending");
    const requests = await table.locator("tbody tr td:nth-of-type(1)").allTextContents();
    const counts = requests.map((text) => Number(text.replace(/,/g, "")));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
  });

  it("shows the drop in hourly buckets too", async () => {
    await page.goto(`${baseUrl}/cache`);
    await page.getByTestId("cache-drops").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Hourly" }).click();
    await page.waitForURL(/bucket=hour/);
    await page.getByRole("img", { name: /hourly prompt-cache hit rate/i }).waitFor({ timeout: 30_000 });
    await page.getByTestId("cache-drops").waitFor();
    const drops = await listedDrops();
    expect(drops.some(overlapsThrash), JSON.stringify({ drops, thrash })).toBe(true);
    expect(await page.getByRole("img", { name: /hourly prompt-cache hit rate/i }).locator(".recharts-reference-area").count()).toBeGreaterThanOrEqual(1);
  });
});
