import { beforeAll, describe, expect, it } from "vitest";
import { GET as getReport } from "@/app/api/v1/outcomes/report/route";
import { GET as getTrace } from "@/app/api/v1/traces/[traceId]/route";
import type { OutcomeReport } from "@/lib/analytics/outcome-report";
import type { TraceDetail } from "@/lib/analytics/trace-detail";
import { createTestKey } from "../factories/api-keys";
import { createOutcomeData, getRequest, PRICED_PROVIDER, traceId, type OutcomeData } from "../factories/outcome-data";
import { createTestUser, detailPaths, read, routeParams, sessionRequest, uniqueSlug, type TestUser } from "../factories/users";

/**
 * GET /api/v1/outcomes/report and GET /api/v1/traces/{trace_id} on hand-built traces with
 * exact costs (window 2026-12-01 .. 2026-12-03):
 *
 *   answer_accepted (team qa, feature qa-bot)        ticket_resolved (team support, feature helpdesk)
 *   a1 12-01 ok    $1 (error) + $1 retry = $2        t1 12-02 ok    $4 + one unpriced call
 *   a2 12-01 fail  $3                                t2 12-02 ok    no calls
 *   a3 12-02 ok    $0.5 (11-30) + $0.5 = $1          t3 12-01 fail, 12-02 ok (same trace): $4 + $2 retry = $6
 *   outside: an answer_accepted outcome at 12-03T00:00 ($50)
 */

let data: OutcomeData;
let readKey: string;
const qa = uniqueSlug("qa");
const support = uniqueSlug("support");
const A = "answer_accepted";
const T = "ticket_resolved";
const [a1, a2, a3, t1, t2, t3, outside] = ["a1", "a2", "a3", "t1", "t2", "t3", "outside"].map(traceId) as [
  string, string, string, string, string, string, string,
];
// Drill-down only: outcomes outside the report window.
const mixed = traceId("mixed");
const untaggedOnly = traceId("untagged-only");
const callsOnly = traceId("calls-only");
const a1CallIds = [`${a1}-call-1`, `${a1}-call-2`];
const a1OutcomeId = `${a1}-outcome`;

beforeAll(async () => {
  data = await createOutcomeData();
  readKey = await createTestKey(["read"]);
  const qaTags = { team: qa, feature: "qa-bot", channel: "web" };
  const supportTags = { team: support, feature: "helpdesk" };
  await data.sendCalls([
    data.call({ id: a1CallIds[1], trace: a1, at: "2026-12-01T09:00:02Z", usd: "1", attempt: 2, latencyMs: 800, tags: qaTags }),
    data.call({ id: a1CallIds[0], trace: a1, at: "2026-12-01T09:00:00Z", usd: "1", status: "error", latencyMs: 1200, tags: qaTags }),
    data.call({ trace: a2, at: "2026-12-01T10:30:00Z", usd: "3", tags: qaTags }),
    data.call({ trace: a3, at: "2026-11-30T23:00:00Z", usd: "0.5", tags: qaTags }),
    data.call({ trace: a3, at: "2026-12-02T08:00:00Z", usd: "0.5", tags: qaTags }),
    data.call({ trace: t1, at: "2026-12-02T11:00:00Z", usd: "4", tags: supportTags }),
    data.call({ trace: t1, at: "2026-12-02T11:01:00Z", usd: "1", unpriced: true }),
    data.call({ trace: t3, at: "2026-12-01T07:00:00Z", usd: "4", tags: supportTags }),
    data.call({ trace: t3, at: "2026-12-01T07:30:00Z", usd: "2", attempt: 2, tags: supportTags }),
    data.call({ trace: outside, at: "2026-12-02T07:00:00Z", usd: "50", tags: qaTags }),
    data.call({ trace: mixed, at: "2026-10-01T08:00:00Z", usd: "1", tags: { team: support } }),
    data.call({ trace: mixed, at: "2026-10-01T08:01:00Z", usd: "2", tags: { team: qa } }),
    data.call({ trace: mixed, at: "2026-10-01T08:02:00Z", usd: "3" }),
    data.call({ trace: untaggedOnly, at: "2026-10-01T08:00:00Z", usd: "1" }),
    data.call({ trace: callsOnly, at: "2026-10-01T08:00:00Z", usd: "1", tags: { team: qa } }),
  ]);
  await data.sendOutcomes([
    data.outcome({ id: a1OutcomeId, trace: a1, at: "2026-12-01T10:00:00Z", type: A, success: true, value: 4.5, tags: qaTags }),
    data.outcome({ trace: a2, at: "2026-12-01T11:00:00Z", type: A, success: false, tags: qaTags }),
    data.outcome({ trace: a3, at: "2026-12-02T09:00:00Z", type: A, success: true, tags: qaTags }),
    data.outcome({ trace: t1, at: "2026-12-02T12:00:00Z", type: T, success: true, tags: supportTags }),
    data.outcome({ trace: t2, at: "2026-12-02T13:00:00Z", type: T, success: true, tags: supportTags }),
    data.outcome({ trace: t3, at: "2026-12-01T08:00:00Z", type: T, success: false, tags: supportTags }),
    data.outcome({ trace: t3, at: "2026-12-02T08:00:00Z", type: T, success: true, tags: supportTags }),
    data.outcome({ trace: outside, at: "2026-12-03T00:00:00Z", type: A, success: true, tags: qaTags }),
    data.outcome({ trace: mixed, at: "2026-10-01T09:00:00Z", type: T, success: true, tags: { team: support } }),
  ]);
});

