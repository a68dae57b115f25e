import { describe, expect, it } from "vitest";
import { prisma } from "@/lib/db";
import { revokeKey, revokeKeyByPrefix } from "@/lib/access/api-keys";
import type { UserPrincipal } from "@/lib/auth/permissions";
import { ApiError } from "@/lib/http/errors";
import { createTestKeyFor, createTestUser } from "../factories/users";

/** One revocation in lib/access, for the API (revokeKey) and the CLI (revokeKeyByPrefix) alike. */

async function admin(): Promise<UserPrincipal> {
  const user = await createTestUser({ role: "admin" });
  return { kind: "user", userId: user.id, email: user.email, name: null, role: "admin", teams: [] };
}

async function storedKey() {
  const { id } = await createTestKeyFor({ scopes: ["ingest", "read"] });
  return prisma.apiKey.findUniqueOrThrow({ where: { id } });
}

const codeOf = (result: PromiseSettledResult<unknown>) =>
  result.status === "fulfilled" ? "ok" : result.reason instanceof ApiError ? result.reason.code : String(result.reason);

describe("API key revocation", () => {
  it("records the same entry by id and by prefix: name, display, scopes and revoked_at before and after", async () => {
    const principal = await admin();
    for (const revoke of [
      (key: { id: string; prefix: string }) => revokeKey({ principal, ip: "203.0.113.7" }, { id: key.id }),
      (key: { id: string; prefix: string }) => revokeKeyByPrefix({ principal: { kind: "system", label: "cli" } }, { prefix: key.prefix }),
    ]) {
      const key = await storedKey();
      const view = await revoke(key);
      expect(view.revoked_at).toEqual(expect.any(String));
      const entries = await prisma.auditLog.findMany({ where: { targetId: key.id, action: "api_key.revoke" } });
      expect(entries).toHaveLength(1);
      const display = `${key.prefix}…${key.last4}`;
      expect(entries[0]?.before).toEqual({ name: key.name, display, scopes: ["ingest", "read"], revoked_at: null });
      expect(entries[0]?.after).toEqual({ name: key.name, display, scopes: ["ingest", "read"], revoked_at: view.revoked_at });
    }
  });

  it("two concurrent revokes of one key: one succeeds, the other is told it is already revoked, one audit entry", async () => {
    const principal = await admin();
    for (let round = 0; round < 5; round++) {
      const key = await storedKey();
      const results = await Promise.allSettled([revokeKey({ principal }, { id: key.id }), revokeKeyByPrefix({ principal: { kind: "system", label: "cli" } }, { prefix: key.prefix })]);
      expect(results.map(codeOf).sort()).toEqual(["conflict", "ok"]);
      expect(await prisma.auditLog.count({ where: { targetId: key.id, action: "api_key.revoke" } })).toBe(1);
    }
  });

  it("refuses an unknown prefix and a key already revoked", async () => {
    await expect(revokeKeyByPrefix({ principal: { kind: "system", label: "cli" } }, { prefix: "br_live_nope" })).rejects.toMatchObject({ code: "not_found" });
    const key = await storedKey();
    await revokeKeyByPrefix({ principal: { kind: "system", label: "cli" } }, { prefix: key.prefix });
    await expect(revokeKey({ principal: await admin() }, { id: key.id })).rejects.toMatchObject({ code: "conflict" });
  });
});
