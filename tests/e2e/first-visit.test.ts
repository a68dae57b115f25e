import { mkdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { browserForFile } from "./browser";
import { waitForData } from "./wait-for-data";
import { signedInContext } from "./sign-in";

/**
 * Issue 14, item 2: each demo account's first visit, on the app `npm start` seeded (events
 * and the planning history of lib/demo/workflows.ts), shows data on every page it can
 * open — no "-empty" state — and a screenshot of each page is kept in
 * test-results/first-visit/ for people to look at.
 */

const baseUrl = inject("baseUrl");
const browser = browserForFile();
const SHOTS = path.resolve("test-results/first-visit");

const ROLES = [
  { role: "admin", email: "admin@example.com" },
  { role: "finance", email: "finance@example.com" },
  { role: "lead", email: "lead@example.com" },
  { role: "viewer", email: "viewer@example.com" },
] as const;

const PAGES = ["/", "/showback", "/outcomes", "/cache", "/budgets", "/alerts", "/quotas", "/quotas/review", "/prices", "/teams/support"];

/**
 * Empty states that are right on a first visit: only the lead files burst requests, and
 * only the admin decides them.
 */
function expectedEmpty(role: (typeof ROLES)[number]["role"], pagePath: string): string[] {
  if (pagePath !== "/quotas") return [];
  return [...(role === "lead" ? [] : ["my-requests-empty"]), ...(role === "admin" ? [] : ["approval-queue-empty"])];
}

describe("First visit to the demo", () => {
  mkdirSync(SHOTS, { recursive: true });

  for (const { role, email } of ROLES) {
    it(`${role}: every page shows data, not an empty state`, async () => {
      const { context, page } = await signedInContext(browser(), baseUrl, email);
      try {
        const problems: string[] = [];
        for (const pagePath of PAGES) {
          const response = await page.goto(`${baseUrl}${pagePath}`);
          expect(response?.status(), pagePath).toBe(200);
          await page.getByTestId("user-menu").waitFor();
          await waitForData(page);
          const empties = await page.evaluate(() =>
            [...document.querySelectorAll<HTMLElement>('main [data-testid$="-empty"]')]
              .filter((element) => element.offsetParent !== null)
              .map((element) => element.dataset.testid ?? ""),
          );
          const allowed = expectedEmpty(role, pagePath);
          for (const empty of empties) if (!allowed.includes(empty)) problems.push(`${pagePath}: ${empty}`);
          await page.screenshot({ path: path.join(SHOTS, `${role}${pagePath === "/" ? "-overview" : pagePath.replaceAll("/", "-")}.png`), fullPage: true });
        }
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});

describe("The pending-requests badge", () => {
  it("admin goes from the badge to a seeded pending request, approves it, and the badge counts one fewer", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "admin@example.com");
    try {
      const pill = page.getByTestId("nav-count-quotas");
      await pill.waitFor({ timeout: 30_000 });
      const before = Number(await pill.textContent());
      expect(before).toBeGreaterThanOrEqual(2);
      expect(await pill.getAttribute("aria-label")).toBe(`${before} pending burst requests`);

      await pill.click();
      await page.waitForURL(/\/quotas$/);
      // The support lead's holiday request, filed 20 hours before the demo's end.
      const item = page.getByTestId("approval-queue").locator("li", { hasText: "Holiday campaign follow-ups" });
      await item.waitFor({ timeout: 30_000 });
      await item.getByLabel("Comment (optional)").fill("Approved for the holidays.");
      await item.getByRole("button", { name: /^Approve / }).click();
      await page.getByTestId("decision-outcome").getByText(/^Approved /).waitFor({ timeout: 15_000 });
      await item.waitFor({ state: "detached", timeout: 15_000 });

      const after = before - 1;
      if (after === 0) await pill.waitFor({ state: "detached", timeout: 15_000 });
      else await page.getByTestId("nav-count-quotas").getByText(String(after), { exact: true }).waitFor({ timeout: 15_000 });
    } finally {
      await context.close();
    }
  });
});
