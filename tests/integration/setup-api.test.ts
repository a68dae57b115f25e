import { describe, expect, it } from "vitest";
import { POST } from "@/app/api/setup/route";
import { verifyPassword } from "@/lib/auth/password";
import { prisma } from "@/lib/db";
import { SAME_ORIGIN, detailPaths, read, uniqueEmail } from "../factories/users";

/**
 * First run: POST /api/setup makes the first admin while no user exists, once. This
 * file's database starts with no users (every integration file gets a fresh one), and
 * the tests run in order on it.
 */

const password = "correct horse battery staple";

function setup(body: unknown, headers: Record<string, string> = { origin: SAME_ORIGIN }) {
  return POST(
    new Request("http://localhost/api/setup", {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    }),
  ).then((response) => read<Record<string, unknown>>(response));
}

describe("POST /api/setup", () => {
  it("starts with no users", async () => {
    expect(await prisma.user.count()).toBe(0);
  });

  it("refuses a cross-site request (403), and one with neither Origin nor Sec-Fetch-Site", async () => {
    const body = { email: uniqueEmail("csrf"), password };
    expect((await setup(body, { origin: "https://evil.example" })).status).toBe(403);
    expect((await setup(body, {})).status).toBe(403);
    expect(await prisma.user.count()).toBe(0);
  });

  it("refuses a bad body naming the fields (400) and creates nobody", async () => {
    const { status, body } = await setup({ email: "nope", password: "short", role: "viewer" });
    expect(status).toBe(400);
    expect(detailPaths(body)).toEqual(expect.arrayContaining(["email", "password"]));
    expect(JSON.stringify(body)).toContain("role"); // the unknown field is named too
    expect(await prisma.user.count()).toBe(0);
  });

  it("creates the first admin (201) with a hashed password and an audit entry", async () => {
    const email = uniqueEmail("First");
    const { status, body } = await setup({ email, name: "First Admin", password });
    expect(status).toBe(201);
    expect(body).toEqual({ id: expect.any(String), email: email.toLowerCase(), role: "admin" });

    const user = await prisma.user.findUniqueOrThrow({ where: { id: body.id as string } });
    expect(user).toMatchObject({ email: email.toLowerCase(), name: "First Admin", role: "admin", disabledAt: null });
    expect(user.passwordHash).not.toContain(password);
    expect(await verifyPassword(password, user.passwordHash as string)).toBe(true);

    const entry = await prisma.auditLog.findFirstOrThrow({ where: { action: "setup.first_admin" } });
    expect(entry).toMatchObject({ actorLabel: "setup", targetId: user.id, after: { email: email.toLowerCase(), role: "admin" } });
    expect(JSON.stringify(entry.after)).not.toContain(password);
  });

  it("answers 409 once a user exists, and creates nobody", async () => {
    const email = uniqueEmail("second");
    const { status, body } = await setup({ email, password });
    expect(status).toBe(409);
    expect(body).toMatchObject({ error: { code: "conflict" } });
    expect(await prisma.user.count()).toBe(1);
    expect(await prisma.user.count({ where: { email } })).toBe(0);
  });

  it.each([2, 5])("creates exactly one admin when %i set-ups race on an empty database", async (racers) => {
    // Back to a fresh installation (this file owns its database).
    await prisma.auditLog.deleteMany();
    await prisma.user.deleteMany();
    expect(await prisma.user.count()).toBe(0);

    const attempts = Array.from({ length: racers }, () => ({ email: uniqueEmail("race"), password }));
    const results = await Promise.all(attempts.map((body) => setup(body)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array<number>(racers - 1).fill(409)]);

    expect(await prisma.user.count()).toBe(1);
    const winner = results.find((r) => r.status === 201)?.body;
    expect(await prisma.user.findUniqueOrThrow({ where: { id: winner?.id as string } })).toMatchObject({ role: "admin" });
    expect(await prisma.auditLog.count({ where: { action: "setup.first_admin" } })).toBe(1);
  });
});
