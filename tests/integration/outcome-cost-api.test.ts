import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET } from "@/app/api/v1/outcomes/cost/route";
import { prisma } from "@/lib/db";
import { createTestKey } from "../factories/api-keys";
import { createOutcomeData, getRequest, traceId, type OutcomeData } from "../factories/outcome-data";
import { createTestKeyFor, createTestUser, detailPaths, read, sessionRequest, uniqueSlug } from "../factories/users";

/**
 * GET /api/v1/outcomes/cost on hand-built traces whose every cost is exact (see the
 * factory: a call's cost is chosen, e.g. $1.25). Each describe uses its own outcome type,
 * so the tests never see each other's outcomes.
 */

let data: OutcomeData;
let readKey: string;

beforeAll(async () => {
  data = await createOutcomeData();
  readKey = await createTestKey(["read"]);
});

interface CostBody {
  currency: string;
  from: string;
  to: string;
  type: string;
  group_by: string[];
  rows: Record<string, unknown>[];
  total: Record<string, unknown>;
}

const WINDOW = "from=2026-11-01&to=2026-11-08";

async function cost(query: string, key: string = readKey) {
  return read<CostBody>(await GET(getRequest(`/api/v1/outcomes/cost?${query}`, key)));
}

function row(group: Record<string, string | null>, outcomes: number, successful: number, costUsd: string, perSuccess: string | null, requests: number, unpriced = 0) {
  return { ...group, outcomes, successful, cost_usd: costUsd, cost_per_success_usd: perSuccess, requests, unpriced_requests: unpriced };
}

