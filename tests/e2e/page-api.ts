import type { Page } from "playwright-core";

/** A same-origin API call from the signed-in page (its session cookie, its Origin). */
export async function pageApi<T>(page: Page, path: string, method: string, body?: unknown): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ path, method, body }) => {
      const response = await fetch(path, { method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as T };
    },
    { path, method, body },
  );
}
