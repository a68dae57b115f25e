import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { queryAppDatabase } from "./app-database";
import { browserForFile } from "./browser";
import { signedInContext } from "./sign-in";
import { startProviderStub, type ProviderStub } from "../factories/provider-stub";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

/**
 * An admin connects Anthropic (a stub of its admin API on 127.0.0.1, which the e2e app's
 * BURNRATE_OUTBOUND_ALLOW lists), pulls two days, and reads the drift and its causes; finance
 * reads the same comparison without the connections; a team lead is refused the page.
 */
const ANTHROPIC_KEY = `sk-ant-admin01-e2e-${Date.now()}`;
const WINDOW = "from=2026-11-02&to=2026-11-04&provider=anthropic";
let stub: ProviderStub;

beforeAll(async () => {
  stub = await startProviderStub({ openaiKey: "sk-admin-unused", anthropicKey: ANTHROPIC_KEY });
});

afterAll(async () => {
  await queryAppDatabase("DELETE FROM reconciliation_connections WHERE base_url = $1", [stub.url]);
  await stub.close();
});

describe("Reconciliation", () => {
  it("an admin connects Anthropic, pulls a window and sees the days and models where the bill differs", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "admin@example.com");
    await page.goto(`${baseUrl}/reconciliation?${WINDOW}`);
    await page.getByRole("heading", { name: "Reconciliation" }).waitFor();

    const form = page.getByRole("form", { name: "Connect a provider" });
    await form.getByLabel("Provider").selectOption("anthropic");
    await form.getByLabel("Admin API key").fill(ANTHROPIC_KEY);
    await form.getByLabel("Base URL (optional)").fill(stub.url);
    await form.getByRole("button", { name: "Connect" }).click();
    const connection = page.getByTestId("connection").filter({ hasText: stub.url });
    await connection.waitFor();
    expect(await connection.textContent()).toContain(`…${ANTHROPIC_KEY.slice(-4)}`);
    expect(await page.content()).not.toContain(ANTHROPIC_KEY);

    await page.getByTestId("pull-now").click();
    await page.getByRole("status").filter({ hasText: "Anthropic: 6 rows" }).waitFor();
    const rows = page.getByTestId("reconciliation-rows");
    await rows.getByText("claude-haiku-4-5-20251001").first().waitFor();
    // Haiku on Nov 3 never reached Burnrate: its row says so, with the missing tokens.
    const missing = rows.getByRole("row").filter({ hasText: "2026-11-03" }).filter({ hasText: "claude-haiku-4-5-20251001" });
    expect(await missing.getByTestId("drift-cause").allTextContents()).toContain("Tokens missing");
    expect(await missing.textContent()).toContain("Traffic not sent to Burnrate");
    // The chart is a real recharts chart with both lines.
    const chart = page.getByTestId("reconciliation-chart-anthropic");
    await chart.locator("svg .recharts-line").first().waitFor();
    expect(await chart.locator("svg .recharts-line").count()).toBe(2);
    // Sorting by day is a keyboard-reachable button.
    await rows.getByRole("button", { name: "Day" }).press("Enter");
    expect(await rows.locator("th[aria-sort='descending']").textContent()).toContain("Day");

    const [stored] = await queryAppDatabase<{ sealed: string }>("SELECT key_ciphertext AS sealed FROM reconciliation_connections WHERE base_url = $1", [stub.url]);
    expect(stored?.sealed.startsWith("v1.")).toBe(true);
    expect(stored?.sealed).not.toContain(ANTHROPIC_KEY);
    await context.close();
  });

  it("finance reads the same comparison without the connections; a team lead may not open it", async () => {
    const finance = await signedInContext(browser(), baseUrl, "finance@example.com");
    await finance.page.goto(`${baseUrl}/reconciliation?${WINDOW}`);
    await finance.page.getByTestId("totals-anthropic").waitFor();
    expect(await finance.page.getByRole("form", { name: "Connect a provider" }).count()).toBe(0);
    expect(await finance.page.getByTestId("reconciliation-rows").textContent()).toContain("claude-sonnet-4-5-20250929");
    await finance.context.close();

    const lead = await signedInContext(browser(), baseUrl, "lead@example.com");
    await lead.page.goto(`${baseUrl}/reconciliation`);
    await lead.page.getByTestId("access-denied").waitFor();
    expect(await lead.page.getByRole("link", { name: "Reconciliation" }).count()).toBe(0);
    await lead.context.close();
  });
});