const WINDOW = "from=2026-12-01&to=2026-12-03";

async function report(query: string, auth: { key?: string; user?: TestUser } = { key: readKey }) {
  const path = `/api/v1/outcomes/report?${query}`;
  const request = auth.user ? sessionRequest(path, { cookie: auth.user.cookie }) : getRequest(path, auth.key);
  return read<OutcomeReport>(await getReport(request));
}

async function trace(id: string, auth: { key?: string; user?: TestUser } = { key: readKey }) {
  const path = `/api/v1/traces/${encodeURIComponent(id)}`;
  const request = auth.user ? sessionRequest(path, { cookie: auth.user.cookie }) : getRequest(path, auth.key);
  return read<TraceDetail>(await getTrace(request, routeParams({ traceId: id })));
}

/** A whole number of dollars as the API writes money: "6" -> "6.000000000000". */
const usd = (dollars: string) => `${dollars}.000000000000`;

const ticketReport = {
  type: T,
  outcomes: 4,
  successful: 3,
  cost_usd: usd("10"),
  cost_per_success_usd: "3.333333333333",
  // t3 failed first but succeeded later on the same trace: not a failed workflow
  failed_cost_usd: usd("0"),
  retry_cost_usd: usd("2"),
  retry_share: "0.200000000000",
  requests: 4,
  retries: 1,
  unpriced_requests: 1,
  daily: [
    // t3's cost lands on the day of its first outcome
    { day: "2026-12-01", outcomes: 1, successful: 0, cost_usd: usd("6"), cost_per_success_usd: null },
    { day: "2026-12-02", outcomes: 3, successful: 3, cost_usd: usd("4"), cost_per_success_usd: "1.333333333333" },
  ],
};

const answerReport = {
  type: A,
  outcomes: 3,
  successful: 2,
  cost_usd: usd("6"),
  cost_per_success_usd: usd("3"),
  failed_cost_usd: usd("3"),
  retry_cost_usd: usd("1"),
  retry_share: "0.166666666667",
  requests: 5,
  retries: 1,
  unpriced_requests: 0,
  daily: [
    { day: "2026-12-01", outcomes: 2, successful: 1, cost_usd: usd("5"), cost_per_success_usd: usd("5") },
    { day: "2026-12-02", outcomes: 1, successful: 1, cost_usd: usd("1"), cost_per_success_usd: usd("1") },
  ],
};

function topTrace(id: string, fields: Record<string, unknown>) {
  return { trace_id: id, unpriced_requests: 0, retries: 0, outcomes: 1, success: true, ...fields };
}

