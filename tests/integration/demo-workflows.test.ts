import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { disconnect, getPool } from "@/lib/db";
import { forgetKnownMonths } from "@/lib/db/partitions";
import { budgetStatuses } from "@/lib/budgets/status";
import { replayAlerts } from "@/lib/demo/alert-replay";
import { seedDemo, type SeedSummary } from "@/lib/demo/seed";
import { DEMO_BUDGETS, DEMO_BURSTS, setupTimes } from "@/lib/demo/workflow-plan";
import { planDemo } from "@/lib/demo/plan";
import { createDatabase, databaseUrl, dropDatabase } from "../setup/test-database";

// The demo's planning history (lib/demo/workflows.ts) on a real PostgreSQL: every object a
// first visit needs, the same for the same seed, and an alert history that is exactly what
// the rules give when replayed over the same days.
const END = new Date("2026-11-20T00:00:00Z");
const OPTIONS = { days: 30, eventsPerDay: 2000, seed: 42, endDate: END };
const DAY = 86_400_000;
const plan = planDemo(OPTIONS);

type Rows = Record<string, unknown>[];

/** Everything the planning history wrote, without generated ids. */
async function snapshot(): Promise<Record<string, Rows>> {
  const q = async (sql: string) => (await getPool().query(sql)).rows as Rows;
  return {
    budgets: await q(`SELECT name, team, feature, environment, tenant, amount_usd::text, thresholds, created_at FROM budgets ORDER BY name`),
    allocations: await q(`SELECT t.slug, a.unit::text, a.amount::text, a.created_at FROM quota_allocations a JOIN teams t ON t.id = a.team_id ORDER BY t.slug`),
    bursts: await q(`SELECT t.slug, b.status::text, b.amount::text, b.approved_amount::text, b.starts_at, b.ends_at, b.reason,
                            b.decision_comment, b.created_at, b.decided_at, r.email AS requester, d.email AS decider
                     FROM burst_requests b JOIN teams t ON t.id = b.team_id
                     LEFT JOIN users r ON r.id = b.requested_by_id LEFT JOIN users d ON d.id = b.decided_by_id
                     ORDER BY b.created_at`),
    alerts: await alertHistory(),
    notifications: await q(`SELECT kind, team, audience::text, title, message, created_at FROM notifications ORDER BY created_at, kind, message`),
    reads: await q(`SELECT u.email, count(*)::int AS n FROM notification_reads r JOIN users u ON u.id = r.user_id GROUP BY 1 ORDER BY 1`),
    audit: await q(`SELECT action, actor_label, target_type, at FROM audit_log WHERE action NOT LIKE 'auth.%' ORDER BY at, action`),
  };
}

async function alertHistory(): Promise<Rows> {
  const result = await getPool().query(
    `SELECT type, scope, period_start, fired_at, resolved_at, state::text, message FROM alert_events ORDER BY fired_at, type, message`,
  );
  return result.rows as Rows;
}

/** Points lib/db at another database of the test server (the lib functions use the shared client). */
async function useDatabase(url: string): Promise<void> {
  await disconnect();
  forgetKnownMonths();
  process.env.DATABASE_URL = url;
}

let summary: SeedSummary;
let first: Record<string, Rows>;
const firstUrl = process.env.DATABASE_URL as string;

beforeAll(async () => {
  summary = await seedDemo(getPool(), OPTIONS);
  first = await snapshot();
}, 120_000);

afterAll(async () => {
  await useDatabase(firstUrl);
});