describe("cost per success: retries, failures and the window", () => {
  const type = `ticket_resolved-${randomUUID().slice(0, 6)}`;
  const [t1, t2, t3, late, early, other] = ["t1", "t2", "t3", "late", "early", "other"].map(traceId) as [string, string, string, string, string, string];

  beforeAll(async () => {
    await data.sendCalls([
      // t1: a failed call, its retry, and a call the day before the window: $0.5 + $1 + $2 = $3.5
      data.call({ trace: t1, at: "2026-10-31T23:59:00Z", usd: "0.5" }),
      data.call({ trace: t1, at: "2026-11-02T09:00:00Z", usd: "1", status: "error" }),
      data.call({ trace: t1, at: "2026-11-02T09:00:05Z", usd: "2", attempt: 2 }),
      // t2: its workflow failed: $1.25
      data.call({ trace: t2, at: "2026-11-03T09:00:00Z", usd: "1.25" }),
      // t3: $0.75, its call after the window ends
      data.call({ trace: t3, at: "2026-11-09T09:00:00Z", usd: "0.75" }),
      // outcomes outside the window: never counted, wherever their calls are
      data.call({ trace: late, at: "2026-11-07T09:00:00Z", usd: "100" }),
      data.call({ trace: early, at: "2026-11-02T09:00:00Z", usd: "100" }),
      // an outcome of another type, and a call without any trace
      data.call({ trace: other, at: "2026-11-02T09:00:00Z", usd: "9" }),
      { ...data.call({ trace: "x", at: "2026-11-02T09:00:00Z", usd: "7" }), trace_id: undefined },
    ]);
    await data.sendOutcomes([
      data.outcome({ trace: t1, at: "2026-11-02T10:00:00Z", type, success: true, tags: { team: "support", channel: "email" } }),
      data.outcome({ trace: t2, at: "2026-11-03T10:00:00Z", type, success: false, tags: { team: "support", channel: "chat" } }),
      data.outcome({ trace: t3, at: "2026-11-07T23:59:59.999Z", type, success: true, tags: { team: "billing", channel: "email" } }),
      data.outcome({ trace: late, at: "2026-11-08T00:00:00Z", type, success: true, tags: { team: "support" } }),
      data.outcome({ trace: early, at: "2026-10-31T23:59:59.999Z", type, success: true, tags: { team: "support" } }),
      data.outcome({ trace: other, at: "2026-11-02T10:00:00Z", type: `${type}-other`, success: true, tags: { team: "support" } }),
    ]);
  });

  it("counts every call of the traces whose outcome is in the window, retries and failures included", async () => {
    const { status, body } = await cost(`${WINDOW}&type=${type}`);
    expect(status).toBe(200);
    // $3.5 + $1.25 + $0.75 = $5.5 over 2 successes = $2.75
    expect(body).toEqual({
      currency: "USD",
      from: "2026-11-01T00:00:00.000Z",
      to: "2026-11-08T00:00:00.000Z",
      type,
      group_by: [],
      rows: [row({}, 3, 2, "5.500000000000", "2.750000000000", 5)],
      total: row({}, 3, 2, "5.500000000000", "2.750000000000", 5),
    });
  });

  it("groups by the outcome's team tag", async () => {
    const { body } = await cost(`${WINDOW}&type=${type}&group_by=team`);
    expect(body.rows).toEqual([
      row({ team: "support" }, 2, 1, "4.750000000000", "4.750000000000", 4),
      row({ team: "billing" }, 1, 1, "0.750000000000", "0.750000000000", 1),
    ]);
    expect(body.total).toEqual(row({}, 3, 2, "5.500000000000", "2.750000000000", 5));
  });

  it("groups by an extra tag, and by several tags; successful = 0 gives null", async () => {
    const byChannel = await cost(`${WINDOW}&type=${type}&group_by=channel`);
    expect(byChannel.body.rows).toEqual([
      row({ channel: "email" }, 2, 2, "4.250000000000", "2.125000000000", 4),
      row({ channel: "chat" }, 1, 0, "1.250000000000", null, 1),
    ]);
    const both = await cost(`${WINDOW}&type=${type}&group_by=team,%20channel`);
    expect(both.body.group_by).toEqual(["team", "channel"]);
    expect(both.body.rows).toEqual([
      row({ team: "support", channel: "email" }, 1, 1, "3.500000000000", "3.500000000000", 3),
      row({ team: "support", channel: "chat" }, 1, 0, "1.250000000000", null, 1),
      row({ team: "billing", channel: "email" }, 1, 1, "0.750000000000", "0.750000000000", 1),
    ]);
  });

  it("gives null for a tag an outcome lacks, and one zero row when no outcome matches", async () => {
    const byTenant = await cost(`${WINDOW}&type=${type}&group_by=tenant`);
    expect(byTenant.body.rows).toEqual([row({ tenant: null }, 3, 2, "5.500000000000", "2.750000000000", 5)]);
    const none = await cost(`${WINDOW}&type=no-such-type`);
    expect(none.body.rows).toEqual([row({}, 0, 0, "0.000000000000", null, 0)]);
    const noneGrouped = await cost(`${WINDOW}&type=no-such-type&group_by=team`);
    expect(noneGrouped.body.rows).toEqual([]);
  });

  it("takes bare dates and RFC 3339 timestamps with offsets for the window", async () => {
    // 2026-11-03T10:00Z is excluded by a window ending at 11:00+02:00 = 09:00Z
    const { body } = await cost(`from=2026-11-01T00:00:00Z&to=${encodeURIComponent("2026-11-03T11:00:00+02:00")}&type=${type}`);
    expect(body.to).toBe("2026-11-03T09:00:00.000Z");
    expect(body.rows).toEqual([row({}, 1, 1, "3.500000000000", "3.500000000000", 3)]);
  });
});

