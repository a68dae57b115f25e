import type { ConsoleMessage, Page, Response } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { browserForFile } from "./browser";
import { signedInContext } from "./sign-in";

/**
 * Issue 13, item 11: pages carry a nonce-based script policy (proxy.ts), never
 * 'unsafe-inline' for scripts; every script Next.js renders carries the response's nonce;
 * and the pages still hydrate with no CSP violation at all.
 */

const baseUrl = inject("baseUrl");
const browser = browserForFile();

const DASHBOARD_PAGES = [
  "/",
  "/showback",
  "/outcomes",
  "/cache",
  "/budgets",
  "/alerts",
  "/quotas",
  "/quotas/review",
  "/prices",
  "/settings/teams",
  "/settings/users",
  "/settings/keys",
  "/settings/audit",
  "/settings/connect",
  "/teams/support",
];

function scriptSources(policy: string): string[] {
  const directive = policy.split(";").map((part) => part.trim()).find((part) => part.startsWith("script-src "));
  return directive ? directive.split(/\s+/).slice(1) : [];
}

/** The nonce of a response's policy, after checking the policy itself. */
function nonceOf(response: Response | null): string {
  expect(response).not.toBeNull();
  const policy = (response as Response).headers()["content-security-policy"] ?? "";
  const sources = scriptSources(policy);
  expect(sources).toContain("'strict-dynamic'");
  expect(sources).not.toContain("'unsafe-inline'");
  expect(sources).not.toContain("'unsafe-eval'");
  const nonces = sources.filter((source) => source.startsWith("'nonce-"));
  expect(nonces).toHaveLength(1);
  return (nonces[0] as string).slice("'nonce-".length, -1);
}

/** Every <script> in the HTML as sent carries the nonce (inline ones especially). */
function expectScriptsCarry(html: string, nonce: string): void {
  const tags = html.match(/<script\b[^>]*>/g) ?? [];
  expect(tags.length).toBeGreaterThan(0);
  const inline = tags.filter((tag) => !/\ssrc=/.test(tag));
  expect(inline.length).toBeGreaterThan(0);
  for (const tag of tags) expect(tag, tag).toContain(`nonce="${nonce}"`);
}

/** Collects CSP violations: the DOM event (from an init script, which CSP does not govern) and console errors. */
async function watchViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on("console", (message: ConsoleMessage) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) violations.push(`console: ${message.text()}`);
  });
  await page.exposeFunction("__reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __reportCspViolation: (text: string) => void }).__reportCspViolation;
      void report(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  return violations;
}

describe("Content-Security-Policy", () => {
  it("gives every page a nonce policy its scripts carry, and the pages hydrate with no violation", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "admin@example.com");
    const violations = await watchViolations(page);
    const seen = new Set<string>();
    for (const path of DASHBOARD_PAGES) {
      const response = await page.goto(`${baseUrl}${path}`, { waitUntil: "load" });
      expect(response?.status(), path).toBe(200);
      const nonce = nonceOf(response);
      expect(seen.has(nonce), `${path}: a nonce seen before`).toBe(false);
      seen.add(nonce);
      expectScriptsCarry(await (response as Response).text(), nonce);
      await page.getByTestId("user-menu").waitFor();
    }

    // /settings redirects while its layout is already streaming: the redirect runs in the page.
    await page.goto(`${baseUrl}/settings`);
    await page.waitForURL(`${baseUrl}/settings/teams`);
    await page.getByTestId("user-menu").waitFor();

    // Hydrated: a client-side navigation keeps this window (a full load would lose the mark).
    await page.goto(`${baseUrl}/`);
    await page.evaluate(() => ((window as unknown as { __stillHere: boolean }).__stillHere = true));
    await page.getByRole("link", { name: "Showback", exact: true }).first().click();
    await page.waitForURL(`${baseUrl}/showback`);
    await page.getByTestId("user-menu").waitFor();
    expect(await page.evaluate(() => (window as unknown as { __stillHere?: boolean }).__stillHere)).toBe(true);

    await page.waitForTimeout(300);
    expect(violations).toEqual([]);
    await context.close();
  });

  it("covers the sign-in page and the 404 page too, and the sign-in form still works", async () => {
    const context = await browser().newContext();
    const page = await context.newPage();
    const violations = await watchViolations(page);

    const missing = await page.goto(`${baseUrl}/no-such-page-${Date.now()}`);
    expect(missing?.status()).toBe(404);
    expectScriptsCarry(await (missing as Response).text(), nonceOf(missing));

    const first = await page.goto(`${baseUrl}/sign-in`);
    const nonce = nonceOf(first);
    expectScriptsCarry(await (first as Response).text(), nonce);
    // Only a hydrated form answers without leaving the page.
    await page.getByLabel("Email").fill("viewer@example.com");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText("The email or password is not right.").waitFor();

    // Two requests, two nonces.
    const again = await fetch(`${baseUrl}/sign-in`);
    const policy = again.headers.get("content-security-policy") ?? "";
    expect(policy).toMatch(/'nonce-[^']+'/);
    expect(policy).not.toContain(`'nonce-${nonce}'`);

    await page.waitForTimeout(300);
    expect(violations).toEqual([]);
    await context.close();
  });

  it("keeps a script policy without 'unsafe-inline' on API answers and static files", async () => {
    for (const path of ["/api/health", "/icon.svg"]) {
      const response = await fetch(`${baseUrl}${path}`);
      expect(response.status, path).toBe(200);
      const sources = scriptSources(response.headers.get("content-security-policy") ?? "");
      expect(sources, path).toEqual(["'self'"]);
    }
  });
});
