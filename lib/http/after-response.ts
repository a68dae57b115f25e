/**
 * Work to run once the response is on its way (Next's after()). Outside a request scope
 * (the route handler called in-process by a test or a script) it simply starts now.
 *
 * next/server is imported on first use, not with this module: loading it sets up Next's
 * request storage, and scripts/start.ts imports lib/ code (the demo seed files and decides
 * burst requests) before Next has prepared — importing it then stops the server at start.
 * The import resolves within the caller's async context, so after() still sees the request.
 */
export function afterResponse(task: () => Promise<unknown>): void {
  void import("next/server").then(
    ({ after }) => {
      try {
        after(task);
      } catch {
        void task();
      }
    },
    () => void task(),
  );
}