describe("a trace shared by two outcomes of the type", () => {
  // Rule: a trace's cost counts once. It is attributed to the trace's first outcome of the
  // type in the window (earliest timestamp, then smallest id); the other outcome counts in
  // outcomes/successful but adds $0. Grouped rows therefore add up to the total.
  const type = `order_shipped-${randomUUID().slice(0, 6)}`;
  const shared = traceId("shared");
  const alone = traceId("alone");

  beforeAll(async () => {
    await data.sendCalls([
      data.call({ trace: shared, at: "2026-11-02T08:00:00Z", usd: "3" }),
      data.call({ trace: alone, at: "2026-11-02T08:00:00Z", usd: "1" }),
    ]);
    await data.sendOutcomes([
      data.outcome({ trace: shared, at: "2026-11-03T10:00:00Z", type, success: true, tags: { team: "late-team" } }),
      data.outcome({ trace: shared, at: "2026-11-02T10:00:00Z", type, success: false, tags: { team: "early-team" } }),
      data.outcome({ trace: alone, at: "2026-11-02T10:00:00Z", type, success: true, tags: { team: "late-team" } }),
    ]);
  });

  it("counts the shared trace's $3 once in the total", async () => {
    const { body } = await cost(`${WINDOW}&type=${type}`);
    expect(body.rows).toEqual([row({}, 3, 2, "4.000000000000", "2.000000000000", 2)]);
  });

  it("attributes it to the group of the trace's first outcome", async () => {
    const { body } = await cost(`${WINDOW}&type=${type}&group_by=team`);
    expect(body.rows).toEqual([
      row({ team: "early-team" }, 1, 0, "3.000000000000", null, 1),
      row({ team: "late-team" }, 2, 2, "1.000000000000", "0.500000000000", 1),
    ]);
    expect(body.total).toEqual(row({}, 3, 2, "4.000000000000", "2.000000000000", 2));
  });

  it("gives it to the remaining outcome when the first one is outside the window", async () => {
    const { body } = await cost(`from=2026-11-03&to=2026-11-08&type=${type}&group_by=team`);
    expect(body.rows).toEqual([row({ team: "late-team" }, 1, 1, "3.000000000000", "3.000000000000", 1)]);
  });
});

describe("unpriced calls", () => {
  // An unpriced call is never $0: cost_usd sums the priced calls and unpriced_requests counts
  // the others, so a client sees that cost_usd is a lower bound.
  const type = `doc_summarized-${randomUUID().slice(0, 6)}`;
  const mixed = traceId("mixed");
  const onlyUnpriced = traceId("only-unpriced");

  beforeAll(async () => {
    await data.sendCalls([
      data.call({ trace: mixed, at: "2026-11-02T08:00:00Z", usd: "1.5" }),
      data.call({ trace: mixed, at: "2026-11-02T08:01:00Z", usd: "2", unpriced: true }),
      data.call({ trace: onlyUnpriced, at: "2026-11-02T08:00:00Z", usd: "5", unpriced: true }),
    ]);
    await data.sendOutcomes([
      data.outcome({ trace: mixed, at: "2026-11-02T10:00:00Z", type, success: true, tags: { team: "docs" } }),
      data.outcome({ trace: onlyUnpriced, at: "2026-11-02T10:00:00Z", type, success: true, tags: { team: "labs" } }),
    ]);
  });

  it("leaves them out of cost_usd and counts them in unpriced_requests", async () => {
    const { body } = await cost(`${WINDOW}&type=${type}&group_by=team`);
    expect(body.rows).toEqual([
      row({ team: "docs" }, 1, 1, "1.500000000000", "1.500000000000", 2, 1),
      row({ team: "labs" }, 1, 1, "0.000000000000", "0.000000000000", 1, 1),
    ]);
    expect(body.total).toEqual(row({}, 2, 2, "1.500000000000", "0.750000000000", 3, 2));
  });
});

