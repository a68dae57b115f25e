import { describe, expect, inject, it } from "vitest";
import { defaultShowbackWindow } from "@/lib/schemas/pages/showback";
import { browserForFile } from "./browser";
import { queryAppDatabase } from "./app-database";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

/**
 * Any tag as a dimension: finance groups Showback by an extra tag the demo sends (`channel`),
 * filters on another (`region`), and groups the Cache page's hit rate by one.
 */
describe("Extra tags as dimensions", () => {
  it("finance groups Showback by an extra tag and filters on another", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "finance@example.com");
    const now = new Date();
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 10);
    const to = defaultShowbackWindow(now).from;
    await page.goto(`${baseUrl}/showback?from=${from}&to=${to}`);
    await page.getByTestId("showback-table").waitFor({ timeout: 30_000 });

    const groupBy = page.getByLabel("Group by");
    await groupBy.locator("option", { hasText: "channel (tag)" }).waitFor({ state: "attached" });
    await groupBy.selectOption("tag.channel");
    await page.waitForURL(/by=tag\.channel/);
    const channels = await queryAppDatabase<{ channel: string }>(
      `SELECT DISTINCT extra_tags ->> 'channel' AS channel FROM usage_events
       WHERE occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz AND extra_tags ? 'channel'`,
      [`${from}T00:00:00Z`, `${to}T00:00:00Z`],
    );
    expect(channels.length).toBeGreaterThan(1);
    for (const { channel } of channels) await page.locator(`[data-row-key="${channel}"]`).waitFor();
    expect(await page.getByTestId("showback-table").textContent()).toContain("channel (tag)");

    await page.getByLabel("Tag", { exact: true }).selectOption("region");
    await page.waitForURL(/tag_key=region/);
    await page.getByLabel("region is").locator("option", { hasText: "eu-west-1" }).waitFor({ state: "attached" });
    await page.getByLabel("region is").selectOption("eu-west-1");
    await page.waitForURL(/tag_value=eu-west-1/);
    await page.getByLabel("Group by").selectOption("team");
    await page.waitForURL(/by=team/);
    const teams = await queryAppDatabase<{ team: string }>(
      `SELECT DISTINCT team FROM usage_events
       WHERE occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz AND extra_tags ->> 'region' = 'eu-west-1' AND team IS NOT NULL`,
      [`${from}T00:00:00Z`, `${to}T00:00:00Z`],
    );
    await page.locator(`[data-row-key="${teams[0]?.team}"]`).waitFor();
    const shown = (await page.locator("[data-row-key]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-row-key")))).filter((key) => key !== "").sort();
    expect(shown).toEqual(teams.map((t) => t.team).sort());
    await context.close();
  });

  it("groups the Cache page's hit rate by an extra tag", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "finance@example.com");
    await page.goto(`${baseUrl}/cache?by=tag.channel`);
    await page.getByRole("heading", { name: /Hit rate by channel \(tag\)/ }).waitFor({ timeout: 30_000 });
    expect(await page.getByLabel("Group by").inputValue()).toBe("tag.channel");
    await context.close();
  });
});
