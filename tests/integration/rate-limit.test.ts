import { beforeAll, describe, expect, it } from "vitest";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { contractEvent } from "../factories/events";

// A tiny limit for this file only: the limiter reads its settings on first use.
process.env.BURNRATE_RATE_LIMIT_PER_SECOND = "1";
process.env.BURNRATE_RATE_LIMIT_BURST = "3";

let key: string;
beforeAll(async () => {
  key = await createTestKey(["ingest"]);
});

describe("per-key rate limiting", () => {
  it("answers 429 with Retry-After past the burst, per key", async () => {
    const { POST } = await import("@/app/api/v1/events/route");
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const response = await POST(apiRequest("/api/v1/events", { key, body: { events: [contractEvent()] } }));
      statuses.push(response.status);
      if (response.status === 429) {
        retryAfter = response.headers.get("retry-after");
        expect(await response.json()).toMatchObject({ error: { code: "rate_limited" } });
      }
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);

    // Another key has its own bucket.
    const other = await createTestKey(["ingest"]);
    const response = await POST(apiRequest("/api/v1/events", { key: other, body: { events: [contractEvent()] } }));
    expect(response.status).toBe(200);
  });
});