describe("team scope", () => {
  // A scoped caller sees the outcomes of its teams; of their traces it counts the calls
  // tagged with one of its teams or untagged, never calls tagged with another team.
  const type = `lead_qualified-${randomUUID().slice(0, 6)}`;
  const alpha = uniqueSlug("alpha");
  const beta = uniqueSlug("beta");
  const ofAlpha = traceId("alpha");
  const ofBeta = traceId("beta");

  beforeAll(async () => {
    await data.sendCalls([
      data.call({ trace: ofAlpha, at: "2026-11-02T08:00:00Z", usd: "1" }),
      data.call({ trace: ofAlpha, at: "2026-11-02T08:01:00Z", usd: "2", tags: { team: alpha } }),
      data.call({ trace: ofAlpha, at: "2026-11-02T08:02:00Z", usd: "4", tags: { team: beta } }),
      data.call({ trace: ofBeta, at: "2026-11-02T08:00:00Z", usd: "8", tags: { team: beta } }),
    ]);
    await data.sendOutcomes([
      data.outcome({ trace: ofAlpha, at: "2026-11-02T10:00:00Z", type, success: true, tags: { team: alpha } }),
      data.outcome({ trace: ofBeta, at: "2026-11-02T10:00:00Z", type, success: true, tags: { team: beta } }),
    ]);
  });

  it("shows everything to an admin, finance and an installation-wide read key", async () => {
    const admin = await createTestUser({ role: "admin" });
    const finance = await createTestUser({ role: "finance" });
    const expected = [row({ team: beta }, 1, 1, "8.000000000000", "8.000000000000", 1), row({ team: alpha }, 1, 1, "7.000000000000", "7.000000000000", 3)];
    for (const cookie of [admin.cookie, finance.cookie]) {
      const response = await GET(sessionRequest(`/api/v1/outcomes/cost?${WINDOW}&type=${type}&group_by=team`, { cookie }));
      expect((await read<CostBody>(response)).body.rows).toEqual(expected);
    }
    expect((await cost(`${WINDOW}&type=${type}&group_by=team`)).body.rows).toEqual(expected);
  });

  it("shows a team lead only its team's outcomes, without another team's calls", async () => {
    const lead = await createTestUser({ role: "team_lead", teams: [{ slug: alpha, role: "lead" }] });
    const response = await GET(sessionRequest(`/api/v1/outcomes/cost?${WINDOW}&type=${type}&group_by=team`, { cookie: lead.cookie }));
    const { status, body } = await read<CostBody>(response);
    expect(status).toBe(200);
    expect(body.rows).toEqual([row({ team: alpha }, 1, 1, "3.000000000000", "3.000000000000", 2)]);
  });

  it("shows a team-bound read key its team, and a viewer without teams nothing", async () => {
    // The team exists since its calls came in (teams are discovered from tags).
    const team = await prisma.team.findUniqueOrThrow({ where: { slug: beta }, select: { id: true } });
    const key = await createTestKeyFor({ scopes: ["read"], teamId: team.id });
    expect((await cost(`${WINDOW}&type=${type}`, key.secret)).body.rows).toEqual([row({}, 1, 1, "8.000000000000", "8.000000000000", 1)]);
    const viewer = await createTestUser({ role: "viewer" });
    const response = await GET(sessionRequest(`/api/v1/outcomes/cost?${WINDOW}&type=${type}`, { cookie: viewer.cookie }));
    expect((await read<CostBody>(response)).body.rows).toEqual([row({}, 0, 0, "0.000000000000", null, 0)]);
  });
});

describe("errors", () => {
  it.each([
    ["from=2026-11-01&to=2026-11-08", ["type"]],
    ["from=2026-11-01&to=2026-11-08&type=", ["type"]],
    ["to=2026-11-08&type=t", ["from"]],
    ["from=2026-11-01&type=t", ["to"]],
    ["from=yesterday&to=2026-11-08&type=t", ["from"]],
    ["from=2026-11-01&to=2026-02-30&type=t", ["to"]],
    ["from=2026-11-01T00:00:00&to=2026-11-08&type=t", ["from"]],
    ["from=2026-11-08&to=2026-11-01&type=t", ["to"]],
    ["from=2026-11-01&to=2026-11-01&type=t", ["to"]],
    ["from=2026-11-01&to=2026-11-08&type=t&group_by=team,team", ["group_by"]],
    ["from=2026-11-01&to=2026-11-08&type=t&group_by=team,,feature", ["group_by"]],
    ["from=2026-11-01&to=2026-11-08&type=t&group_by=cost_usd", ["group_by"]],
    ["", ["from", "to", "type"]],
  ])("answers 400 to %j naming %j", async (query, paths) => {
    const { status, body } = await cost(query);
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: { code: "invalid_request" } });
    expect(detailPaths(body).sort()).toEqual([...paths].sort());
  });

  it("answers 401 without a key or with an unknown one, 403 to an ingest-only key", async () => {
    expect((await GET(getRequest(`/api/v1/outcomes/cost?${WINDOW}&type=t`))).status).toBe(401);
    expect((await cost(`${WINDOW}&type=t`, "br_notARealKey")).status).toBe(401);
    const forbidden = await cost(`${WINDOW}&type=t`, data.ingestKey);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ error: { code: "forbidden" } });
  });
});
