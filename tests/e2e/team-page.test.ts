import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { formatMoney } from "@/lib/format";
import { browserForFile } from "./browser";
import { queryAppDatabase } from "./app-database";
import { pageApi } from "./page-api";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

describe("Team page", () => {
  it("shows a team lead their team's month to date, outcomes and cache, and no other team's page", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "lead@example.com");
    // From the user menu, as a lead would get there.
    await page.getByRole("list", { name: "Your teams" }).getByRole("link", { name: "search" }).click();
    await page.waitForURL(`${baseUrl}/teams/search`);

    const [expected] = await queryAppDatabase<{ cost: string }>(
      `SELECT coalesce(sum(cost_usd), 0)::text AS cost FROM usage_events
       WHERE team = 'search' AND occurred_at >= date_trunc('month', now(), 'UTC')`,
    );
    expect(await page.getByTestId("team-mtd-spend").textContent()).toBe(formatMoney(expected?.cost ?? "0"));
    await page.getByRole("heading", { name: "Cost per outcome" }).waitFor();
    await page.getByTestId("team-cache-hit-rate").waitFor();
    await page.locator(".recharts-bar-rectangle").first().waitFor({ timeout: 15_000 });

    // Another team's page is "not found" (streamed after the dashboard shell, so the
    // content, not the status, is what says so) and shows none of its figures.
    await page.goto(`${baseUrl}/teams/growth`);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
    expect(await page.getByTestId("team-mtd-spend").count()).toBe(0);
    await context.close();
  });

  it("shows the team's quota allocation, its open burst requests and its open alerts, each with its link", async () => {
    const model = `e2e-team-page-${randomUUID().slice(0, 8)}`;
    const admin = await signedInContext(browser(), baseUrl, "admin@example.com");
    const allocation = await pageApi<{ id: string; used: string; limit: string }>(admin.page, "/api/v1/quota/allocations", "POST", {
      team: "support",
      model,
      unit: "usd",
      amount: "250",
      period: "month",
    });
    expect(allocation.status).toBe(201);
    const { context, page } = await signedInContext(browser(), baseUrl, "lead@example.com");
    const now = Date.now();
    const burst = await pageApi<{ id: string }>(page, "/api/v1/quota/requests", "POST", {
      team: "support",
      amount: "40",
      unit: "usd",
      starts_at: new Date(now).toISOString(),
      ends_at: new Date(now + 3 * 86_400_000).toISOString(),
      reason: "e2e team page launch",
    });
    expect(burst.status).toBe(201);
    // An open alert of the team, as evaluation stores one.
    const message = `E2E spike for support ${randomUUID().slice(0, 8)}`;
    await queryAppDatabase(
      `INSERT INTO alert_events (id, type, dedupe_key, state, scope, period_start, message, payload, fired_at)
       VALUES (gen_random_uuid(), 'spend.spike', $1, 'open', '{"team":"support"}', date_trunc('day', now()), $2, '{}', now())`,
      [`e2e-team-page-${randomUUID()}`, message],
    );

    await page.goto(`${baseUrl}/teams/support`);
    const quota = page.getByTestId("team-allocations").locator(`li[data-allocation="${model}"]`);
    await quota.waitFor({ timeout: 15_000 });
    expect(await quota.getByTestId("team-allocation-usage").textContent()).toBe(`${formatMoney(allocation.body.used)} of ${formatMoney(allocation.body.limit)}`);
    await quota.getByRole("progressbar", { name: `Quota used by support on ${model}` }).waitFor();

    const bursts = page.getByTestId("team-bursts");
    const pending = bursts.locator(`li[data-burst="${burst.body.id}"]`);
    await pending.waitFor();
    expect(await pending.textContent()).toContain("+$40.00");
    expect(await pending.textContent()).toContain("e2e team page launch");
    const section = page.getByRole("region", { name: "Open burst requests" });
    expect(await section.getByRole("link", { name: "Requests on the Quotas page" }).getAttribute("href")).toBe("/quotas#my-requests-title");
    expect(await section.getByRole("link", { name: "Request a burst" }).getAttribute("href")).toBe("/quotas#burst-form-title");

    const alert = page.getByTestId("team-alerts").getByRole("link", { name: message });
    await alert.waitFor();
    expect(await alert.getAttribute("href")).toBe("/alerts?type=spend.spike");
    await alert.click();
    await page.waitForURL(`${baseUrl}/alerts?type=spend.spike`);
    await page.getByTestId("alert-list").getByText(message).waitFor({ timeout: 15_000 });

    // Leave the app as it was for the other tests: no pending request, no extra allocation, no open alert.
    expect((await pageApi(page, `/api/v1/quota/requests/${burst.body.id}/cancel`, "POST", {})).status).toBe(200);
    expect((await pageApi(admin.page, `/api/v1/quota/allocations/${allocation.body.id}`, "DELETE")).status).toBe(200);
    await queryAppDatabase("UPDATE alert_events SET state = 'resolved', resolved_at = now() WHERE message = $1", [message]);
    await context.close();
    await admin.context.close();
  });
});
