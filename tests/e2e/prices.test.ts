import { describe, expect, inject, it } from "vitest";
import { browserForFile } from "./browser";
import { queryAppDatabase } from "./app-database";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

describe("Prices", () => {
  it("lists the demo's unpriced model, and an admin adds a price that lands in the catalog", async () => {
    const [unpriced] = await queryAppDatabase<{ provider: string; model: string }>(
      "SELECT provider, model FROM usage_rollup_hourly WHERE unpriced_requests > 0 GROUP BY 1, 2 ORDER BY sum(unpriced_requests) DESC LIMIT 1",
    );
    const { context, page } = await signedInContext(browser(), baseUrl, "admin@example.com");
    await page.goto(`${baseUrl}/prices`);
    const table = page.getByTestId("unpriced-models");
    expect(await table.textContent()).toContain(`${unpriced?.provider}/${unpriced?.model}`);

    // "Add its price" fills the form with that model.
    await table.getByRole("link", { name: "Add its price" }).first().click();
    await page.waitForURL(/provider=/);
    expect(await page.getByLabel("Model", { exact: true }).inputValue()).toBe(unpriced?.model);

    // Add a price for a model of our own, so other tests keep their unpriced demo data.
    const model = `e2e-model-${Date.now()}`;
    await page.getByLabel("Model", { exact: true }).fill(model);
    await page.getByLabel("Effective from").fill("2026-01-01");
    await page.getByLabel("Input $/Mtok").fill("0.15");
    await page.getByLabel("Output $/Mtok").fill("0.6");
    await page.getByRole("button", { name: "Add price" }).click();
    await page.getByText(`Saved a price for ${unpriced?.provider}/${model}`).waitFor();
    await page.getByTestId("price-catalog").getByText(`${unpriced?.provider}/${model}`).waitFor();

    const [stored] = await queryAppDatabase<{ input: string; cache_read: string }>(
      "SELECT input_per_mtok::text AS input, cache_read_per_mtok::text AS cache_read FROM prices WHERE model = $1",
      [model],
    );
    expect(stored).toEqual({ input: "0.1500000000", cache_read: "0.1500000000" });

    // Correct its output rate, then delete it: each answered, each reflected in the catalog.
    await page.goto(`${baseUrl}/prices?q=${encodeURIComponent(model)}`);
    const row = page.getByTestId("price-catalog").getByRole("row").filter({ hasText: model });
    await row.getByRole("button", { name: /^Edit the rates of/ }).click();
    const rates = row.getByRole("form", { name: /^Rates of/ });
    await rates.getByLabel("Output $/Mtok").fill("0.7");
    await rates.getByRole("button", { name: "Save rates" }).click();
    await row.getByText("$0.7", { exact: true }).waitFor();
    const [corrected] = await queryAppDatabase<{ output: string }>("SELECT output_per_mtok::text AS output FROM prices WHERE model = $1", [model]);
    expect(corrected).toEqual({ output: "0.7000000000" });
    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: /^Delete the price of/ }).click();
    await page.getByTestId("price-catalog").getByRole("rowheader", { name: `${unpriced?.provider}/${model}` }).waitFor({ state: "detached" });
    expect(await queryAppDatabase("SELECT 1 FROM prices WHERE model = $1", [model])).toEqual([]);
    await context.close();
  });

  it("shows a viewer the catalog without the form", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "viewer@example.com");
    await page.goto(`${baseUrl}/prices`);
    await page.getByTestId("price-catalog").waitFor();
    expect(await page.getByRole("button", { name: "Add price" }).count()).toBe(0);
    await context.close();
  });
});