describe("GET /api/v1/outcomes/report", () => {
  it("gives per type cost per success, failed-workflow cost, retry share and a daily series", async () => {
    const { status, body } = await report(WINDOW);
    expect(status).toBe(200);
    expect(body).toMatchObject({ currency: "USD", from: "2026-12-01T00:00:00.000Z", to: "2026-12-03T00:00:00.000Z", type: null, feature: null });
    expect(body.types).toEqual([ticketReport, answerReport]);
  });

  it("gives the exact distribution of cost per trace, leaving out traces without calls or with unpriced calls", async () => {
    const { body } = await report(WINDOW);
    const { histogram, ...figures } = body.distribution;
    // priced traces: a1 $2, a2 $3, a3 $1, t3 $6 (t1 has an unpriced call, t2 no call)
    expect(figures).toEqual({
      traces: 6,
      traces_without_calls: 1,
      traces_with_unpriced_calls: 1,
      count: 4,
      min_usd: usd("1"),
      p50_usd: usd("2"),
      p95_usd: usd("6"),
      p99_usd: usd("6"),
      max_usd: usd("6"),
      mean_usd: usd("3"),
      total_usd: usd("12"),
    });
    expect(histogram.zero_count).toBe(0);
    expect(histogram.buckets).toHaveLength(20);
    expect(histogram.buckets[0]).toMatchObject({ lower_usd: usd("1"), count: 1 });
    expect(histogram.buckets[19]).toMatchObject({ upper_usd: usd("6"), count: 1 });
    expect(histogram.buckets.map((bucket) => bucket.count).reduce((sum, n) => sum + n, 0)).toBe(4);
  });

  it("lists the most expensive traces", async () => {
    const { body } = await report(WINDOW);
    const supportFields = { outcome_type: T, team: support, feature: "helpdesk" };
    const qaFields = { outcome_type: A, team: qa, feature: "qa-bot" };
    expect(body.top_traces).toEqual([
      topTrace(t3, { ...supportFields, outcomes: 2, cost_usd: usd("6"), calls: 2, retries: 1, first_call_at: "2026-12-01T07:00:00.000Z", last_call_at: "2026-12-01T07:30:00.000Z" }),
      topTrace(t1, { ...supportFields, cost_usd: usd("4"), unpriced_requests: 1, calls: 2, first_call_at: "2026-12-02T11:00:00.000Z", last_call_at: "2026-12-02T11:01:00.000Z" }),
      topTrace(a2, { ...qaFields, success: false, cost_usd: usd("3"), calls: 1, first_call_at: "2026-12-01T10:30:00.000Z", last_call_at: "2026-12-01T10:30:00.000Z" }),
      topTrace(a1, { ...qaFields, cost_usd: usd("2"), calls: 2, retries: 1, first_call_at: "2026-12-01T09:00:00.000Z", last_call_at: "2026-12-01T09:00:02.000Z" }),
      topTrace(a3, { ...qaFields, cost_usd: usd("1"), calls: 2, first_call_at: "2026-11-30T23:00:00.000Z", last_call_at: "2026-12-02T08:00:00.000Z" }),
      topTrace(t2, { ...supportFields, cost_usd: usd("0"), calls: 0, first_call_at: null, last_call_at: null }),
    ]);
  });

  it("filters by type and by feature (an empty filter is no filter)", async () => {
    const byType = await report(`${WINDOW}&type=${A}&feature=`);
    expect(byType.body).toMatchObject({ type: A, feature: null });
    expect(byType.body.types).toEqual([answerReport]);
    expect(byType.body.distribution).toMatchObject({ traces: 3, count: 3, p50_usd: usd("2"), p95_usd: usd("3"), mean_usd: usd("2") });
    expect(byType.body.top_traces.map((t) => t.trace_id)).toEqual([a2, a1, a3]);
    const byFeature = await report(`${WINDOW}&feature=helpdesk`);
    expect(byFeature.body.types).toEqual([ticketReport]);
  });

  it("shows a team lead only its team's outcomes", async () => {
    const lead = await createTestUser({ role: "team_lead", teams: [{ slug: support, role: "lead" }] });
    const { body } = await report(WINDOW, { user: lead });
    expect(body.types).toEqual([ticketReport]);
    expect(body.top_traces.map((t) => t.trace_id)).toEqual([t3, t1, t2]);
    expect(body.distribution).toMatchObject({ traces: 3, count: 1, max_usd: usd("6") });
  });

  it("answers 400 naming the field, 401 and 403", async () => {
    const missing = await report("to=2026-12-03");
    expect(missing.status).toBe(400);
    expect(detailPaths(missing.body)).toEqual(["from"]);
    const tooLong = await report("from=2026-01-01&to=2027-02-01");
    expect(tooLong.status).toBe(400);
    expect(detailPaths(tooLong.body)).toEqual(["to"]);
    expect((await getReport(getRequest(`/api/v1/outcomes/report?${WINDOW}`))).status).toBe(401);
    expect((await report(WINDOW, { key: data.ingestKey })).status).toBe(403);
  });
});

