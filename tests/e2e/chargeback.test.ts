import { afterAll, describe, expect, inject, it } from "vitest";
import { queryAppDatabase } from "./app-database";
import { browserForFile } from "./browser";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

/**
 * Finance opens last month's chargeback on the demo data, where untagged spend is
 * unallocated; creates a rule spreading it from the preview; sees the unallocated line go to
 * $0 and a team's statement gain the rule's line; closes the month. A team lead reads only
 * their teams' rows and cannot change rules.
 */
const RULE = `Untagged spend e2e ${Date.now()}`;
const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - 1, 1)).toISOString().slice(0, 7);

afterAll(async () => {
  await queryAppDatabase("DELETE FROM allocation_rules WHERE name = $1", [RULE]);
  await queryAppDatabase("DELETE FROM chargeback_closes WHERE month = $1::date", [`${lastMonth}-01`]);
});

describe("Chargeback", () => {
  it("finance creates a rule from its preview, sees the statements change, prints a statement and closes the month", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "finance@example.com");
    await page.goto(`${baseUrl}/chargeback`);
    await page.getByRole("heading", { name: "Chargeback" }).waitFor();
    const totals = page.getByTestId("chargeback-totals");
    await totals.waitFor();
    // The demo's untagged spend is not anyone's yet.
    const unallocated = async () => (await totals.textContent()) ?? "";
    expect(await unallocated()).toMatch(/Unallocated\$[1-9]/);
    expect(await page.getByTestId("unallocated-lines").textContent()).toContain("without a team tag");
    const rowCount = await page.getByTestId("chargeback-row").count();
    expect(rowCount).toBeGreaterThan(3);

    const form = page.getByRole("form", { name: "New allocation rule" });
    await form.getByLabel("Name").fill(RULE);
    await form.getByLabel("Team", { exact: true }).selectOption("none");
    await form.getByLabel("Spread").selectOption("proportional");
    await form.getByRole("button", { name: /^Preview/ }).click();
    const preview = page.getByTestId("rule-preview");
    await preview.waitFor();
    expect(await preview.getByTestId("preview-row").count()).toBe(rowCount);
    expect(await preview.textContent()).toContain("Unallocated:");
    expect(await preview.textContent()).toContain("→ $0.00");
    await preview.getByRole("button", { name: "Save rule" }).click();
    await page.getByRole("status").filter({ hasText: "Rule saved" }).waitFor();
    await page.getByTestId("allocation-rule").filter({ hasText: RULE }).waitFor();
    await page.getByTestId("chargeback-totals").filter({ hasText: "Unallocated$0.00" }).waitFor();

    // The top team's statement names the rule on its allocated line.
    const first = page.getByTestId("chargeback-row").first().getByRole("link");
    const team = (await first.textContent()) ?? "";
    await first.click();
    await page.getByTestId("statement").waitFor();
    expect(page.url()).toContain(`team=${team}`);
    expect(await page.getByTestId("allocated-lines").textContent()).toContain(RULE);
    expect(await page.getByTestId("direct-lines").getByRole("row").count()).toBeGreaterThan(1);
    // Print: the navigation and the buttons are gone, the statement stays.
    await page.emulateMedia({ media: "print" });
    expect(await page.locator("aside").isVisible()).toBe(false);
    expect(await page.getByRole("button", { name: "Print or save as PDF" }).isVisible()).toBe(false);
    expect(await page.getByTestId("statement-charge").isVisible()).toBe(true);
    await page.emulateMedia({ media: "screen" });

    await page.getByRole("link", { name: "Back to the month" }).click();
    await page.getByTestId("month-status").waitFor();
    await page.getByRole("button", { name: /^Close / }).click();
    await page.getByTestId("month-status").filter({ hasText: "Closed" }).waitFor();
    const [closed] = await queryAppDatabase<{ total: string }>("SELECT total_usd::text AS total FROM chargeback_closes WHERE month = $1::date", [`${lastMonth}-01`]);
    expect(closed).toBeDefined();
    await context.close();
  });

  it("a team lead reads only their teams' rows and cannot change rules", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "lead@example.com");
    await page.goto(`${baseUrl}/chargeback?month=${lastMonth}`);
    await page.getByTestId("chargeback-rows").waitFor();
    const teams = await page.getByTestId("chargeback-row").getByRole("link").allTextContents();
    expect(teams.length).toBeGreaterThan(0);
    expect(teams.every((team) => team === "support" || team === "search")).toBe(true);
    expect(await page.getByTestId("chargeback-totals").textContent()).not.toContain("Unallocated");
    expect(await page.getByRole("form", { name: "New allocation rule" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: /^Close / }).count()).toBe(0);
    await page.goto(`${baseUrl}/chargeback/statement?month=${lastMonth}&team=platform`);
    await page.getByTestId("access-denied").waitFor();
    await context.close();
  });
});
