import type { Page } from "playwright-core";
import { describe, expect, inject, it } from "vitest";
import { formatMoney } from "@/lib/format";
import { Money } from "@/lib/money";
import { browserForFile } from "./browser";
import { queryAppDatabase } from "./app-database";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

interface CheckAnswer {
  allowed: boolean;
  unit: string | null;
  limit: string | null;
  used: string | null;
  remaining: string | null;
  period_end: string;
  burst: { id: string; amount: string; ends_at: string } | null;
  reason: string;
}

/** POST /api/v1/quota/check as a gateway would: an ingest key, no cookies. */
async function check(secret: string, body: Record<string, unknown>): Promise<CheckAnswer> {
  const response = await fetch(`${baseUrl}/api/v1/quota/check`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as CheckAnswer;
}

/** The check answers from a snapshot at most 5 s old: ask until it agrees (or give up after 15 s). */
async function checkUntil(secret: string, body: Record<string, unknown>, done: (answer: CheckAnswer) => boolean): Promise<CheckAnswer> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await check(secret, body);
    if (done(answer) || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** A datetime-local value in the browser's own zone, `hours` from now. */
function localInput(page: Page, hours: number): Promise<string> {
  return page.evaluate((h) => {
    const at = new Date(Date.now() + h * 3_600_000);
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
  }, hours);
}

describe("Quotas", () => {
  it("admin allocates, the gateway is refused, a lead's burst is approved and the gateway is allowed under it", async () => {
    // A team of this test's own: the demo's teams already have allocations and bursts.
    const team = "quota-journey";
    // Nothing spent yet: one cent, and the estimate is refused.
    const amount = "0.01";
    const admin = await signedInContext(browser(), baseUrl, "admin@example.com");
    const adminPage = admin.page;
    const created = await adminPage.request.post(`${baseUrl}/api/v1/teams`, { data: { slug: team, name: "Quota journey" }, headers: { origin: baseUrl } });
    expect(created.status()).toBe(201);
    const { id: teamId } = (await created.json()) as { id: string };
    const led = await adminPage.request.put(`${baseUrl}/api/v1/teams/${teamId}/members`, {
      data: { email: "lead@example.com", role: "lead" },
      headers: { origin: baseUrl },
    });
    expect(led.status()).toBe(200);
    await adminPage.goto(`${baseUrl}/quotas`);
    const form = adminPage.getByRole("form", { name: "New allocation" });
    await form.getByLabel("Team").selectOption(team);
    await form.getByLabel("Unit").selectOption("usd");
    await form.getByLabel("Monthly amount").fill(amount);
    await form.getByRole("button", { name: "Set allocation" }).click();

    const row = adminPage.getByTestId("allocations-table").locator(`tr[data-allocation="${team}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain(formatMoney(amount));
    const bar = row.getByRole("progressbar", { name: `Utilization of ${team}` });
    expect(await bar.getAttribute("aria-valuetext")).toContain(`of ${formatMoney(amount)}`);
    const [stored] = await queryAppDatabase<{ amount: string; unit: string; model: string | null }>(
      `SELECT a.amount::text AS amount, a.unit::text AS unit, a.model FROM quota_allocations a JOIN teams t ON t.id = a.team_id WHERE t.slug = $1`,
      [team],
    );
    expect(stored).toEqual({ amount: new Money(amount).toFixed(12), unit: "usd", model: null });

    // The gateway's key, minted through the admin's session.
    const minted = await adminPage.request.post(`${baseUrl}/api/v1/keys`, {
      data: { name: `quota-gateway-${Date.now()}`, scopes: ["ingest"] },
      headers: { origin: baseUrl },
    });
    expect(minted.status()).toBe(201);
    const { secret } = (await minted.json()) as { secret: string };
    const estimate = { team, estimated_cost_usd: "0.05" };
    const refused = await checkUntil(secret, estimate, (a) => !a.allowed);
    expect(refused).toMatchObject({ allowed: false, unit: "usd", burst: null });
    expect(new Money(refused.limit ?? "0").eq(amount)).toBe(true);

    // The team lead, in a browser context of their own, files a burst for the team.
    const lead = await signedInContext(browser(), baseUrl, "lead@example.com");
    const leadPage = lead.page;
    await leadPage.goto(`${baseUrl}/quotas`);
    const burstForm = leadPage.getByRole("form", { name: "New burst request" });
    // The form renders once mounted (its default window is in the browser's time zone).
    await burstForm.getByLabel("Team").waitFor({ timeout: 15_000 });
    const teamOptions = await burstForm.getByLabel("Team").locator("option").allTextContents();
    expect(teamOptions.sort()).toEqual([team, "search", "support"]);
    await burstForm.getByLabel("Team").selectOption(team);
    await burstForm.getByLabel("Extra amount").fill("100000");
    await burstForm.getByLabel("Window start").fill(await localInput(leadPage, 0));
    await burstForm.getByLabel("Window end").fill(await localInput(leadPage, 24));
    await burstForm.getByLabel("Reason").fill("Re-indexing the product catalogue after the schema change");
    await burstForm.getByLabel("Expected usage (optional)").fill("about $60 a day for a day");
    await burstForm.getByRole("button", { name: "File request" }).click();
    await leadPage.getByRole("status").getByText(`Request for $100,000.00 filed for ${team}`).waitFor({ timeout: 15_000 });

    // The lead's demo requests are listed too: this one is found by its reason.
    const mine = leadPage.getByTestId("my-requests").locator("li", { hasText: "Re-indexing the product catalogue" });
    await mine.waitFor({ timeout: 15_000 });
    const requestId = await mine.getAttribute("data-request-id");
    expect(requestId).toBeTruthy();
    expect(await mine.getByTestId("request-status").textContent()).toBe("Pending");
    await mine.getByRole("button", { name: /^Cancel the request/ }).waitFor();
    // A lead files requests; deciding them is for admins.
    expect(await leadPage.getByRole("button", { name: /^(Approve|Reject) / }).count()).toBe(0);
    expect(await leadPage.getByRole("heading", { name: "Approval queue" }).count()).toBe(0);

    // The admin sees it in the queue beside the team's usage, and approves half of it.
    await adminPage.reload();
    const item = adminPage.getByTestId("approval-queue").locator(`li[data-request-id="${requestId}"]`);
    await item.waitFor({ timeout: 15_000 });
    const usage = item.getByTestId("team-usage");
    expect(await usage.textContent()).toContain("Last 30 days");
    expect(await usage.textContent()).toContain("Month to date");
    expect(await usage.textContent()).toContain(formatMoney(amount));
    expect(await item.textContent()).toContain("Re-indexing the product catalogue");
    await item.getByLabel(/^Approve amount/).fill("50000");
    await item.getByLabel("Comment (optional)").fill("Half now; ask again if the re-index needs more.");
    await item.getByRole("button", { name: `Approve +$100,000.00 for ${team}` }).click();
    await adminPage.getByTestId("decision-outcome").getByText(`Approved +$50,000.00 for ${team}.`).waitFor({ timeout: 15_000 });
    await item.waitFor({ state: "detached", timeout: 15_000 });

    const allowed = await checkUntil(secret, estimate, (a) => a.allowed);
    expect(allowed.allowed).toBe(true);
    expect(allowed.burst?.id).toBe(requestId);
    expect(new Money(allowed.burst?.amount ?? "0").eq(50000)).toBe(true);
    expect(new Money(allowed.limit ?? "0").eq(new Money(amount).plus(50000))).toBe(true);

    const [decided] = await queryAppDatabase<{ status: string; approved: string; comment: string }>(
      "SELECT status::text AS status, approved_amount::text AS approved, decision_comment AS comment FROM burst_requests WHERE id = $1",
      [requestId],
    );
    expect(decided).toEqual({ status: "approved", approved: "50000.000000000000", comment: "Half now; ask again if the re-index needs more." });

    // The overview shows the burst on top of the baseline; the history filter lives in the URL.
    await row.getByTestId("flag-burst").waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain("+$50,000.00");
    await adminPage.getByRole("group", { name: "Status" }).getByRole("button", { name: "approved", exact: true }).click();
    await adminPage.waitForURL(/status=approved/);
    await adminPage.getByTestId("request-history").locator(`li[data-request-id="${requestId}"]`).waitFor({ timeout: 15_000 });

    // The lead sees the decision.
    await leadPage.reload();
    const decidedMine = leadPage.getByTestId("my-requests").locator(`li[data-request-id="${requestId}"]`);
    await decidedMine.waitFor({ timeout: 15_000 });
    expect(await decidedMine.getByTestId("request-status").textContent()).toBe("Approved");
    expect(await decidedMine.getByRole("button", { name: /^Cancel/ }).count()).toBe(0);

    await lead.context.close();
    await admin.context.close();
  });

  it("opens the monthly review from the overview, with the month in the URL", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "admin@example.com");
    await page.goto(`${baseUrl}/quotas`);
    await page.getByRole("navigation", { name: "Quotas" }).getByRole("link", { name: "Monthly review" }).click();
    await page.waitForURL(/\/quotas\/review/);
    const month = page.getByLabel("Month", { exact: true });
    await month.waitFor();
    const current = await page.evaluate(() => new Date().toISOString().slice(0, 7));
    await month.selectOption(current);
    await page.waitForURL(new RegExp(`month=${current}`));
    await page.getByTestId("review-table").or(page.getByTestId("review-empty")).waitFor({ timeout: 15_000 });
    await page.getByRole("button", { name: "Previous month" }).click();
    await page.waitForURL((url) => url.searchParams.get("month") !== current);
    await context.close();
  });
});
