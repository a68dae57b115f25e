import { randomUUID } from "node:crypto";
import { describe, expect, inject, it } from "vitest";
import { browserForFile } from "./browser";
import { queryAppDatabase } from "./app-database";
import { signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

describe("Settings → Teams", () => {
  it("marks a planned team 'no lead yet'; an admin assigns a lead in a dialog and the mark goes", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "admin@example.com");
    const slug = `launch-${randomUUID().slice(0, 8)}`;

    // Money planned for a team that has sent no usage yet registers it (contract: Additions → Teams).
    await page.goto(`${baseUrl}/settings/teams`);
    const created = await page.evaluate(async (team) => {
      const response = await fetch("/api/v1/budgets", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: `Launch ${team}`, scope: { team }, period: "month", amount_usd: "500" }),
      });
      return { status: response.status, id: ((await response.json()) as { id?: string }).id ?? "" };
    }, slug);
    expect(created.status).toBe(201);

    await page.reload();
    // Narrow the list the way a person would: teams without a lead, then the slug.
    await page.getByLabel("Show").selectOption("no-lead");
    await page.getByLabel("Find a team").fill(slug);
    const card = page.getByTestId(`team-${slug}`);
    await card.waitFor();
    expect(await page.locator('[data-testid^="team-launch-"]').count()).toBe(1);
    expect(await card.getByTestId("team-origin").textContent()).toBe("planned");
    expect(await card.getByTestId("team-no-lead").textContent()).toBe("no lead yet");
    expect(await card.getByText("No members yet.").count()).toBe(1);

    // The dialog: opens with focus on the user picker, Escape closes it and returns focus.
    const assign = card.getByRole("button", { name: `Assign lead to ${slug}` });
    await assign.click();
    const dialog = page.getByRole("dialog", { name: `Assign a lead to ${slug}` });
    await dialog.waitFor();
    const picker = dialog.getByLabel("User");
    await picker.waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === "SELECT");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await assign.evaluate((button) => button === document.activeElement)).toBe(true);

    await assign.click();
    await dialog.getByLabel("User").selectOption("lead@example.com");
    await dialog.getByRole("button", { name: "Assign lead" }).click();
    await dialog.waitFor({ state: "detached" });

    // The filter "Without a lead" no longer shows it; on "All teams" it has its lead and no mark.
    await card.waitFor({ state: "detached" });
    await page.getByLabel("Show").selectOption("all");
    await card.waitFor();
    expect(await card.getByTestId("team-no-lead").count()).toBe(0);
    expect(await card.getByRole("button", { name: `Assign lead to ${slug}` }).count()).toBe(0);
    expect(await card.getByLabel(`Role of lead@example.com in ${slug}`).inputValue()).toBe("lead");
    expect(await card.getByTestId("team-origin").textContent()).toBe("planned");

    // Stored: one planned team, its lead, and who registered it.
    const [row] = await queryAppDatabase<{ origin: string; leads: string; registered_by: string }>(
      `SELECT t.origin::text AS origin,
              (SELECT string_agg(u.email, ',') FROM team_memberships m JOIN users u ON u.id = m.user_id
                WHERE m.team_id = t.id AND m.role = 'lead') AS leads,
              (SELECT a.actor_label FROM audit_log a WHERE a.action = 'team.register' AND a.target_id = t.id::text) AS registered_by
         FROM teams t WHERE t.slug = $1`,
      [slug],
    );
    expect(row).toEqual({ origin: "planned", leads: "lead@example.com", registered_by: "admin@example.com" });

    // Put the shared demo data back: the lead leads only their demo teams again (other files
    // count them), and the budget is archived.
    await queryAppDatabase("DELETE FROM team_memberships WHERE team_id = (SELECT id FROM teams WHERE slug = $1)", [slug]);
    const archived = await page.evaluate(async (id) => (await fetch(`/api/v1/budgets/${id}`, { method: "DELETE" })).status, created.id);
    expect(archived).toBeLessThan(300);
    await context.close();
  });
});
