import type { Page } from "playwright-core";

/** Waits until the page shows data: no skeleton, nothing marked busy, charts measured. */
export async function waitForData(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      !document.querySelector('[aria-busy="true"], .animate-pulse') &&
      [...document.querySelectorAll(".recharts-responsive-container")].every((chart) => chart.querySelector("svg")),
    undefined,
    { timeout: 30_000, polling: 100 },
  );
  // One more frame for anything that renders right after its data arrives.
  await page.waitForTimeout(250);
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"], .animate-pulse'), undefined, { timeout: 30_000 });
}
