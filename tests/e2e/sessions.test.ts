import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { browserForFile } from "./browser";
import { DEMO_PASSWORD, signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();
const USER = "viewer@example.com";

async function sessionCookie(context: BrowserContext) {
  const cookie = (await context.cookies()).find((c) => c.name.endsWith("burnrate.session"));
  if (!cookie) throw new Error("no session cookie");
  return cookie;
}

/** A fresh browser holding a copy of another browser's session cookie (what a thief would hold). */
async function contextWithCopyOf(source: BrowserContext): Promise<{ context: BrowserContext; page: Page; cookieHeader: string }> {
  const cookie = await sessionCookie(source);
  const context = await browser().newContext();
  await context.addCookies([cookie]);
  return { context, page: await context.newPage(), cookieHeader: `${cookie.name}=${cookie.value}` };
}

async function expectSignedIn(page: Page): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByTestId("user-menu").waitFor({ timeout: 30_000 });
  expect(new URL(page.url()).pathname).toBe("/");
}

async function expectSignedOut(page: Page): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.waitForURL(/\/sign-in/);
}

async function apiStatus(cookieHeader: string): Promise<number> {
  return (await fetch(`${baseUrl}/api/v1/teams`, { headers: { cookie: cookieHeader } })).status;
}

describe("Sessions", () => {
  it("signing out ends only that session, everywhere its cookie was copied; 'End all sessions' ends the rest", async () => {
    const a = await signedInContext(browser(), baseUrl, USER);
    const b = await signedInContext(browser(), baseUrl, USER);
    const c = await signedInContext(browser(), baseUrl, USER);
    const other = await signedInContext(browser(), baseUrl, "finance@example.com");
    const copyOfA = await contextWithCopyOf(a.context);
    const copyOfB = await contextWithCopyOf(b.context);
    expect(await apiStatus(copyOfA.cookieHeader)).toBe(200);

    // Sign out in A: A's session ends on the server, so a copy of its cookie is refused too…
    await a.page.getByRole("button", { name: "Sign out" }).click();
    await a.page.waitForURL(/\/sign-in/);
    await expectSignedOut(copyOfA.page);
    expect(await apiStatus(copyOfA.cookieHeader)).toBe(401);
    // …while the same user's other sessions go on.
    await b.page.reload();
    await b.page.getByTestId("user-menu").waitFor();
    await expectSignedIn(c.page);
    await expectSignedIn(copyOfB.page);

    // "End all sessions" in B: every session of this user ends, B's and C's and any copy.
    b.page.once("dialog", (dialog) => void dialog.accept());
    await b.page.getByRole("button", { name: "End all sessions" }).click();
    await b.page.waitForURL(/\/sign-in/);
    await expectSignedOut(b.page);
    await expectSignedOut(c.page);
    await expectSignedOut(copyOfB.page);
    expect(await apiStatus(copyOfB.cookieHeader)).toBe(401);

    // Another user is not affected, and this user can sign in again.
    await expectSignedIn(other.page);
    const again = await signedInContext(browser(), baseUrl, USER);
    await expectSignedIn(again.page);

    for (const context of [a.context, b.context, c.context, other.context, copyOfA.context, copyOfB.context, again.context]) {
      await context.close();
    }
  });
});

describe("The sign-in callback", () => {
  const attacks = ["/%5Cevil.example/x", "/%09/evil.example/x", "//evil.example/x", "http://localhost:3000.evil.example/", "javascript:alert(1)"];

  it("sends a signed-in user to a page of this site, whatever callbackUrl says", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "admin@example.com");
    for (const attack of attacks) {
      const response = await page.goto(`${baseUrl}/sign-in?callbackUrl=${attack}`);
      expect(response?.status() ?? 0).toBeLessThan(500);
      await page.getByTestId("user-menu").waitFor();
      expect(new URL(page.url()).origin).toBe(baseUrl);
      expect(new URL(page.url()).pathname).toBe("/");
    }
    // A page of this site is kept.
    await page.goto(`${baseUrl}/sign-in?callbackUrl=%2Fprices`);
    await page.waitForURL(`${baseUrl}/prices`);
    await context.close();
  });

  it("sends someone who signs in through the form to a page of this site", async () => {
    const context = await browser().newContext();
    const page = await context.newPage();
    const response = await page.goto(`${baseUrl}/sign-in?callbackUrl=/%5Cevil.example/x`);
    expect(response?.status()).toBe(200);
    await page.getByLabel("Email").fill("admin@example.com");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByTestId("user-menu").waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).origin).toBe(baseUrl);
    expect(new URL(page.url()).pathname).toBe("/");
    await context.close();
  });
});
