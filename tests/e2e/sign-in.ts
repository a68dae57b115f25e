import type { Browser, BrowserContext, Page } from "playwright-core";

export const DEMO_PASSWORD = "burnrate-demo";

/** Signs in through the real sign-in page, as a person would, and waits for the dashboard. */
export async function signInThroughPage(page: Page, baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByTestId("user-menu").waitFor({ timeout: 30_000 });
}

/** A fresh browser context (its own cookies) signed in as `email`. */
export async function signedInContext(browser: Browser, baseUrl: string, email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await signInThroughPage(page, baseUrl, email);
  return { context, page };
}
