import { execFileSync, spawnSync } from "node:child_process";
import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { browserForFile } from "./browser";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

const curlAvailable = spawnSync("bash", ["-c", "command -v curl"]).status === 0;

/** The Events API row's "events in the last hour", as the Arrivals panel shows it. */
async function eventsCount(page: Page): Promise<number> {
  const text = (await page.getByTestId("arrivals-count-events").textContent()) ?? "";
  return Number(text.replace(/[^0-9]/g, ""));
}

/** Runs the curl snippet as a person would paste it into a shell; without curl, the same request with fetch. */
async function runCurlSnippet(code: string): Promise<unknown> {
  if (curlAvailable) return JSON.parse(execFileSync("bash", ["-c", code], { encoding: "utf8", timeout: 30_000 }));
  const url = /curl -sS "([^"]+)"/.exec(code)?.[1] ?? "";
  const authorization = /-H "Authorization: ([^"]+)"/.exec(code)?.[1] ?? "";
  const body = /--data '([^']*)'$/.exec(code)?.[1] ?? "";
  const response = await fetch(url, { method: "POST", headers: { authorization, "content-type": "application/json" }, body });
  return response.json();
}

describe("Settings → Connect", () => {
  it("lets an admin create an ingest key, fills it into the snippets, and shows the curl snippet's event arriving", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "admin@example.com");
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl }).catch(() => undefined);
    await page.goto(`${baseUrl}/settings/connect`);
    await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Connect" }).waitFor();
    expect(await page.getByTestId("connect-base-url").textContent()).toBe(baseUrl);

    // Arrivals load before anything is sent.
    await page.getByTestId("arrivals-table").waitFor();
    const before = await eventsCount(page);

    // No key yet: the snippets carry the placeholder.
    expect(await page.getByTestId("snippet-collector").textContent()).toContain("<YOUR_INGEST_KEY>");

    await page.getByLabel("Key name").fill(`e2e-connect-${Date.now()}`);
    await page.getByRole("button", { name: "Create ingest key" }).click();
    const secret = ((await page.getByTestId("connect-new-key-value").textContent()) ?? "").trim();
    expect(secret).toMatch(/^br_/);

    // Every snippet now holds the new key (the panels of the other tabs are hidden, not absent).
    for (const id of ["collector", "python-env", "node-env", "vercel-ai-sdk", "litellm", "curl"]) {
      const text = (await page.getByTestId(`snippet-${id}`).textContent()) ?? "";
      expect(text, id).toContain(secret);
      expect(text, id).not.toContain("<YOUR_INGEST_KEY>");
    }

    // The sender tabs work from the keyboard: End selects the last one (curl).
    await page.getByRole("tab", { name: "OpenTelemetry Collector" }).focus();
    await page.keyboard.press("End");
    const curlTab = page.getByRole("tab", { name: "curl" });
    expect(await curlTab.getAttribute("aria-selected")).toBe("true");
    expect(await curlTab.evaluate((element) => element === document.activeElement)).toBe(true);
    await page.keyboard.press("ArrowRight"); // wraps to the first
    expect(await page.getByRole("tab", { name: "OpenTelemetry Collector" }).getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("ArrowLeft");
    expect(await curlTab.getAttribute("aria-selected")).toBe("true");

    const panel = page.getByTestId("snippet-panel-curl");
    await panel.waitFor();
    const code = (await page.getByTestId("snippet-curl").textContent()) ?? "";
    expect(code).toContain(`"${baseUrl}/api/v1/events"`);
    expect(code).toContain(`Authorization: Bearer ${secret}`);

    // Copy: a headless browser may refuse the clipboard; either way the result is announced.
    await panel.getByRole("button", { name: "Copy", exact: true }).click();
    const announced = panel.locator("[aria-live=polite]");
    await expect.poll(async () => (await announced.textContent()) ?? "", { timeout: 5_000 }).not.toBe("");
    if ((await announced.textContent())?.startsWith("Copied")) {
      expect(await panel.getByRole("button", { name: "Copied" }).count()).toBe(1);
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(code);
    }

    // Run the snippet against the running app, then watch it arrive (the panel polls every 5 s).
    const answer = await runCurlSnippet(code);
    expect(answer).toEqual({ accepted: 1, duplicates: 0, rejected: 0, errors: [] });
    await expect.poll(() => eventsCount(page), { timeout: 10_000, interval: 250 }).toBe(before + 1);
    const lastEvent = page.getByTestId("arrivals-events").locator("time");
    expect(await lastEvent.textContent()).toMatch(/^(just now|\d+ s ago)$/);
    expect(await lastEvent.getAttribute("title")).toMatch(/UTC$/);
    await context.close();
  });

  it("shows a viewer the instructions, without the key form or the arrivals", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "viewer@example.com");
    await page.goto(`${baseUrl}/settings/connect`);
    await page.getByTestId("arrivals-admin-only").waitFor();
    const collector = (await page.getByTestId("snippet-collector").textContent()) ?? "";
    expect(collector).toContain(`${baseUrl}/api/v1/otlp`);
    expect(collector).toContain("<YOUR_INGEST_KEY>");
    expect(await page.getByRole("tab").count()).toBe(6);
    expect(await page.getByRole("button", { name: "Create ingest key" }).count()).toBe(0);
    expect(await page.getByTestId("arrivals-table").count()).toBe(0);
    expect(await page.getByText("You need an ingest key").count()).toBe(1);
    await context.close();
  });
});
