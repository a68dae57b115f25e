import { describe, expect, it } from "vitest";
import { apiRequest } from "../factories/api-keys";
import { contractEvent } from "../factories/events";
import { mintApiKey } from "@/lib/auth/api-key-format";
import { freePort } from "../setup/app-process";

// Nothing listens on this port: every query fails to connect, as when PostgreSQL is down.
process.env.DATABASE_URL = `postgresql://nobody:nothing@127.0.0.1:${await freePort()}/none`;

describe("when PostgreSQL is unreachable", () => {
  it.each(["events", "outcomes"])("POST /api/v1/%s answers 503 with Retry-After, not 500", async (name) => {
    const { POST } = (await import(`@/app/api/v1/${name}/route`)) as { POST: (r: Request) => Promise<Response> };
    const response = await POST(
      apiRequest(`/api/v1/${name}`, { key: mintApiKey().secret, body: { events: [contractEvent()] } }),
    );
    expect(response.status).toBe(503);
    expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await response.json()).toMatchObject({ error: { code: "unavailable" } });
  });
});

describe("the custom server's quota check when PostgreSQL is unreachable", () => {
  it("answers 503 with Retry-After: the key cannot be verified", async () => {
    const http = await import("node:http");
    const { serveQuotaCheck } = await import("@/lib/quotas/check-server");
    const server = http.createServer((request, response) => void serveQuotaCheck(request, response));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as import("node:net").AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/api/v1/quota/check`, {
        method: "POST",
        headers: { authorization: `Bearer ${mintApiKey().secret}`, "content-type": "application/json" },
        body: JSON.stringify({ team: "search" }),
      });
      expect(response.status).toBe(503);
      expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await response.json()).toMatchObject({ error: { code: "unavailable" } });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
