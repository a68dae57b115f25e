import { after } from "next/server";

/**
 * Work to run once the response is on its way (Next's after()). Outside a request scope
 * (the route handler called in-process by a test or a script) it simply starts now.
 */
export function afterResponse(task: () => Promise<unknown>): void {
  try {
    after(task);
  } catch {
    void task();
  }
}
