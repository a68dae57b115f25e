import { beforeAll, describe, expect, it } from "vitest";
import { GET as listAlerts } from "@/app/api/v1/alerts/route";
import { POST as acknowledge } from "@/app/api/v1/alerts/[id]/acknowledge/route";
import { getPool, prisma } from "@/lib/db";
import { evaluateAlerts, type FiredAlert } from "@/lib/alerts/evaluate";
import type { AlertView } from "@/lib/alerts/alerts";
import { createTestKey } from "../factories/api-keys";
import { BASE_URL, createPricedModel, evaluateAt, ingest } from "../factories/alerts";
import { createTestUser, read, routeParams, sessionRequest, type TestUser } from "../factories/users";

/**
 * An alert's life: it fires once per period however often (and however concurrently) the
 * rules run, fires again in the next period, is acknowledged, and resolves when its
 * condition clears. Scenarios run in time order, each in months of its own.
 */

let ingestKey: string;
let model: string;
let finance: TestUser;

const ofType = (fired: FiredAlert[], type: string) => fired.filter((alert) => alert.type === type);

async function alertsAs(user: TestUser, query = "") {
  return read<{ alerts: AlertView[] }>(await listAlerts(sessionRequest(`/api/v1/alerts${query}`, { cookie: user.cookie })));
}

beforeAll(async () => {
  ingestKey = await createTestKey(["ingest"]);
  model = await createPricedModel();
  finance = await createTestUser({ role: "finance" });
});

describe("firing once per period", () => {
  let february: FiredAlert;

  it("fires a crossing once however often the rules run", async () => {
    await ingest(ingestKey, model, [{ at: "2025-02-05T10:00:00Z", input: 10, model: "unpriced-model", tags: { team: "life" } }]);
    const first = await evaluateAt("2025-02-10T12:00:00Z");
    expect(first.skipped).toBe(false);
    const fired = ofType(first.fired, "spend.unpriced");
    expect(fired).toHaveLength(1);
    february = fired[0] as FiredAlert;

    for (const at of ["2025-02-10T12:00:00Z", "2025-02-10T12:01:00Z", "2025-02-27T23:59:00Z"]) {
      const again = await evaluateAt(at);
      expect(again.fired).toEqual([]);
      expect(again.resolved).toEqual([]);
    }
    expect(await prisma.alertEvent.count({ where: { type: "spend.unpriced" } })).toBe(1);
    const stored = await prisma.alertEvent.findUniqueOrThrow({ where: { id: february.id } });
    expect(stored).toMatchObject({ state: "open", periodStart: new Date("2025-02-01T00:00:00Z"), firedAt: new Date("2025-02-10T12:00:00Z") });
    expect(stored.payload).toEqual(february);
  });

  it("fires again in the next period, and resolves the last period's", async () => {
    await ingest(ingestKey, model, [{ at: "2025-03-03T10:00:00Z", input: 10, model: "unpriced-model", tags: { team: "life" } }]);
    const march = await evaluateAt("2025-03-10T12:00:00Z");
    expect(ofType(march.fired, "spend.unpriced")).toEqual([
      expect.objectContaining({ period_start: "2025-03-01T00:00:00.000Z", unpriced_requests: 1, url: `${BASE_URL}/prices` }),
    ]);
    expect(march.resolved).toEqual([
      {
        id: february.id,
        type: "spend.unpriced",
        scope: {},
        period_start: "2025-02-01T00:00:00.000Z",
        message: february.message,
        resolved_at: "2025-03-10T12:00:00.000Z",
      },
    ]);
  });
});

describe("acknowledging and resolving", () => {
  it("acknowledges an open alert once, and resolves it when the condition clears", async () => {
    // May: $10 of $100 has no team tag (10 %)
    await ingest(ingestKey, model, [
      { at: "2025-05-05T10:00:00Z", usd: "90", tags: { team: "life" } },
      { at: "2025-05-06T10:00:00Z", usd: "10" },
    ]);
    const fired = ofType((await evaluateAt("2025-05-07T12:00:00Z")).fired, "spend.untagged");
    expect(fired).toHaveLength(1);
    const id = (fired[0] as FiredAlert).id;

    const acked = await read<AlertView>(
      await acknowledge(sessionRequest(`/api/v1/alerts/${id}/acknowledge`, { cookie: finance.cookie, method: "POST" }), routeParams({ id })),
    );
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({
      id,
      state: "acknowledged",
      acknowledged_by: { id: finance.id, email: finance.email },
      resolved_at: null,
      type: "spend.untagged",
    });
    expect(Date.parse(acked.body.acknowledged_at ?? "")).toBeGreaterThan(Date.now() - 60_000);
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: "alert.acknowledge", targetId: id } });
    expect(audit).toMatchObject({ actorUserId: finance.id, targetType: "alert", before: { state: "open" } });

    const again = await acknowledge(sessionRequest(`/api/v1/alerts/${id}/acknowledge`, { cookie: finance.cookie, method: "POST" }), routeParams({ id }));
    expect(again.status).toBe(409);

    // Still 10 % later on: nothing changes.
    expect((await evaluateAt("2025-05-08T12:00:00Z")).resolved).toEqual([]);
    // $200 more with a team: $10 of $300 (3.3 %) — the condition has cleared.
    await ingest(ingestKey, model, [{ at: "2025-05-09T10:00:00Z", usd: "200", tags: { team: "life" } }]);
    const cleared = await evaluateAt("2025-05-10T12:00:00Z");
    expect(cleared.resolved.map((a) => a.id)).toEqual([id]);
    expect(cleared.fired).toEqual([]);

    const { body } = await alertsAs(finance, "?state=resolved&type=spend.untagged");
    expect(body.alerts).toEqual([
      expect.objectContaining({ id, state: "resolved", resolved_at: "2025-05-10T12:00:00.000Z", acknowledged_by: { id: finance.id, email: finance.email } }),
    ]);
    // Resolved once, it does not fire again in the same period.
    await ingest(ingestKey, model, [{ at: "2025-05-11T10:00:00Z", usd: "100" }]);
    expect((await evaluateAt("2025-05-12T12:00:00Z")).fired).toEqual([]);
  });
});

describe("several evaluators", () => {
  it("fire each alert once when they run at the same time", async () => {
    await ingest(ingestKey, model, [
      { at: "2025-08-05T10:00:00Z", input: 10, model: "unpriced-model", tags: { team: "life" } },
      { at: "2025-08-05T10:00:00Z", usd: "50" },
    ]);
    const now = new Date("2025-08-10T12:00:00Z");
    const runs = await Promise.all(Array.from({ length: 4 }, () => evaluateAlerts(getPool(), now, { baseUrl: BASE_URL })));
    const fired = runs.flatMap((run) => run.fired);
    expect(fired.map((a) => a.type).sort()).toEqual(["spend.unpriced", "spend.untagged"]);
    expect(runs.filter((run) => !run.skipped).length).toBeGreaterThanOrEqual(1);
    for (const run of runs.filter((r) => r.skipped)) expect(run).toMatchObject({ fired: [], resolved: [] });
    expect(await prisma.alertEvent.count({ where: { periodStart: new Date("2025-08-01T00:00:00Z") } })).toBe(2);
    // Once the lock is free again the next run does the work, and fires nothing new.
    const after = await evaluateAlerts(getPool(), now, { baseUrl: BASE_URL });
    expect(after).toMatchObject({ skipped: false, fired: [] });
  });
});
