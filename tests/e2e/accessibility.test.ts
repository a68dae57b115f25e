import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { browserForFile } from "./browser";
import { waitForData } from "./wait-for-data";
import { signInThroughPage } from "./sign-in";

/**
 * Issue 14, item 6: every page, for an admin and a viewer (and a team lead and finance,
 * whose pages differ), has no serious or critical axe-core violation of WCAG 2.1 A/AA,
 * and none scrolls sideways on a 390 px wide phone. Plus the files a newcomer's browser
 * asks for by itself: /favicon.ico and /robots.txt.
 */

const baseUrl = inject("baseUrl");
const browser = browserForFile();

// Pages allow only nonce'd scripts, so no <script> tag: evaluated through the DevTools
// protocol, which the page's CSP does not govern.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

const ROLES = [
  { role: "admin", email: "admin@example.com" },
  { role: "viewer", email: "viewer@example.com" },
  { role: "team lead", email: "lead@example.com" },
  { role: "finance", email: "finance@example.com" },
] as const;

/** Pages every role reaches; the Settings tabs each role sees are read from its own tab row. */
const PAGES = ["/", "/showback", "/outcomes", "/cache", "/budgets", "/alerts", "/quotas", "/quotas/review", "/prices", "/reconciliation", "/chargeback", "/savings", "/teams/support", "/settings/connect"];