describe("GET /api/v1/traces/{trace_id}", () => {
  it("lists the calls in time order with tokens, cost, status, attempt, latency and tags, and the outcomes", async () => {
    const { status, body } = await trace(a1);
    expect(status).toBe(200);
    const call = { provider: PRICED_PROVIDER, provider_as_sent: null, model: data.model, operation: "chat", service_tier: "standard", response_cache_hit: false };
    const usage = { input_tokens: 1000, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, reasoning_output_tokens: 0 };
    const tags = { team: qa, feature: "qa-bot", channel: "web" };
    expect(body).toEqual({
      trace_id: a1,
      summary: {
        calls: 2,
        retries: 1,
        errors: 1,
        unpriced_requests: 0,
        cost_usd: usd("2"),
        input_tokens: 2000,
        output_tokens: 0,
        first_call_at: "2026-12-01T09:00:00.000Z",
        last_call_at: "2026-12-01T09:00:02.000Z",
      },
      calls: [
        { ...call, id: a1CallIds[0], timestamp: "2026-12-01T09:00:00.000Z", usage, cost_usd: usd("1"), status: "error", attempt: 1, latency_ms: 1200, tags },
        { ...call, id: a1CallIds[1], timestamp: "2026-12-01T09:00:02.000Z", usage, cost_usd: usd("1"), status: "success", attempt: 2, latency_ms: 800, tags },
      ],
      calls_truncated: false,
      outcomes: [{ id: a1OutcomeId, timestamp: "2026-12-01T10:00:00.000Z", type: A, success: true, value: "4.5", tags }],
    });
  });

  it("gives an unpriced call a null cost, never $0", async () => {
    const { body } = await trace(t1);
    expect(body.calls.map((c) => [c.cost_usd, c.tags])).toEqual([
      [usd("4"), { team: support, feature: "helpdesk" }],
      [null, {}],
    ]);
    expect(body.summary).toMatchObject({ calls: 2, unpriced_requests: 1, cost_usd: usd("4") });
  });

  it("shows a trace with only an outcome, and one with only calls", async () => {
    const outcomeOnly = await trace(t2);
    expect(outcomeOnly.status).toBe(200);
    expect(outcomeOnly.body).toMatchObject({ calls: [], summary: { calls: 0, cost_usd: usd("0"), first_call_at: null } });
    expect(outcomeOnly.body.outcomes).toHaveLength(1);
    const withoutOutcome = await trace(callsOnly);
    expect(withoutOutcome.status).toBe(200);
    expect(withoutOutcome.body).toMatchObject({ outcomes: [], summary: { calls: 1, cost_usd: usd("1") } });
  });

  it("answers 404 for an unknown trace", async () => {
    const unknown = await trace("no-such-trace");
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: "not_found" } } });
    expect((await trace("x".repeat(300))).status).toBe(404);
  });

  it("shows a team lead its team's traces only: 404 for another team's trace", async () => {
    const lead = await createTestUser({ role: "team_lead", teams: [{ slug: support, role: "lead" }] });
    expect((await trace(a1, { user: lead })).status).toBe(404);
    expect((await trace(untaggedOnly, { user: lead })).status).toBe(404);
    const own = await trace(t1, { user: lead });
    expect(own.status).toBe(200);
    expect(own.body.summary).toMatchObject({ calls: 2, unpriced_requests: 1, cost_usd: usd("4") });
  });

  it("shows a scoped caller the calls tagged with its teams or untagged, and its teams' outcomes", async () => {
    const admin = await trace(mixed);
    expect(admin.body.calls.map((c) => c.cost_usd)).toEqual([usd("1"), usd("2"), usd("3")]);
    const supportLead = await createTestUser({ role: "team_lead", teams: [{ slug: support, role: "lead" }] });
    const ofSupport = await trace(mixed, { user: supportLead });
    expect(ofSupport.body.calls.map((c) => c.cost_usd)).toEqual([usd("1"), usd("3")]);
    expect(ofSupport.body.summary.cost_usd).toBe(usd("4"));
    expect(ofSupport.body.outcomes).toHaveLength(1);
    const qaViewer = await createTestUser({ role: "viewer", teams: [{ slug: qa, role: "member" }] });
    const ofQa = await trace(mixed, { user: qaViewer });
    expect(ofQa.status).toBe(200);
    expect(ofQa.body.calls.map((c) => c.cost_usd)).toEqual([usd("2"), usd("3")]);
    expect(ofQa.body.outcomes).toEqual([]);
  });

  it("answers 401 without a key and 403 to an ingest-only key", async () => {
    expect((await getTrace(getRequest(`/api/v1/traces/${a1}`), routeParams({ traceId: a1 }))).status).toBe(401);
    expect((await trace(a1, { key: data.ingestKey })).status).toBe(403);
  });
});
