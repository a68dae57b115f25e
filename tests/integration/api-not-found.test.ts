import { describe, expect, it } from "vitest";
import { DELETE, GET, POST } from "@/app/api/[...path]/route";

describe("unknown /api/ paths", () => {
  it("answer the contract's JSON 404 for every method, never an HTML page", async () => {
    for (const [handler, method] of [[GET, "GET"], [POST, "POST"], [DELETE, "DELETE"]] as const) {
      const response = handler(new Request("http://localhost/api/v1/integrations/litelm", { method }));
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(await response.json()).toEqual({
        error: { code: "not_found", message: "No API route at /api/v1/integrations/litelm; see docs/API.md.", details: [] },
      });
    }
  });
});
