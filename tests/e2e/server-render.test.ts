import type { BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { AlertView } from "@/lib/alerts/alerts";
import type { CacheReport } from "@/lib/analytics/cache";
import { cachePageSchema, resolveCacheWindow } from "@/lib/schemas/pages/cache";
import type { OutcomeReport } from "@/lib/analytics/outcome-report";
import { presetWindow, utcToday } from "@/lib/view/outcomes";
import type { BudgetView } from "@/lib/budgets/budgets";
import type { ForecastJson } from "@/lib/budgets/forecast-spend";
import { formatMoney } from "@/lib/format";
import type { AllocationView } from "@/lib/quotas/standing";
import { defaultShowbackWindow } from "@/lib/schemas/pages/showback";
import { startOfUtcMonth, utcDayKey } from "@/lib/time";
import { launchBrowser } from "./browser";
import { signedInContext } from "./sign-in";
import { waitForData } from "./wait-for-data";

/**
 * Issue 15, item 5: the dashboard pages render on the server. Each page's HTML, fetched
 * with a session cookie and no JavaScript at all, already carries its first figures, and
 * they are the figures the API answers the same session. (In the browser, react-query then
 * hydrates from the prefetched answers instead of asking again.)
 */
const baseUrl = inject("baseUrl");
const sessions = new Map<string, { context: BrowserContext; cookie: string }>();
let closeBrowser: () => Promise<void> = async () => {};

beforeAll(async () => {
  const browser = await launchBrowser();
  closeBrowser = () => browser.close();
  for (const email of ["finance@example.com", "lead@example.com"]) {
    const { context } = await signedInContext(browser, baseUrl, email);
    const cookie = (await context.cookies(baseUrl)).map((c) => `${c.name}=${c.value}`).join("; ");
    sessions.set(email, { context, cookie });
  }
});

afterAll(async () => {
  for (const { context } of sessions.values()) await context.close();
  await closeBrowser();
});

function cookieOf(email: string): string {
  const session = sessions.get(email);
  if (!session) throw new Error(`no session for ${email}`);
  return session.cookie;
}

/** The page as a browser without JavaScript gets it: the whole streamed document, scripts (and the RSC payload in them) removed. */
async function pageHtml(email: string, path: string): Promise<string> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { cookie: cookieOf(email) }, redirect: "manual" });
  expect(response.status, path).toBe(200);
  return (await response.text()).replace(/<script\b[\s\S]*?<\/script>/g, "");
}

async function api<T>(email: string, path: string): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { cookie: cookieOf(email) } });
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'", "&#39;": "'", "&nbsp;": " " };

