import { afterAll, describe, expect, inject, it } from "vitest";
import { queryAppDatabase } from "./app-database";
import { browserForFile } from "./browser";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

/**
 * The savings advisor on the demo data: an admin confirms a starter substitute (gpt-4o →
 * gpt-4o-mini) and the page prices the swap for the features that run gpt-4o; a lead marks a
 * change to one of their features on the team page and reads its before and after.
 */
const CHANGE = `Moved to a smaller model e2e ${Date.now()}`;

afterAll(async () => {
  await queryAppDatabase("DELETE FROM savings_substitutes WHERE from_model = 'gpt-4o' AND to_model = 'gpt-4o-mini'");
  await queryAppDatabase("DELETE FROM savings_dismissals");
  await queryAppDatabase("DELETE FROM feature_changes WHERE description = $1", [CHANGE]);
});

describe("Savings", () => {
  it("an admin confirms a starter substitute and reads the swaps it would have saved, then dismisses one", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "admin@example.com");
    await page.goto(`${baseUrl}/savings`);
    await page.getByRole("heading", { name: "Savings" }).waitFor();
    await page.getByRole("button", { name: "Confirm gpt-4o → gpt-4o-mini" }).click();
    await page.getByTestId("substitutes").getByText("gpt-4o-mini").waitFor();
    const swaps = page.getByTestId("savings-row").filter({ hasText: "Cheaper model" });
    await swaps.first().waitFor();
    const count = await swaps.count();
    expect(count).toBeGreaterThan(0);
    expect(await swaps.first().textContent()).toContain("gpt-4o → gpt-4o-mini");
    // Sorted by saving, largest first, and each one can be dismissed.
    await page.getByRole("button", { name: /^Dismiss Cheaper model/ }).first().click();
    await expect.poll(() => swaps.count(), { timeout: 10_000 }).toBe(count - 1);
    await context.close();
  });

  it("a lead marks a change on the team page and reads its before and after", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "lead@example.com");
    await page.goto(`${baseUrl}/teams/support`);
    const form = page.getByRole("form", { name: "Mark a change" });
    await form.waitFor({ timeout: 30_000 });
    const [feature] = await queryAppDatabase<{ feature: string }>(
      "SELECT feature FROM usage_rollup_daily_all WHERE team = 'support' AND feature IS NOT NULL GROUP BY feature ORDER BY sum(requests) DESC LIMIT 1",
    );
    await form.getByLabel("Feature").fill(feature?.feature ?? "");
    await form.getByLabel("What changed").fill(CHANGE);
    const when = new Date(Date.now() - 3 * 86_400_000);
    const local = new Date(when.getTime() - when.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await form.getByLabel("When (your time; empty: now)").fill(local);
    await form.getByRole("button", { name: "Mark change" }).click();
    const item = page.getByTestId("feature-change").filter({ hasText: CHANGE });
    await item.waitFor();
    expect(await item.getByRole("row", { name: /Before/ }).count()).toBe(1);
    expect(await item.getByRole("row", { name: /After/ }).count()).toBe(1);
    expect(await item.getByTestId("per-call-change").textContent()).toMatch(/^[+-]?\d|—/);
    await context.close();
  });
});
