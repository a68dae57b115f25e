import { describe, expect, inject, it } from "vitest";
import { browserForFile } from "./browser";
import { queryAppDatabase } from "./app-database";
import { DEMO_PASSWORD, signedInContext } from "./sign-in";

const baseUrl = inject("baseUrl");
const browser = browserForFile();

describe("Sign-in", () => {
  it("sends an anonymous visitor to the sign-in page, and back after signing in", async () => {
    const context = await browser().newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/settings/teams`);
    await page.waitForURL(/\/sign-in\?callbackUrl=%2Fsettings%2Fteams/);
    await page.getByLabel("Email").fill("admin@example.com");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${baseUrl}/settings/teams`);
    expect(await page.getByTestId("user-menu").textContent()).toContain("admin@example.com");
    await context.close();
  });

  it("refuses a wrong password with a generic message and sets no session", async () => {
    const context = await browser().newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByLabel("Email").fill("viewer@example.com");
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText("The email or password is not right.").waitFor();
    expect((await context.cookies()).some((c) => c.name.endsWith("burnrate.session"))).toBe(false);
    await context.close();
  });

  it("signs out: the session cookie is gone and the dashboard asks to sign in again", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "viewer@example.com");
    const cookie = (await context.cookies()).find((c) => c.name.endsWith("burnrate.session"));
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Lax");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/sign-in/);
    expect((await context.cookies()).some((c) => c.name.endsWith("burnrate.session"))).toBe(false);
    await page.goto(`${baseUrl}/`);
    await page.waitForURL(/\/sign-in/);
    const [entry] = await queryAppDatabase<{ n: string }>(
      "SELECT count(*)::text AS n FROM audit_log WHERE action = 'auth.sign_out' AND actor_label = 'viewer@example.com'",
    );
    expect(Number(entry?.n)).toBeGreaterThan(0);
    await context.close();
  });
});

describe("Roles in the browser", () => {
  it("shows a team lead only their teams' spend and no admin pages", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "lead@example.com");
    await page.goto(`${baseUrl}/`);
    expect(await page.getByTestId("team-scope").textContent()).toContain("search");
    const teams = await page.getByTestId("top-teams").locator("tbody th").allTextContents();
    expect(teams.length).toBeGreaterThan(0);
    expect(teams.every((team) => ["support", "search"].includes(team.trim()))).toBe(true);

    await page.goto(`${baseUrl}/settings/users`);
    await page.getByTestId("access-denied").waitFor();
    expect(await page.getByRole("navigation", { name: "Settings" }).getByRole("link").allTextContents()).toEqual(["Teams", "Connect", "API keys"]);
    await context.close();
  });

  it("lets an admin create an API key in Settings, shows it once, and revoke it", async () => {
    const { context, page } = await signedInContext(browser(), baseUrl, "admin@example.com");
    await page.goto(`${baseUrl}/settings/keys`);
    const name = `e2e-gateway-${Date.now()}`;
    await page.getByLabel("Name").fill(name);
    await page.getByRole("button", { name: "Create key" }).click();
    const secret = (await page.getByTestId("new-key-value").textContent()) ?? "";
    expect(secret).toMatch(/^br_[0-9A-Za-z]{38}$/);

    // The key works against the API…
    const ok = await fetch(`${baseUrl}/api/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify({ events: [{ id: `e2e-key-${Date.now()}`, timestamp: new Date().toISOString(), provider: "openai", model: "gpt-4o-mini", usage: { input_tokens: 10, output_tokens: 5 } }] }),
    });
    expect(ok.status).toBe(200);

    // …is listed by prefix and last 4 only, never shown again after a reload…
    await page.reload();
    const row = page.getByTestId("keys-table").locator("tr", { hasText: name });
    expect(await row.textContent()).toContain(`${secret.slice(0, 11)}…${secret.slice(-4)}`);
    expect(await page.content()).not.toContain(secret);

    // …and revoking it stops it at once on this server.
    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByRole("button", { name: `Revoke ${name}` }).click();
    await row.getByText(/revoked/).waitFor();
    const refused = await fetch(`${baseUrl}/api/v1/prices`, { headers: { authorization: `Bearer ${secret}` } });
    expect(refused.status).toBe(401);
    await context.close();
  });
});
