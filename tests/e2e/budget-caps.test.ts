import { afterAll, describe, expect, inject, it } from "vitest";
import { queryAppDatabase } from "./app-database";
import { browserForFile } from "./browser";
import { createKeyWithCli } from "./cli";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

/**
 * Budget caps end to end: finance caps a budget for the search team below what it has spent
 * this month; the gateway's quota check is refused naming the budget; the team's lead gets the
 * notification, follows it to a burst request form for the team and files the request.
 */
const BUDGET = `Search cap e2e ${Date.now()}`;

afterAll(async () => {
  // What this test made, so the other journeys see the demo as it was.
  await queryAppDatabase("DELETE FROM budgets WHERE name = $1", [BUDGET]);
  await queryAppDatabase("DELETE FROM notifications WHERE kind = 'cap_hit' AND title = $1", [`Budget cap reached: ${BUDGET}`]);
  await queryAppDatabase("DELETE FROM burst_requests WHERE reason LIKE 'A budget cap reached this month%' AND created_at > now() - interval '1 hour'");
});

describe("Budget caps", () => {
  it("finance caps a budget, the gateway check refuses, the lead files a burst from the notification", async () => {
    const finance = await signedInContext(browser(), baseUrl, "finance@example.com");
    await finance.page.goto(`${baseUrl}/budgets`);
    const form = finance.page.getByRole("form", { name: "New budget" });
    await form.getByLabel("Name").fill(BUDGET);
    await form.getByLabel("Monthly amount (USD)").fill("0.01");
    await form.getByLabel("Team").selectOption("search");
    await form.getByLabel("Cap", { exact: true }).selectOption("deny");
    await form.getByLabel("Cap at (% of amount)").fill("100");
    await form.getByRole("button", { name: "Create budget" }).click();
    const row = finance.page.locator(`tr[data-budget="${BUDGET}"]`);
    await row.waitFor();
    expect(await row.getByTestId("cap-cell").textContent()).toContain("Refusing");
    await finance.context.close();

    // The gateway asks before a call for the search team: refused, naming the budget.
    const key = createKeyWithCli("ingest");
    const deadline = Date.now() + 10_000;
    let answer: { allowed: boolean; reason: string; budget_id: string | null } = { allowed: true, reason: "", budget_id: null };
    while (Date.now() < deadline) {
      const response = await fetch(`${baseUrl}/api/v1/quota/check`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ team: "search" }),
      });
      answer = (await response.json()) as typeof answer;
      if (!answer.allowed) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(answer.allowed).toBe(false);
    expect(answer.reason).toMatch(new RegExp(`^budget ${BUDGET} at \\d+% \\(cap 100%\\)$`));

    // The refusal is counted and the team notified within a few seconds (the next snapshot load).
    const lead = await signedInContext(browser(), baseUrl, "lead@example.com");
    const bell = lead.page.getByRole("button", { name: /Notifications/ });
    const link = lead.page.getByRole("link", { name: new RegExp(`Budget cap reached: ${BUDGET}`) });
    for (let attempt = 0; attempt < 20 && (await link.count()) === 0; attempt++) {
      await lead.page.goto(`${baseUrl}/`);
      await bell.click();
      if ((await link.count()) > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await link.first().click();
    await lead.page.waitForURL(/\/quotas\?burst=search/);
    const burst = lead.page.getByRole("form", { name: "New burst request" });
    await burst.waitFor();
    expect(await burst.getByLabel("Team").inputValue()).toBe("search");
    await burst.getByLabel("Extra amount").fill("25");
    await burst.getByRole("button", { name: "File request" }).click();
    await lead.page.getByRole("status").filter({ hasText: "filed for search" }).waitFor();
    const [filed] = await queryAppDatabase<{ reason: string }>(
      `SELECT b.reason FROM burst_requests b JOIN teams t ON t.id = b.team_id WHERE t.slug = 'search' ORDER BY b.created_at DESC LIMIT 1`,
    );
    expect(filed?.reason).toContain("budget cap");
    await lead.context.close();
  });
});
