import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/v1/outcomes/route";
import { prisma } from "@/lib/db";
import { apiRequest, createTestKey } from "../factories/api-keys";

let key: string;
beforeAll(async () => {
  key = await createTestKey(["ingest"]);
});

function outcome(overrides: Record<string, unknown> = {}) {
  return { id: `out-${randomUUID()}`, timestamp: "2026-11-02T10:00:00Z", trace_id: `tr-${randomUUID()}`, type: "ticket_resolved", success: true, ...overrides };
}

async function post(body: unknown, apiKey = key) {
  const response = await POST(apiRequest("/api/v1/outcomes", { key: apiKey, body }));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("POST /api/v1/outcomes", () => {
  it("stores outcomes with their tags and value, exactly", async () => {
    const item = outcome({ value: 0.1, tags: { team: "support", feature: "ticket-triage", channel: "email" } });
    const result = await post({ outcomes: [item] });
    expect(result).toMatchObject({ status: 200, body: { accepted: 1, duplicates: 0, rejected: 0, errors: [] } });
    const row = await prisma.outcome.findUniqueOrThrow({ where: { id: item.id } });
    expect(row).toMatchObject({ type: "ticket_resolved", success: true, team: "support", feature: "ticket-triage", extraTags: { channel: "email" } });
    expect(row.value?.toString()).toBe("0.1");
  });

  it("counts duplicates once, within a batch and across batches", async () => {
    const item = outcome();
    expect((await post({ outcomes: [item, item, item] })).body).toMatchObject({ accepted: 1, duplicates: 2 });
    expect((await post({ outcomes: [item] })).body).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(await prisma.outcome.count({ where: { id: item.id } })).toBe(1);
  });

  it("answers 207 with field paths for the invalid ones, 400 when none is valid", async () => {
    const partial = await post({ outcomes: [outcome(), outcome({ success: "yes" }), outcome({ trace_id: undefined })] });
    expect(partial.status).toBe(207);
    expect((partial.body.errors as { index: number; path: string }[]).map((e) => [e.index, e.path])).toEqual([
      [1, "success"],
      [2, "trace_id"],
    ]);
    const none = await post({ outcomes: [{ id: 5 }] });
    expect(none.status).toBe(400);
    expect(none.body).toMatchObject({ error: { code: "invalid_request" } });
  });

  it("refuses a huge value instead of failing in the database", async () => {
    const result = await post({ outcomes: [outcome({ value: 1e30 })] });
    expect(result.status).toBe(400);
    expect((result.body.errors as { path: string }[])[0]?.path).toBe("value");
  });

  it("needs the ingest scope", async () => {
    expect((await post({ outcomes: [outcome()] }, await createTestKey(["read"]))).status).toBe(403);
  });
});
