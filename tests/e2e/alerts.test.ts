import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchBrowser } from "./browser";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
let browser: Browser;
let receiver: Server;
const received: Array<{ body: string; signature: string | undefined }> = [];

beforeAll(async () => {
  browser = await launchBrowser();
  // A webhook receiver of our own on the loopback interface.
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ body: Buffer.concat(chunks).toString("utf8"), signature: request.headers["x-burnrate-signature"] as string | undefined });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe("Alerts", () => {
  it("finance adds a signed webhook, sends a test, evaluates the rules and acknowledges an alert", async () => {
    const { context, page } = await signedInContext(browser, baseUrl, "finance@example.com");
    await page.goto(`${baseUrl}/alerts`);
    const port = (receiver.address() as AddressInfo).port;
    const secret = "e2e-signing-secret-0123456789abcdef";
    const form = page.getByRole("form", { name: "New channel" });
    await form.getByLabel("Name").fill("e2e-hook");
    await form.getByLabel("URL").fill(`http://127.0.0.1:${port}/hook`);
    await form.getByLabel("Signing secret (optional)").fill(secret);
    await form.getByRole("button", { name: "Add channel" }).click();

    const channel = page.getByTestId("channel-list").locator('li[data-channel="e2e-hook"]');
    await channel.waitFor({ timeout: 15_000 });
    await channel.getByRole("button", { name: "Send test" }).click();
    await channel.getByTestId("channel-test-result").getByText(/Test delivered/).waitFor({ timeout: 15_000 });
    const test = received.at(-1);
    expect(test?.signature).toBe(`sha256=${createHmac("sha256", secret).update(test?.body ?? "").digest("hex")}`);

    // The demo data has an unpriced model: evaluating fires (at least) that alert.
    await page.getByRole("button", { name: "Evaluate now" }).click();
    await page.getByRole("status").getByText(/^Evaluated:/).waitFor({ timeout: 30_000 });
    const unpriced = page.getByTestId("alert-list").locator('li[data-alert-type="spend.unpriced"]').first();
    await unpriced.waitFor({ timeout: 15_000 });
    await unpriced.getByRole("button", { name: /^Acknowledge/ }).click();
    await page.getByRole("button", { name: "acknowledged", exact: true }).click();
    await page.waitForURL(/state=acknowledged/);
    await page.getByTestId("alert-list").locator('li[data-alert-type="spend.unpriced"]').first().waitFor();
    await context.close();
  });

  it("shows a viewer the alerts without channels or rules", async () => {
    const { context, page } = await signedInContext(browser, baseUrl, "viewer@example.com");
    await page.goto(`${baseUrl}/alerts`);
    await page.getByRole("heading", { name: "Alerts", level: 2 }).waitFor();
    expect(await page.getByRole("form", { name: "New channel" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Evaluate now" }).count()).toBe(0);
    await context.close();
  });
});