describe("the demo's planning history", () => {
  it("sets every budget, with one over, one forecast to overrun and the rest on track at the end of the window", async () => {
    expect(summary.workflows).toMatchObject({ budgets: 8, allocations: 6, bursts: 5 });
    const statuses = await budgetStatuses(getPool(), END, { kind: "all" });
    const byName = Object.fromEntries(statuses.map((s) => [s.budget.name, s.status]));
    expect(byName).toEqual(Object.fromEntries(DEMO_BUDGETS.map((b) => [b.name, b.target])));
    const { budgetsAt } = setupTimes(plan.startMs, plan.endMs);
    for (const budget of first.budgets ?? []) expect(budget.created_at).toEqual(expect.any(Date));
    expect((first.budgets ?? []).map((b) => (b.created_at as Date).getTime() - budgetsAt.getTime()).sort((a, b) => a - b)).toEqual(
      DEMO_BUDGETS.map((_, i) => i * 7 * 60_000),
    );
  });

  it("gives every team an allocation and files, approves, approves smaller, rejects and leaves pending burst requests", () => {
    expect(first.allocations?.map((a) => a.slug)).toEqual(["data-science", "growth", "mobile", "platform", "search", "support"]);
    const bursts = first.bursts ?? [];
    expect(bursts.map((b) => [b.slug, b.status])).toEqual([
      ["support", "approved"],
      ["search", "rejected"],
      ["search", "approved"],
      ["support", "pending"],
      ["search", "pending"],
    ]);
    for (const burst of bursts) expect(burst.requester).toBe("lead@example.com");
    for (const [i, burst] of bursts.entries()) {
      expect((burst.created_at as Date).getTime()).toBe(END.getTime() - (DEMO_BURSTS[i]?.filedBeforeEndMs ?? NaN));
      if (burst.status === "pending") {
        expect(burst.decider).toBeNull();
        continue;
      }
      expect(burst.decider).toBe("admin@example.com");
      expect(burst.decision_comment).toEqual(expect.stringMatching(/\w/));
    }
    // Approved in full, then approved at less than asked.
    expect(bursts[0]?.approved_amount).toBe(bursts[0]?.amount);
    expect(Number(bursts[2]?.approved_amount)).toBeLessThan(Number(bursts[2]?.amount));
  });

  it("audits each decision as the account that made it, at its time", () => {
    const audit = first.audit ?? [];
    const count = (action: string, actor: string) => audit.filter((a) => a.action === action && a.actor_label === actor).length;
    expect(count("budget.create", "finance@example.com")).toBe(8);
    expect(count("allocation.set", "admin@example.com")).toBe(6);
    expect(count("burst_request.create", "lead@example.com")).toBe(5);
    expect(count("burst_request.approve", "admin@example.com")).toBe(2);
    expect(count("burst_request.reject", "admin@example.com")).toBe(1);
    const decided = (first.bursts ?? []).filter((b) => b.decided_at).map((b) => (b.decided_at as Date).getTime());
    const decisions = audit.filter((a) => a.action === "burst_request.approve" || a.action === "burst_request.reject");
    expect(decisions.map((a) => (a.at as Date).getTime()).sort()).toEqual(decided.sort());
    for (const entry of audit) expect((entry.at as Date).getTime()).toBeLessThanOrEqual(END.getTime());
  });

  it("has fired and resolved alerts over the past days, with some still open, each notified in-app once", () => {
    const alerts = first.alerts ?? [];
    const types = new Set(alerts.map((a) => a.type));
    for (const type of ["budget.threshold", "budget.forecast", "spend.unpriced", "spend.spike", "cache.hit_rate_drop"]) expect(types).toContain(type);
    expect(alerts.filter((a) => a.state === "open").length).toBeGreaterThan(0);
    for (const alert of alerts.filter((a) => a.state === "resolved")) {
      expect((alert.resolved_at as Date).getTime()).toBeGreaterThan((alert.fired_at as Date).getTime());
    }
    // The runaway agent (5 hours on one afternoon) is the spike, caught while it ran.
    const runaway = plan.incidents.runawayAgent;
    const spike = alerts.find((a) => a.type === "spend.spike");
    expect((spike?.fired_at as Date).getTime()).toBeGreaterThan(runaway.start);
    expect((spike?.fired_at as Date).getTime()).toBeLessThanOrEqual(runaway.end);
    const thrash = plan.incidents.cacheThrash;
    const drop = alerts.find((a) => a.type === "cache.hit_rate_drop");
    expect((drop?.fired_at as Date).getTime()).toBeGreaterThan(thrash.start);
    expect((drop?.fired_at as Date).getTime()).toBeLessThan(thrash.end + DAY);

    const notes = first.notifications ?? [];
    expect(notes.filter((n) => n.kind === "alert")).toHaveLength(alerts.length);
    expect(notes.filter((n) => n.kind === "burst_requested").map((n) => n.audience)).toEqual(Array(5).fill("admins"));
    expect(notes.filter((n) => n.kind === "burst_approved" || n.kind === "burst_rejected")).toHaveLength(3);
    // Older ones read, so the bell shows this week's.
    expect((first.reads ?? []).map((r) => r.email)).toEqual(expect.arrayContaining(["admin@example.com", "finance@example.com", "lead@example.com"]));
  });

  it("is exactly the rules' history: clearing the alerts and replaying the same days gives the same alerts", async () => {
    await getPool().query("DELETE FROM alert_events");
    const { budgetsAt } = setupTimes(plan.startMs, plan.endMs);
    await replayAlerts(getPool(), budgetsAt.getTime(), END.getTime());
    expect(await alertHistory()).toEqual(first.alerts);
  }, 120_000);

  it("is the same for the same seed in another database", async () => {
    const serverUrl = inject("testServerUrl");
    const name = await createDatabase(serverUrl, "burnrate_test", inject("templateDatabase"));
    try {
      await useDatabase(databaseUrl(serverUrl, name));
      const again = await seedDemo(getPool(), OPTIONS);
      expect(again.events).toBe(summary.events);
      expect(await snapshot()).toEqual(first);
    } finally {
      await useDatabase(firstUrl);
      await dropDatabase(serverUrl, name);
    }
  }, 120_000);

  it("leaves the planning out when the installation already plans its own", async () => {
    const second = await seedDemo(getPool(), { ...OPTIONS, seed: 43, days: 2, eventsPerDay: 200 });
    expect(second.workflows).toBeNull();
    expect((await getPool().query("SELECT count(*)::int AS n FROM budgets")).rows[0]).toEqual({ n: 8 });
  }, 60_000);
});
