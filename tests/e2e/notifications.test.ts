import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { BrowserContext, Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { hashPassword } from "@/lib/auth/password";
import type { NotificationPageJson } from "@/lib/schemas/notifications";
import { browserForFile } from "./browser";
import { queryAppDatabase } from "./app-database";
import { pageApi } from "./page-api";
import { signInThroughPage } from "./sign-in";

/**
 * The header's bell, in Chromium: a team lead sees a burst decision arrive as an unread
 * count, opens the panel, follows the notification to /quotas and the count goes down;
 * an admin follows "waiting for a decision" to the request, focused in the approval
 * queue. Its own people and team (not the demo's), so the counts are exact.
 */

const baseUrl = inject("baseUrl");
const browser = browserForFile();

const PASSWORD = "bell-e2e-password-0123";
const suffix = randomUUID().slice(0, 8);
const TEAM = `bell-${suffix}`;
const ADMIN = `bell-admin-${suffix}@example.test`;
const LEAD = `bell-lead-${suffix}@example.test`;

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

async function signedInAs(email: string, viewport = { width: 1400, height: 1000 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser().newContext({ viewport });
  const page = await context.newPage();
  await signInThroughPage(page, baseUrl, email, PASSWORD);
  return { context, page };
}

function bell(page: Page) {
  return page.getByTestId("notification-bell");
}

async function bellLabel(page: Page, label: string): Promise<void> {
  await page.locator(`[data-testid="notification-bell"][aria-label="${label}"]`).waitFor({ timeout: 15_000 });
}

async function fileBurst(page: Page, amount: string): Promise<string> {
  const now = Date.now();
  const filed = await pageApi<{ id: string }>(page, "/api/v1/quota/requests", "POST", {
    team: TEAM,
    amount,
    starts_at: new Date(now - 3_600_000).toISOString(),
    ends_at: new Date(now + 86_400_000).toISOString(),
    reason: "Bell e2e: a launch",
  });
  expect(filed.status).toBe(201);
  return filed.body.id;
}

/** Serious or critical axe-core violations (WCAG 2.1 A/AA) on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string | null }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] });
    return result.violations.map(({ id, impact }) => ({ id, impact }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact})`);
}

describe("Notifications bell", () => {
  it("a lead sees a burst decision in the bell, follows it to /quotas and the count goes down", async () => {
    // An admin of this test's own, straight into the app's database; the rest through the API as that admin.
    await queryAppDatabase(
      `INSERT INTO users (id, email, role, password_hash, created_at, updated_at) VALUES (gen_random_uuid(), $1, 'admin', $2, now(), now())`,
      [ADMIN, await hashPassword(PASSWORD)],
    );
    const admin = await signedInAs(ADMIN);
    const team = await pageApi<{ id: string }>(admin.page, "/api/v1/teams", "POST", { slug: TEAM, name: `Bell ${suffix}` });
    expect(team.status).toBe(201);
    expect((await pageApi(admin.page, "/api/v1/users", "POST", { email: LEAD, role: "team_lead", password: PASSWORD })).status).toBe(201);
    expect((await pageApi(admin.page, `/api/v1/teams/${team.body.id}/members`, "PUT", { email: LEAD, role: "lead" })).status).toBeLessThan(300);
    expect((await pageApi(admin.page, "/api/v1/quota/allocations", "POST", { team: TEAM, unit: "usd", amount: "100", period: "month" })).status).toBe(201);

    // A new lead: nothing yet. The panel opens, says so, and Escape closes it and returns focus.
    const lead = await signedInAs(LEAD);
    await bellLabel(lead.page, "Notifications");
    expect(await lead.page.getByTestId("notification-count").count()).toBe(0);
    await bell(lead.page).click();
    const leadPanel = lead.page.getByRole("dialog", { name: "Notifications" });
    await leadPanel.getByText("No notifications yet").waitFor({ timeout: 15_000 });
    expect(await bell(lead.page).getAttribute("aria-expanded")).toBe("true");
    await lead.page.keyboard.press("Escape");
    await leadPanel.waitFor({ state: "detached" });
    expect(await bell(lead.page).evaluate((button) => button === document.activeElement)).toBe(true);

    // The lead files a request: it waits for the admins, the lead is not told of their own act.
    const requestId = await fileBurst(lead.page, "50");
    expect((await pageApi<NotificationPageJson>(lead.page, "/api/v1/notifications", "GET")).body.unread_count).toBe(0);

    // The admin: a pending count beside Quotas, the request in the bell; following it focuses it in the queue.
    await admin.page.goto(`${baseUrl}/`);
    await admin.page.getByRole("navigation", { name: "Main" }).getByRole("img", { name: /^\d+ pending burst requests?$/ }).waitFor({ timeout: 15_000 });
    await bell(admin.page).click();
    const adminPanel = admin.page.getByRole("dialog", { name: "Notifications" });
    const waiting = adminPanel.locator(`a[href="/quotas?request=${requestId}"]`);
    await waiting.waitFor({ timeout: 15_000 });
    expect(await waiting.textContent()).toContain("Burst request waiting for a decision");
    await waiting.click();
    await admin.page.waitForURL(`${baseUrl}/quotas?request=${requestId}`);
    const queued = admin.page.getByTestId("approval-queue").locator(`li[data-request-id="${requestId}"]`);
    await queued.waitFor({ timeout: 15_000 });
    expect(await queued.getAttribute("data-linked")).toBe("true");
    await admin.page.waitForFunction((id) => document.activeElement?.getAttribute("data-request-id") === id, requestId, { timeout: 15_000 });
    const adminList = await pageApi<NotificationPageJson>(admin.page, "/api/v1/notifications?limit=100", "GET");
    expect(adminList.body.notifications.find((n) => n.link === `/quotas?request=${requestId}`)?.read).toBe(true);

    await queued.getByRole("button", { name: /^Approve/ }).click();
    await admin.page.getByTestId("decision-outcome").getByText(`Approved +$50.00 for ${TEAM}.`).waitFor({ timeout: 15_000 });
    await admin.page.waitForURL((url) => !url.search.includes("request="));

    // The lead: one unread, shown on the bell; opening it and following it lands on /quotas, and the count goes.
    await lead.page.reload();
    await bellLabel(lead.page, "Notifications, 1 unread");
    expect(await lead.page.getByTestId("notification-count").textContent()).toBe("1");
    await bell(lead.page).click();
    const approved = leadPanel.getByTestId("notification").first();
    await approved.waitFor({ timeout: 15_000 });
    expect(await approved.getAttribute("data-read")).toBe("false");
    const text = await approved.textContent();
    expect(text).toContain("Unread: Burst request approved");
    expect(text).toContain(TEAM);
    expect(text).toContain("just now");
    await approved.getByRole("link").click();
    await lead.page.waitForURL(`${baseUrl}/quotas?team=${TEAM}`);
    await leadPanel.waitFor({ state: "detached" });
    await bellLabel(lead.page, "Notifications");
    expect(await lead.page.getByTestId("notification-count").count()).toBe(0);
    expect((await pageApi<NotificationPageJson>(lead.page, "/api/v1/notifications", "GET")).body.unread_count).toBe(0);
    await lead.page.getByTestId("request-history").locator(`li[data-request-id="${requestId}"]`).waitFor({ timeout: 15_000 });

    // A rejection, cleared with "Mark all as read".
    const second = await fileBurst(lead.page, "5");
    expect((await pageApi(admin.page, `/api/v1/quota/requests/${second}/reject`, "POST", { comment: "not this week" })).status).toBe(200);
    await lead.page.reload();
    await bellLabel(lead.page, "Notifications, 1 unread");
    await bell(lead.page).click();
    await leadPanel.getByTestId("notification").first().getByText("Burst request rejected").waitFor({ timeout: 15_000 });
    await leadPanel.getByRole("button", { name: "Mark all as read" }).click();
    await bellLabel(lead.page, "Notifications");
    await lead.page.waitForFunction(() => [...document.querySelectorAll('[data-testid="notification"]')].every((item) => item.getAttribute("data-read") === "true"));
    expect(await leadPanel.getByRole("button", { name: "Mark all as read" }).isDisabled()).toBe(true);

    await admin.context.close();
    await lead.context.close();
  });

  it("at 390 px the open panel fits the screen and has no serious accessibility violation", async () => {
    const { context, page } = await signedInAs(LEAD, { width: 390, height: 844 });
    await page.goto(`${baseUrl}/quotas`);
    await bellLabel(page, "Notifications");
    await bell(page).click();
    const panel = page.getByRole("dialog", { name: "Notifications" });
    await panel.getByTestId("notification").first().waitFor({ timeout: 15_000 });
    const box = await panel.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= 390).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it("an admin's sidebar with the bell and the pending count: no sideways scroll at 390 px, no serious violation", async () => {
    const lead = await signedInAs(LEAD);
    const pending = await fileBurst(lead.page, "2");
    for (const viewport of [{ width: 390, height: 844 }, { width: 1400, height: 1000 }]) {
      const { context, page } = await signedInAs(ADMIN, viewport);
      for (const path of ["/", "/quotas", "/alerts"]) {
        await page.goto(`${baseUrl}${path}`);
        await page.getByRole("img", { name: /^\d+ pending burst requests?$/ }).waitFor({ timeout: 15_000 });
        await page.waitForFunction(() => !document.querySelector('[aria-busy="true"], .animate-pulse'), undefined, { timeout: 30_000 });
        const label = `${viewport.width} px ${path}`;
        expect(await page.evaluate(() => document.documentElement.scrollWidth), label).toBeLessThanOrEqual(viewport.width);
        expect(await seriousViolations(page), label).toEqual([]);
      }
      await context.close();
    }
    expect((await pageApi(lead.page, `/api/v1/quota/requests/${pending}/cancel`, "POST", {})).status).toBe(200);
    await lead.context.close();
  });
});
