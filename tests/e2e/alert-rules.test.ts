import { describe, expect, inject, it } from "vitest";
import { browserForFile } from "./browser";
import { queryAppDatabase } from "./app-database";
import { pageApi } from "./page-api";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

describe("Alert rules", () => {
  it("finance tunes the spend-spike rule through the form and sees its sentence change", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "finance@example.com");
    await page.goto(`${baseUrl}/alerts`);
    const row = page.getByTestId("rule-list").locator('li[data-rule="Spend spike"]');
    const sentence = row.getByTestId("rule-sentence");
    await sentence.waitFor({ timeout: 15_000 });
    expect(await sentence.textContent()).toBe("Fires when a team's hourly or daily spend is more than 100% above its 7-day baseline and at least $5 above it.");

    await row.getByRole("button", { name: "Tune Spend spike" }).click();
    const dialog = page.getByRole("dialog", { name: 'Tune "Spend spike"' });
    await dialog.waitFor();
    const preview = dialog.getByTestId("rule-preview");
    await dialog.getByLabel("Above the baseline by more than").fill("200");
    await dialog.getByLabel("And at least").fill("20");
    await dialog.getByRole("checkbox", { name: "Today so far" }).uncheck();
    await dialog.getByLabel("Baseline", { exact: true }).fill("0");
    // The schema's message, under the field; the preview waits for valid values.
    await dialog.getByText("Must be an integer from 1 to 28").waitFor();
    expect(await dialog.getByLabel("Baseline", { exact: true }).getAttribute("aria-invalid")).toBe("true");
    expect(await preview.textContent()).toBe("Fix the highlighted fields to see when this rule fires.");
    await dialog.getByLabel("Baseline", { exact: true }).fill("14");
    const expected = "Fires when a team's hourly spend is more than 200% above its 14-day baseline and at least $20 above it.";
    await dialog.getByTestId("rule-preview").getByText(expected).waitFor();

    // Escape closes without saving; the keyboard returns to Tune.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("aria-label"))).toBe("Tune Spend spike");
    expect(await sentence.textContent()).toContain("hourly or daily");

    await row.getByRole("button", { name: "Tune Spend spike" }).click();
    await dialog.getByLabel("Above the baseline by more than").fill("200");
    await dialog.getByLabel("And at least").fill("20");
    await dialog.getByRole("checkbox", { name: "Today so far" }).uncheck();
    await dialog.getByLabel("Baseline", { exact: true }).fill("14");
    await dialog.getByRole("button", { name: "Save rule" }).click();
    await dialog.waitFor({ state: "detached", timeout: 15_000 });
    await row.getByTestId("rule-sentence").getByText(expected).waitFor({ timeout: 15_000 });

    const [stored] = await queryAppDatabase<{ params: Record<string, unknown> }>("SELECT params FROM alert_rules WHERE name = 'Spend spike' AND budget_id IS NULL ORDER BY created_at LIMIT 1");
    expect(stored?.params).toEqual({ relative: 2, floor_usd: "20", windows: ["hour"], baseline_days: 14 });
    // Back to the defaults for the other tests on this app.
    const [rule] = await queryAppDatabase<{ id: string }>("SELECT id::text FROM alert_rules WHERE name = 'Spend spike' ORDER BY created_at LIMIT 1");
    expect((await pageApi(page, `/api/v1/alert-rules/${rule?.id}`, "PATCH", { params: { relative: null, floor_usd: null, windows: null, baseline_days: null } })).status).toBe(200);
    await context.close();
  });

  it("finance adds a rule for one team, routed to one channel, and deletes it", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "finance@example.com");
    await page.goto(`${baseUrl}/alerts`);
    await page.getByTestId("rule-list").waitFor({ timeout: 15_000 });
    const channel = await pageApi<{ id: string }>(page, "/api/v1/alert-channels", "POST", { type: "webhook", url: "http://127.0.0.1:9/rules", name: "e2e-rules-hook" });
    expect(channel.status).toBe(201);
    const other = await pageApi<{ id: string }>(page, "/api/v1/alert-channels", "POST", { type: "webhook", url: "http://127.0.0.1:9/other", name: "e2e-other-hook" });
    await page.reload();

    await page.getByRole("button", { name: "Add rule" }).click();
    const dialog = page.getByRole("dialog", { name: "Add an alert rule" });
    await dialog.waitFor();
    await dialog.getByLabel("Rule type").selectOption("unpriced_spend");
    await dialog.getByLabel("At least", { exact: true }).fill("3");
    await dialog.getByRole("radio", { name: "One team" }).check();
    await dialog.getByLabel("Team", { exact: true }).selectOption("support");
    await dialog.getByRole("checkbox", { name: /e2e-rules-hook/ }).check();
    await dialog.getByLabel("Name").fill("Support unpriced");
    const expected = "Fires when 3 or more requests in team support this month have no price.";
    await dialog.getByTestId("rule-preview").getByText(expected).waitFor();
    await dialog.getByRole("button", { name: "Add rule" }).click();
    await dialog.waitFor({ state: "detached", timeout: 15_000 });

    const row = page.getByTestId("rule-list").locator('li[data-rule="Support unpriced"]');
    await row.getByTestId("rule-sentence").getByText(expected).waitFor({ timeout: 15_000 });
    expect(await row.getByTestId("rule-channels").textContent()).toBe("Sends to e2e-rules-hook");
    const [stored] = await queryAppDatabase<{ scope: unknown; params: unknown; channels: string[] }>(
      `SELECT r.scope, r.params, array_agg(c.name) AS channels FROM alert_rules r
       JOIN "_AlertChannelToAlertRule" l ON l."B" = r.id JOIN alert_channels c ON c.id = l."A"
       WHERE r.name = 'Support unpriced' GROUP BY r.id`,
    );
    expect(stored).toEqual({ scope: { team: "support" }, params: { min_requests: 3 }, channels: ["e2e-rules-hook"] });
    // Built-in rules have no Delete; this one does.
    expect(await page.getByTestId("rule-list").locator('li[data-rule="Spend spike"]').getByRole("button", { name: /^Delete/ }).count()).toBe(0);
    page.once("dialog", (confirm) => void confirm.accept());
    await row.getByRole("button", { name: "Delete Support unpriced" }).click();
    await row.waitFor({ state: "detached", timeout: 15_000 });
    // The channels go too (they would receive the other tests' alerts).
    for (const id of [channel.body.id, other.body.id]) expect((await pageApi(page, `/api/v1/alert-channels/${id}`, "DELETE")).status).toBe(200);
    await context.close();
  });
});
