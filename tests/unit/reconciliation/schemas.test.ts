import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { createConnectionSchema, reconciliationQuerySchema, runReconciliationSchema } from "@/lib/schemas/reconciliation";

/** The reconciliation API's inputs: connections, runs and the comparison's query. */

const KEY = "sk-admin-0123456789abcdef";

/** The paths of the issues of a refused input (throws when it is accepted). */
function refusedAt(schema: z.ZodType, input: unknown): string[] {
  const parsed = schema.safeParse(input);
  if (parsed.success) throw new Error(`accepted: ${JSON.stringify(input)}`);
  return parsed.error.issues.map((issue) => issue.path.join("."));
}

describe("createConnectionSchema", () => {
  it("accepts a provider and an admin key, base_url optional", () => {
    expect(createConnectionSchema.parse({ provider: "openai", admin_key: KEY })).toEqual({ provider: "openai", admin_key: KEY });
    expect(createConnectionSchema.parse({ provider: "anthropic", admin_key: KEY, base_url: "http://localhost:8080/proxy" })).toEqual({
      provider: "anthropic",
      admin_key: KEY,
      base_url: "http://localhost:8080/proxy",
    });
    expect(createConnectionSchema.parse({ provider: "openai", admin_key: KEY, base_url: "https://api.openai.com" }).base_url).toBe("https://api.openai.com");
  });

  it("refuses an unknown provider", () => {
    expect(refusedAt(createConnectionSchema, { provider: "azure", admin_key: KEY })).toEqual(["provider"]);
    expect(refusedAt(createConnectionSchema, { provider: "OpenAI", admin_key: KEY })).toEqual(["provider"]);
    expect(refusedAt(createConnectionSchema, { admin_key: KEY })).toEqual(["provider"]);
    expect(createConnectionSchema.safeParse({ provider: "azure", admin_key: KEY }).error?.issues[0]?.message).toBe('must be "openai" or "anthropic"');
  });

  it("refuses a key with spaces, too short, too long or missing", () => {
    expect(refusedAt(createConnectionSchema, { provider: "openai", admin_key: "sk-admin 0123456789" })).toEqual(["admin_key"]);
    expect(refusedAt(createConnectionSchema, { provider: "openai", admin_key: " sk-admin-0123456789" })).toEqual(["admin_key"]);
    expect(refusedAt(createConnectionSchema, { provider: "openai", admin_key: "sk-admin-0123456789\n" })).toEqual(["admin_key"]);
    expect(refusedAt(createConnectionSchema, { provider: "openai", admin_key: "sk-ädmin-0123456789" })).toEqual(["admin_key"]);
    expect(refusedAt(createConnectionSchema, { provider: "openai", admin_key: "short" })).toEqual(["admin_key"]);
    expect(refusedAt(createConnectionSchema, { provider: "openai", admin_key: "k".repeat(513) })).toEqual(["admin_key"]);
    expect(refusedAt(createConnectionSchema, { provider: "openai" })).toEqual(["admin_key"]);
    expect(createConnectionSchema.safeParse({ provider: "openai", admin_key: "sk-admin 0123456789" }).error?.issues[0]?.message).toBe("must be printable ASCII without spaces");
    // 8 and 512 characters are fine.
    expect(createConnectionSchema.safeParse({ provider: "openai", admin_key: "12345678" }).success).toBe(true);
    expect(createConnectionSchema.safeParse({ provider: "openai", admin_key: "k".repeat(512) }).success).toBe(true);
  });

  it("refuses a base_url that is not http(s)", () => {
    for (const base_url of ["ftp://api.openai.com", "file:///etc/passwd", "javascript:alert(1)", "api.openai.com", ""]) {
      expect(refusedAt(createConnectionSchema, { provider: "openai", admin_key: KEY, base_url }), base_url).toEqual(["base_url"]);
    }
    expect(refusedAt(createConnectionSchema, { provider: "openai", admin_key: KEY, base_url: `https://example.com/${"a".repeat(2048)}` })).toEqual(["base_url"]);
  });

  it("refuses unknown fields", () => {
    const parsed = createConnectionSchema.safeParse({ provider: "openai", admin_key: KEY, organization: "org-1" });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.code).toBe("unrecognized_keys");
  });
});

