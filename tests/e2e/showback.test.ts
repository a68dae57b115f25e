import { readFileSync } from "node:fs";
import { describe, expect, inject, it } from "vitest";
import { Money } from "@/lib/money";
import { defaultShowbackWindow } from "@/lib/schemas/pages/showback";
import { browserForFile } from "./browser";
import { queryAppDatabase } from "./app-database";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

describe("Showback", () => {
  it("a team lead filters to their team, sorts, and downloads exactly what is shown as CSV", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "lead@example.com");
    // Last month, whole: always has demo data whatever day of the month the test runs.
    const now = new Date();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
    const to = defaultShowbackWindow(now).from;
    await page.goto(`${baseUrl}/showback?from=${from}&to=${to}`);
    await page.getByTestId("showback-table").waitFor({ timeout: 30_000 });

    // The lead leads support and search: only those teams are there at all.
    const teams = await page.locator("[data-row-key]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-row-key")));
    expect(teams.length).toBeGreaterThan(0);
    expect(teams.every((t) => t === "support" || t === "search")).toBe(true);

    await page.getByLabel("Team", { exact: true }).selectOption("search");
    await page.waitForURL(/team=search/);
    await page.locator('[data-row-key="search"]').waitFor();
    expect(await page.locator("[data-row-key]").count()).toBe(1);

    // Expand the team to its features, then sort by requests.
    await page.locator('[data-row-key="search"]').getByRole("button", { expanded: false }).click();
    const features = page.locator("[data-child-key]");
    await features.first().waitFor();
    const featureCount = await features.count();
    await page.getByRole("button", { name: /^Requests/ }).click();
    await page.waitForURL(/sort=requests/);

    const [expected] = await queryAppDatabase<{ cost: string; requests: string }>(
      `SELECT sum(cost_usd)::text AS cost, sum(requests)::text AS requests FROM usage_rollup_hourly
       WHERE team = 'search' AND hour >= $1::timestamptz AND hour < $2::timestamptz`,
      [`${from}T00:00:00Z`, `${to}T00:00:00Z`],
    );

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download CSV" }).click()]);
    const csv = readFileSync((await download.path()) ?? "", "utf8").trimEnd().split("\r\n");
    expect(csv[0]?.startsWith("team,feature,cost_usd,requests,")).toBe(true);
    expect(csv.length).toBe(2 + featureCount);
    const teamRow = csv[1]?.split(",") ?? [];
    expect(teamRow.slice(0, 2)).toEqual(["search", "(all)"]);
    expect(new Money(teamRow[2] ?? "0").eq(expected?.cost ?? "-1")).toBe(true);
    expect(teamRow[3]).toBe(expected?.requests);
    // Features in the order shown: requests descending.
    const requests = csv.slice(2).map((line) => Number(line.split(",")[3]));
    expect(requests).toEqual([...requests].sort((a, b) => b - a));
    await context.close();
  });
});
