import { rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { openDatabase } from "@/lib/db/server";
import { replicaNoticeText } from "@/lib/view/replica-notice";
import { startApp, type AppProcess } from "../setup/app-process";
import { launchBrowser } from "./browser";
import { signedInContext } from "./sign-in";

/**
 * Issue 19, the read replica: the banner every dashboard page shows while the replica cannot be
 * read, in a real browser. A second instance of the app shares the e2e database and is given a
 * DATABASE_READ_URL nobody listens on: its dashboards are read from the primary (the figures
 * still show) and say so. (A lagging replica's banner is the same component with the other text:
 * tests/unit/view/replica-notice.test.ts; the routing itself: tests/integration/read-replica.test.ts.)
 */
const dataDir = path.resolve(".data/e2e-replica-banner");
let app: AppProcess | undefined;
let browser: Browser | undefined;

/** A local port with nothing listening on it: connections are refused at once. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  const primary = await openDatabase({ databaseUrl: inject("appDatabaseUrl") || undefined, dataDir: inject("appDataDir"), attachToRunning: true });
  const replica = new URL(primary.url);
  replica.host = `127.0.0.1:${await closedPort()}`;
  app = await startApp({
    BURNRATE_DATA_DIR: dataDir,
    BURNRATE_DEMO: "0",
    DATABASE_URL: primary.url,
    DATABASE_READ_URL: replica.toString(),
  });
  await primary.stop();
  browser = await launchBrowser();
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop("SIGTERM");
  rmSync(dataDir, { recursive: true, force: true });
});

describe("the read replica banner", () => {
  it("says the primary answers while the replica is unreachable, and the figures still show", async () => {
    const baseUrl = (app as AppProcess).baseUrl;
    const ready = await fetch(`${baseUrl}/api/ready`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: { replica?: { reads_from: string } } }).checks.replica).toMatchObject({ reads_from: "primary" });

    const { context, page } = await signedInContext(browser as Browser, baseUrl, "finance@example.com");
    try {
      await page.goto(`${baseUrl}/showback`);
      const banner = page.getByTestId("replica-banner");
      await banner.waitFor({ timeout: 30_000 });
      expect(await banner.textContent()).toContain("Read replica unreachable");
      expect(await banner.textContent()).toContain(replicaNoticeText({ kind: "fallback" }));
      // Read from the primary: the demo's spend is there.
      const total = page.getByTestId("showback-total");
      await total.getByText(/requests/).waitFor({ timeout: 30_000 });
      expect(await total.textContent()).toMatch(/\$[\d,.]+ over [\d,]+ requests/);
      // A page reached by client-side navigation keeps the banner (the layout is shared).
      await page.getByRole("link", { name: "Cache", exact: true }).click();
      await page.waitForURL(/\/cache/);
      expect(await page.getByTestId("replica-banner").isVisible()).toBe(true);
    } finally {
      await context.close();
    }
  });
});