describe("runReconciliationSchema", () => {
  it("reads UTC days as their midnight, to exclusive", () => {
    expect(runReconciliationSchema.parse({ from: "2026-11-02", to: "2026-11-04" })).toEqual({
      from: new Date("2026-11-02T00:00:00Z"),
      to: new Date("2026-11-04T00:00:00Z"),
    });
    // One day
    expect(runReconciliationSchema.safeParse({ from: "2026-11-02", to: "2026-11-03" }).success).toBe(true);
  });

  it("refuses to on or before from, at path to", () => {
    expect(refusedAt(runReconciliationSchema, { from: "2026-11-02", to: "2026-11-02" })).toEqual(["to"]);
    expect(refusedAt(runReconciliationSchema, { from: "2026-11-03", to: "2026-11-02" })).toEqual(["to"]);
  });

  it("allows at most 93 days", () => {
    // 2026-08-01 + 93 days = 2026-11-02 (31 + 30 + 31 + 1 days)
    expect(runReconciliationSchema.safeParse({ from: "2026-08-01", to: "2026-11-02" }).success).toBe(true);
    expect(refusedAt(runReconciliationSchema, { from: "2026-08-01", to: "2026-11-03" })).toEqual(["to"]);
    expect(refusedAt(runReconciliationSchema, { from: "2025-01-01", to: "2026-01-01" })).toEqual(["to"]);
  });

  it("refuses days that do not exist", () => {
    expect(refusedAt(runReconciliationSchema, { from: "2026-02-30", to: "2026-03-02" })).toEqual(["from"]);
    expect(refusedAt(runReconciliationSchema, { from: "2026-02-01", to: "2026-02-29" })).toEqual(["to"]);
    expect(refusedAt(runReconciliationSchema, { from: "2026-04-31", to: "2026-05-02" })).toEqual(["from"]);
    expect(refusedAt(runReconciliationSchema, { from: "2026-13-01", to: "2026-11-02" })).toContain("from");
    // 2024 was a leap year.
    expect(runReconciliationSchema.safeParse({ from: "2024-02-29", to: "2024-03-01" }).success).toBe(true);
  });

  it("refuses a day before 2015-01-01, and accepts that one", () => {
    expect(refusedAt(runReconciliationSchema, { from: "2014-12-31", to: "2015-01-02" })).toEqual(["from"]);
    expect(runReconciliationSchema.safeParse({ from: "2015-01-01", to: "2015-01-02" }).success).toBe(true);
  });

  it("refuses days far in the future", () => {
    expect(refusedAt(runReconciliationSchema, { from: "2999-01-01", to: "2999-01-02" })).toEqual(["from", "to"]);
  });

  it("refuses a missing or non-string day and unknown fields", () => {
    expect(refusedAt(runReconciliationSchema, { to: "2026-11-03" })).toEqual(["from"]);
    expect(refusedAt(runReconciliationSchema, { from: "2026-11-02" })).toEqual(["to"]);
    expect(refusedAt(runReconciliationSchema, { from: 20261102, to: "2026-11-03" })).toEqual(["from"]);
    expect(refusedAt(runReconciliationSchema, { from: "2026-11-02", to: "2026-11-03", provider: "openai" })).toEqual([""]);
  });

  it("refuses a day that is not written YYYY-MM-DD, as a validation issue (not an exception)", () => {
    // A malformed day must come back as an issue on its field, never as an exception out of safeParse (a 500).
    expect(() => runReconciliationSchema.safeParse({ from: "2026-11-02T00:00:00Z", to: "2026-11-03" })).not.toThrow();
    expect(refusedAt(runReconciliationSchema, { from: "2026-11-02T00:00:00Z", to: "2026-11-03" })).toEqual(["from"]);
    expect(refusedAt(runReconciliationSchema, { from: "2026-11-02", to: "2026-1-3" })).toEqual(["to"]);
    expect(refusedAt(reconciliationQuerySchema, { from: "yesterday", to: "2026-11-03", provider: "openai" })).toEqual(["from"]);
  });
});

describe("reconciliationQuerySchema", () => {
  it("accepts a window with or without a provider", () => {
    expect(reconciliationQuerySchema.parse({ from: "2026-11-02", to: "2026-11-04" })).toEqual({
      from: new Date("2026-11-02T00:00:00Z"),
      to: new Date("2026-11-04T00:00:00Z"),
    });
    expect(reconciliationQuerySchema.parse({ from: "2026-11-02", to: "2026-11-04", provider: "anthropic" })).toEqual({
      from: new Date("2026-11-02T00:00:00Z"),
      to: new Date("2026-11-04T00:00:00Z"),
      provider: "anthropic",
    });
  });

  it("refuses an unknown provider and the same windows as a run", () => {
    expect(refusedAt(reconciliationQuerySchema, { from: "2026-11-02", to: "2026-11-04", provider: "azure" })).toEqual(["provider"]);
    expect(refusedAt(reconciliationQuerySchema, { from: "2026-11-04", to: "2026-11-04" })).toEqual(["to"]);
    expect(refusedAt(reconciliationQuerySchema, { from: "2026-08-01", to: "2026-11-03" })).toEqual(["to"]);
    expect(refusedAt(reconciliationQuerySchema, { from: "2026-11-02", to: "2026-11-04", model: "gpt-4o" })).toEqual([""]);
  });
});