/** The text of markup: tags and React's text separators dropped, entities decoded. */
function textOf(markup: string): string {
  return markup
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&(amp|lt|gt|quot|nbsp|#x27|#39);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/\s+/g, " ")
    .trim();
}

/** The text of the element carrying `attribute` (e.g. data-testid="mtd-spend"), up to its next `length` characters of markup. */
function textAt(html: string, attribute: string, length = 600): string {
  const at = html.indexOf(attribute);
  expect(at, `${attribute} in the server's HTML`).toBeGreaterThanOrEqual(0);
  const open = html.indexOf(">", at);
  return textOf(html.slice(open + 1, open + 1 + length));
}

/** The text of a leaf element (a figure) carrying `attribute`. */
function valueAt(html: string, attribute: string): string {
  const at = html.indexOf(attribute);
  expect(at, `${attribute} in the server's HTML`).toBeGreaterThanOrEqual(0);
  const open = html.indexOf(">", at);
  return textOf(html.slice(open + 1, html.indexOf("</", open)));
}

describe("Pages rendered on the server", () => {
  it("Showback: the window's total spend", async () => {
    const now = new Date();
    const from = utcDayKey(startOfUtcMonth(now, -1));
    const to = defaultShowbackWindow(now).from;
    const html = await pageHtml("finance@example.com", `/showback?from=${from}&to=${to}`);
    const spend = await api<{ total: { cost_usd: string } }>("finance@example.com", `/api/v1/spend?from=${from}&to=${to}&group_by=team,feature`);
    expect(textAt(html, 'data-testid="showback-total"')).toContain(formatMoney(spend.total.cost_usd));
    expect(html).toContain('data-testid="showback-table"');
  });

  it("Cache: the money prompt caching saved", async () => {
    const window = resolveCacheWindow(cachePageSchema.parse({}), new Date());
    const html = await pageHtml("finance@example.com", "/cache");
    const report = await api<CacheReport>("finance@example.com", `/api/v1/cache?from=${window.from}&to=${window.to}&bucket=day`);
    expect(valueAt(html, 'data-testid="cache-saved"')).toBe(formatMoney(report.totals.saved_usd));
    expect(html).toContain('id="tokens-per-request-title"');
  });

  it("Outcomes: each type's total cost", async () => {
    const window = presetWindow(utcToday(new Date()), 30);
    const html = await pageHtml("finance@example.com", `/outcomes?from=${window.from}&to=${window.to}`);
    const report = await api<OutcomeReport>("finance@example.com", `/api/v1/outcomes/report?from=${window.from}&to=${window.to}`);
    expect(report.types.length).toBeGreaterThan(0);
    for (const type of report.types) {
      const region = html.slice(html.indexOf(`data-type="${type.type}"`));
      expect(valueAt(region, 'data-testid="total-cost"'), type.type).toBe(formatMoney(type.cost_usd));
    }
  });

  it("Budgets: each budget's spend this month", async () => {
    const html = await pageHtml("finance@example.com", "/budgets");
    const { budgets } = await api<{ budgets: BudgetView[] }>("finance@example.com", "/api/v1/budgets");
    expect(budgets.length).toBeGreaterThan(0);
    for (const budget of budgets) {
      const row = textAt(html, `data-budget="${budget.name.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}"`, 2000);
      expect(row, budget.name).toContain(formatMoney(budget.spent_usd));
    }
  });

  it("Quotas: what each dollar allocation used", async () => {
    const html = await pageHtml("finance@example.com", "/quotas");
    const { allocations } = await api<{ allocations: AllocationView[] }>("finance@example.com", "/api/v1/quota/allocations");
    const usd = allocations.filter((a) => a.unit === "usd" && a.model === null);
    expect(usd.length).toBeGreaterThan(0);
    for (const allocation of usd) {
      expect(textAt(html, `data-team="${allocation.team}"`, 3000), allocation.team).toContain(formatMoney(allocation.used));
    }
  });

  it("Alerts: the open alerts, with their figures", async () => {
    const html = await pageHtml("finance@example.com", "/alerts");
    const { alerts } = await api<{ alerts: AlertView[] }>("finance@example.com", "/api/v1/alerts?state=open");
    const list = textAt(html, 'data-testid="alert-list"', 200_000);
    expect(alerts.length).toBeGreaterThan(0);
    for (const alert of alerts) expect(list, alert.id).toContain(alert.message.replace(/\s+/g, " "));
  });

  it("Overview: the month-end forecast as well as the month's spend", async () => {
    const html = await pageHtml("finance@example.com", "/");
    const forecast = await api<ForecastJson>("finance@example.com", "/api/v1/forecast");
    const figure = forecast.enough_history ? { testId: "forecast-usd", value: forecast.forecast_usd } : { testId: "forecast-spent", value: forecast.spent_usd };
    expect(valueAt(html, `data-testid="${figure.testId}"`)).toBe(formatMoney(figure.value));
    expect(html).toContain('data-testid="mtd-spend"');
  });

  it("Team page: a lead's team, its month to date and every panel streamed in", async () => {
    const html = await pageHtml("lead@example.com", "/teams/support");
    const now = new Date();
    const spend = await api<{ total: { cost_usd: string } }>(
      "lead@example.com",
      `/api/v1/spend?from=${utcDayKey(startOfUtcMonth(now))}&to=${utcDayKey(startOfUtcMonth(now, 1))}&team=support`,
    );
    expect(valueAt(html, 'data-testid="team-mtd-spend"')).toBe(formatMoney(spend.total.cost_usd));
    for (const id of ["team-cache-hit-rate", "team-outcomes", "month-forecast", "team-budgets"]) expect(html, id).toContain(`data-testid="${id}"`);
  });

  // The browser's react-query finds every prefetched answer under the key it asks for: once
  // hydrated, a page asks the API for nothing but the navigation's polled badge counts.
  for (const { email, paths } of [
    { email: "finance@example.com", paths: ["/", "/showback", "/cache", "/outcomes", "/budgets", "/quotas", "/quotas/review", "/alerts"] },
    { email: "lead@example.com", paths: ["/quotas", "/teams/support"] },
  ]) {
    it(`hydrates without asking the API again (${email})`, async () => {
      const session = sessions.get(email);
      if (!session) throw new Error(`no session for ${email}`);
      const page = await session.context.newPage();
      try {
        for (const path of paths) {
          const asked: string[] = [];
          const listener = (request: { url: () => string; method: () => string }) => {
            const url = new URL(request.url());
            if (url.pathname.startsWith("/api/") && url.pathname !== "/api/v1/badges") asked.push(`${request.method()} ${url.pathname}${url.search}`);
          };
          page.on("request", listener);
          await page.goto(`${baseUrl}${path}`);
          await page.getByTestId("user-menu").waitFor();
          await waitForData(page);
          page.off("request", listener);
          expect(asked, path).toEqual([]);
        }
      } finally {
        await page.close();
      }
    });
  }

  it("a change of view is one navigation that brings its figures: Showback regrouped by feature asks the API nothing", async () => {
    const session = sessions.get("finance@example.com");
    if (!session) throw new Error("no session");
    const page = await session.context.newPage();
    try {
      await page.goto(`${baseUrl}/showback`);
      await waitForData(page);
      const asked: string[] = [];
      page.on("request", (request) => {
        const url = new URL(request.url());
        if (url.pathname.startsWith("/api/") && url.pathname !== "/api/v1/badges") asked.push(url.pathname + url.search);
      });
      await page.getByLabel("Group by", { exact: true }).selectOption("feature");
      await page.waitForURL(/by=feature/);
      await page.locator("[data-row-key]").first().waitFor();
      await waitForData(page);
      expect(await page.getByRole("columnheader", { name: /^Feature/ }).count()).toBe(1);
      expect(asked).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
