import { describe, expect, inject, it } from "vitest";
import { formatMoney } from "@/lib/format";
import { browserForFile } from "./browser";
import { queryAppDatabase } from "./app-database";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

describe("Team page", () => {
  it("shows a team lead their team's month to date, outcomes and cache, and no other team's page", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "lead@example.com");
    // From the user menu, as a lead would get there.
    await page.getByRole("list", { name: "Your teams" }).getByRole("link", { name: "search" }).click();
    await page.waitForURL(`${baseUrl}/teams/search`);

    const [expected] = await queryAppDatabase<{ cost: string }>(
      `SELECT coalesce(sum(cost_usd), 0)::text AS cost FROM usage_events
       WHERE team = 'search' AND occurred_at >= date_trunc('month', now(), 'UTC')`,
    );
    expect(await page.getByTestId("team-mtd-spend").textContent()).toBe(formatMoney(expected?.cost ?? "0"));
    await page.getByRole("heading", { name: "Cost per outcome" }).waitFor();
    await page.getByTestId("team-cache-hit-rate").waitFor();
    await page.locator(".recharts-bar-rectangle").first().waitFor({ timeout: 15_000 });

    // Another team's page is "not found" (streamed after the dashboard shell, so the
    // content, not the status, is what says so) and shows none of its figures.
    await page.goto(`${baseUrl}/teams/growth`);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    expect(await page.getByTestId("team-mtd-spend").count()).toBe(0);
    await context.close();
  });
});
