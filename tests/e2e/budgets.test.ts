import { describe, expect, inject, it } from "vitest";
import { formatMoney } from "@/lib/format";
import { browserForFile } from "./browser";
import { queryAppDatabase } from "./app-database";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

describe("Budgets", () => {
  it("finance creates a team budget in the form and sees it with this month's spend and a burn-down", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "finance@example.com");
    await page.goto(`${baseUrl}/budgets`);
    const name = `Search AI ${Date.now()}`;
    const form = page.getByRole("form", { name: "New budget" });
    await form.getByLabel("Name").fill(name);
    await form.getByLabel("Monthly amount (USD)").fill("1000");
    await form.getByLabel("Team").selectOption("search");
    await form.getByRole("button", { name: "Create budget" }).click();

    const row = page.getByTestId("budgets-table").locator(`tr[data-budget="${name}"]`);
    await row.waitFor({ timeout: 15_000 });
    const [spent] = await queryAppDatabase<{ cost: string }>(
      `SELECT coalesce(sum(cost_usd), 0)::text AS cost FROM usage_events
       WHERE team = 'search' AND occurred_at >= date_trunc('month', now(), 'UTC')`,
    );
    expect(await row.textContent()).toContain(formatMoney(spent?.cost ?? "0"));
    expect(await row.textContent()).toContain("$1,000.00");
    await row.getByTestId("budget-status").waitFor();

    await row.getByRole("button", { name, exact: true }).click();
    await page.getByRole("img", { name: new RegExp(`Burn-down of ${name}`) }).waitFor();
    await page.locator(".recharts-line").first().waitFor({ timeout: 15_000 });

    const [stored] = await queryAppDatabase<{ amount: string; team: string }>(
      "SELECT amount_usd::text AS amount, team FROM budgets WHERE name = $1",
      [name],
    );
    expect(stored).toEqual({ amount: "1000.000000000000", team: "search" });
    await context.close();
  });

  it("shows a team lead the budget of their team read-only", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "lead@example.com");
    await page.goto(`${baseUrl}/budgets`);
    await page.getByTestId("budgets-table").waitFor({ timeout: 15_000 });
    expect(await page.getByRole("form", { name: "New budget" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Edit / }).count()).toBe(0);
    await context.close();
  });
});