interface AxeResult {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

async function visit(page: Page, path: string, signedIn = true): Promise<void> {
  const response = await page.goto(`${baseUrl}${path}`);
  expect(response?.status(), path).toBe(200);
  if (signedIn) await page.getByTestId("user-menu").waitFor();
  await waitForData(page);
  // What hides behind "Show as table" is checked too, at both widths.
  await page.evaluate(() => document.querySelectorAll("details").forEach((details) => (details.open = true)));
}

/** The serious and critical violations on the page, one line each. */
async function seriousViolations(page: Page, label: string): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(
    async (tags) => {
      const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeResult[] }> } }).axe;
      const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
      return result.violations.map(({ id, impact, help, nodes }) => ({ id, impact, help, nodes: nodes.map(({ target }) => ({ target })) }));
    },
    WCAG_TAGS,
  );
  return violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${label}: ${violation.id} (${violation.impact}) ${violation.help} at ${violation.nodes.map((node) => node.target.map(String).join(" ")).join(", ")}`,
    );
}

/** What sticks out past the right edge (outermost offenders not clipped by a scrolling box), for the failure message. */
async function sidewaysOverflow(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth <= width) return null;
    const clipped = (element: Element | null): boolean => {
      for (let node = element; node && node !== document.documentElement; node = node.parentElement) {
        const overflowX = getComputedStyle(node).overflowX;
        if (overflowX !== "visible") return true;
      }
      return false;
    };
    // Absolutely positioned ones (sr-only text) escape a scroller that is not their containing block.
    const offenders = [...document.body.querySelectorAll("*")].filter(
      (element) =>
        element.getBoundingClientRect().right > width + 0.5 &&
        (!clipped(element.parentElement) || ["absolute", "fixed"].includes(getComputedStyle(element).position)),
    );
    const outermost = offenders.filter((element) => !offenders.some((other) => other !== element && other.contains(element)));
    const describe = (element: Element) =>
      `<${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ""} class="${element.getAttribute("class") ?? ""}"> right=${Math.round(element.getBoundingClientRect().right)}`;
    return `scrollWidth ${document.documentElement.scrollWidth} > ${width}: ${outermost.slice(0, 5).map(describe).join("; ")}`;
  });
}

/** The role's pages: the common ones plus every Settings tab it is shown. */
async function pagesOf(page: Page): Promise<string[]> {
  await visit(page, "/settings/connect");
  const tabs = await page
    .getByRole("navigation", { name: "Settings" })
    .getByRole("link")
    .evaluateAll((links) => links.map((link) => new URL((link as HTMLAnchorElement).href).pathname));
  expect(tabs).toContain("/settings/connect");
  // Every section in the main navigation is on the list (a new section gets checked too).
  const sections = await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link")
    .evaluateAll((links) => links.map((link) => new URL((link as HTMLAnchorElement).href).pathname));
  const pages = [...new Set([...PAGES, ...tabs])];
  for (const section of sections) expect(pages, section).toContain(section === "/settings" ? "/settings/connect" : section);
  return pages;
}

async function signedIn(email: string, viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser().newContext({ viewport });
  const page = await context.newPage();
  await signInThroughPage(page, baseUrl, email);
  return { context, page };
}

const DESKTOP = { width: 1400, height: 1000 };
const PHONE = { width: 390, height: 844 };

describe("Accessibility", () => {
  for (const { role, email } of ROLES) {
    it(`${role}: no serious or critical WCAG 2.1 A/AA violation on any page`, async () => {
      const { context, page } = await signedIn(email, DESKTOP);
      const problems: string[] = [];
      for (const path of await pagesOf(page)) {
        await visit(page, path);
        problems.push(...(await seriousViolations(page, `${role} ${path}`)));
      }
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it("signed out: none on the sign-in page", async () => {
    const context = await browser().newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await visit(page, "/sign-in", false);
    await page.getByLabel("Email").waitFor();
    expect(await seriousViolations(page, "/sign-in")).toEqual([]);
    await context.close();
  });
});

describe("Phone width", () => {
  for (const { role, email } of ROLES) {
    it(`${role}: no page scrolls sideways at 390 px, nor has a violation there`, async () => {
      const { context, page } = await signedIn(email, PHONE);
      const problems: string[] = [];
      for (const path of await pagesOf(page)) {
        await visit(page, path);
        const overflow = await sidewaysOverflow(page);
        if (overflow) problems.push(`${role} ${path}: ${overflow}`);
        // What scrolls here (wide tables, code) must be reachable by keyboard too.
        problems.push(...(await seriousViolations(page, `${role} ${path} at 390 px`)));
      }
      expect(problems).toEqual([]);
      await context.close();
    });
  }

  it("signed out: the sign-in page does not scroll sideways", async () => {
    const context = await browser().newContext({ viewport: PHONE });
    const page = await context.newPage();
    await visit(page, "/sign-in", false);
    expect(await sidewaysOverflow(page)).toBeNull();
    expect(await seriousViolations(page, "/sign-in at 390 px")).toEqual([]);
    await context.close();
  });
});

describe("Files a browser or crawler asks for by itself", () => {
  it("serves a favicon, a robots.txt that disallows everything, and the logo", async () => {
    const favicon = await fetch(`${baseUrl}/favicon.ico`);
    expect(favicon.status).toBe(200);
    expect(favicon.headers.get("content-type")).toMatch(/image\/(x-icon|vnd\.microsoft\.icon)/);
    const icon = Buffer.from(await favicon.arrayBuffer());
    expect([...icon.subarray(0, 4)]).toEqual([0, 0, 1, 0]); // an ICO header

    const robots = await fetch(`${baseUrl}/robots.txt`);
    expect(robots.status).toBe(200);
    expect(robots.headers.get("content-type")).toMatch(/^text\/plain/);
    const lines = (await robots.text()).split("\n").map((line) => line.trim());
    expect(lines).toContain("User-agent: *");
    expect(lines).toContain("Disallow: /");

    const logo = await fetch(`${baseUrl}/logo.svg`);
    expect(logo.status).toBe(200);
    expect(logo.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    expect(await logo.text()).toContain("<title");

    // Static files keep a script policy without 'unsafe-inline' (a nonce one from proxy.ts, or next.config.ts's).
    for (const response of [favicon, robots, logo]) {
      const policy = response.headers.get("content-security-policy") ?? "";
      expect(policy, response.url).toMatch(/script-src 'self'/);
      expect(policy.split(";").find((part) => part.trim().startsWith("script-src")), response.url).not.toContain("unsafe-inline");
    }

    // A browser loading a page asks for them with no CSP complaint and no failed request.
    const context = await browser().newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    const failures: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") failures.push(message.text());
    });
    page.on("response", (response) => {
      if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${baseUrl}/sign-in`);
    await page.goto(`${baseUrl}/logo.svg`);
    await page.goto(`${baseUrl}/favicon.ico`);
    await page.waitForTimeout(300);
    expect(failures).toEqual([]);
    await context.close();
  });
});
