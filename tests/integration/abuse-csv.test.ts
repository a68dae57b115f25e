import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GET as getAudit } from "@/app/api/v1/audit/route";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { POST as postKeys } from "@/app/api/v1/keys/route";
import { GET as getExport } from "@/app/api/v1/spend/export/route";
import { POST as postTeams } from "@/app/api/v1/teams/route";
import { FOCUS_COLUMNS, FOCUS_NUMERIC_COLUMNS } from "@/lib/analytics/spend-export";
import { SPEND_MEASURES } from "@/lib/analytics/spend";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { createUsageWorld } from "../factories/usage-rows";
import { createTestUser, sessionRequest, type TestUser } from "../factories/users";

/**
 * CSV formula injection (issue 13, item 4): tag values, models and providers come from
 * ingest keys, names and e-mails from users; every CSV download writes a cell that starts
 * with =, +, -, @, tab or CR with a leading ', and numbers as numbers.
 */

const HYPERLINK = '=HYPERLINK("http://x")';
const CMD = "+cmd|' /C calc'!A0";
const SUM = "@SUM(1)";
const ARITH = "-2+3";
const HOSTILE_TAGS = { team: HYPERLINK, feature: SUM, environment: ARITH, tenant: CMD };
const WINDOW = { from: "2026-10-01", to: "2026-10-03" };
const TRIGGER = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

let readKey: string;
let admin: TestUser;
let hostileModel: string;

/** RFC 4180 parsing: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += char;
  }
  if (field !== "" || record.length > 0) throw new Error("the CSV does not end with CRLF");
  return records;
}

function table(text: string): { header: string[]; rows: Record<string, string>[] } {
  const [header = [], ...rows] = parseCsv(text);
  return { header, rows: rows.map((row) => Object.fromEntries(row.map((value, i) => [header[i] ?? "", value]))) };
}

/** No text cell starts like a formula; numeric columns hold plain numbers (or nothing), unprefixed. */
function expectSafe(rows: Record<string, string>[], numeric: readonly string[]): void {
  for (const row of rows) {
    for (const [column, value] of Object.entries(row)) {
      if (numeric.includes(column)) {
        expect(value === "" || PLAIN_NUMBER.test(value), `${column}: ${value}`).toBe(true);
      } else {
        expect(TRIGGER.test(value), `${column}: ${JSON.stringify(value)}`).toBe(false);
      }
    }
  }
}

async function download(path: string, auth: { key: string } | { cookie: string }): Promise<string> {
  const request = "key" in auth ? apiRequest(path, { method: "GET", key: auth.key }) : sessionRequest(path, { cookie: auth.cookie });
  const response = path.startsWith("/api/v1/audit") ? await getAudit(request) : await getExport(request);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  return text;
}

beforeAll(async () => {
  const world = await createUsageWorld();
  readKey = await createTestKey(["read"]);
  // A priced event with hostile tags: its costs are real numbers next to hostile names.
  await world.ingest([{ at: "2026-10-01T10:00:00Z", input: 1000, output: 100, tags: HOSTILE_TAGS }]);
  // Hostile provider and model (unpriced), straight through the events API.
  hostileModel = `${SUM}-${randomUUID().slice(0, 8)}`;
  const ingestKey = await createTestKey(["ingest"]);
  const response = await postEvents(
    apiRequest("/api/v1/events", {
      key: ingestKey,
      body: {
        events: [
          {
            id: `abuse-${randomUUID()}`,
            timestamp: "2026-10-02T10:00:00Z",
            provider: CMD,
            model: hostileModel,
            usage: { input_tokens: 10, output_tokens: 1 },
            tags: { team: ARITH, feature: HYPERLINK },
          },
          {
            id: `abuse-${randomUUID()}`,
            timestamp: "2026-10-02T11:00:00Z",
            provider: HYPERLINK,
            model: ARITH,
            usage: { input_tokens: 10, output_tokens: 1 },
          },
        ],
      },
    }),
  );
  expect(await response.json()).toMatchObject({ accepted: 2, rejected: 0 });

  // An admin whose e-mail starts with "-": every audit row it causes has a hostile actor.
  admin = await createTestUser({ role: "admin", email: `-2+3-${randomUUID().slice(0, 8)}@example.test` });
  const team = await postTeams(sessionRequest("/api/v1/teams", { cookie: admin.cookie, method: "POST", body: { slug: `abuse-${randomUUID().slice(0, 8)}`, name: HYPERLINK } }));
  expect(team.status).toBe(201);
  const key = await postKeys(sessionRequest("/api/v1/keys", { cookie: admin.cookie, method: "POST", body: { name: SUM, scopes: ["read"] } }));
  expect(key.status).toBe(201);
});

describe("GET /api/v1/spend/export?format=csv", () => {
  it("neutralizes hostile tags, models and providers; costs and counts stay numbers", async () => {
    const query = new URLSearchParams({ ...WINDOW, group_by: "provider,model,team,feature,environment,tenant" });
    const { header, rows } = table(await download(`/api/v1/spend/export?${query.toString()}`, { key: readKey }));
    expect(header).toEqual(["provider", "model", "team", "feature", "environment", "tenant", ...SPEND_MEASURES]);
    expectSafe(rows, SPEND_MEASURES);

    const tagged = rows.find((row) => row.team === `'${HYPERLINK}`);
    expect(tagged).toMatchObject({ provider: "openai", feature: `'${SUM}`, environment: `'${ARITH}`, tenant: `'${CMD}`, cost_usd: "0.002000000000", requests: "1", input_tokens: "1000" });
    // Providers are stored normalized (lower case); the ' is there all the same.
    const byModel = rows.find((row) => row.model === `'${hostileModel.toLowerCase()}` || row.model === `'${hostileModel}`);
    expect(byModel).toMatchObject({ provider: `'${CMD.toLowerCase()}`, team: `'${ARITH}`, feature: `'${HYPERLINK}`, unpriced_requests: "1" });
    expect(rows.find((row) => row.model === `'${ARITH}`)).toMatchObject({ provider: `'${HYPERLINK.toLowerCase()}`, team: "" });
  });
});

describe("GET /api/v1/spend/export?format=focus", () => {
  it("neutralizes SkuId, service and provider names and tags' cells; costs and quantities stay numbers", async () => {
    const { header, rows } = table(await download(`/api/v1/spend/export?${new URLSearchParams({ ...WINDOW, format: "focus" }).toString()}`, { key: readKey }));
    expect(header).toEqual([...FOCUS_COLUMNS]);
    expectSafe(rows, FOCUS_NUMERIC_COLUMNS);

    const priced = rows.find((row) => row.x_PricingState === "priced");
    expect(priced).toMatchObject({ BilledCost: "0.002000000000", EffectiveCost: "0.002000000000", ConsumedQuantity: "1100", ServiceProviderName: "OpenAI" });
    // The tags column is JSON (starts with "{"): the hostile values inside are not at the start of a cell.
    expect(JSON.parse(priced?.Tags ?? "{}")).toEqual(HOSTILE_TAGS);

    const hostile = rows.filter((row) => row.x_PricingState === "unpriced");
    expect(hostile).toHaveLength(2);
    const cmd = hostile.find((row) => row.ServiceProviderName === `'${CMD.toLowerCase()}`);
    expect(cmd?.ServiceName).toBe(`'${CMD.toLowerCase()}`);
    expect(cmd?.SkuId?.toLowerCase()).toBe(`'${hostileModel.toLowerCase()}`);
    expect(hostile.find((row) => row.SkuId === `'${ARITH}`)).toMatchObject({ ServiceName: `'${HYPERLINK.toLowerCase()}`, ServiceProviderName: `'${HYPERLINK.toLowerCase()}` });
    for (const row of hostile) expect([row.BilledCost, row.EffectiveCost, row.ListCost]).toEqual(["", "", ""]);
  });
});

describe("GET /api/v1/audit?format=csv", () => {
  it("neutralizes a hostile actor; ids stay numbers and hostile names stay inside their JSON", async () => {
    const { header, rows } = table(await download("/api/v1/audit?format=csv&limit=50", { cookie: admin.cookie }));
    expect(header).toEqual(["id", "at", "actor", "action", "target_type", "target_id", "before", "after", "ip"]);
    expectSafe(rows, ["id"]);

    const teamCreate = rows.find((row) => row.action === "team.create" && row.actor === `'${admin.email}`);
    expect(teamCreate?.id).toMatch(/^\d+$/);
    expect(JSON.parse(teamCreate?.after ?? "{}")).toMatchObject({ name: HYPERLINK });
    const keyCreate = rows.find((row) => row.action === "api_key.create" && row.actor === `'${admin.email}`);
    expect(JSON.parse(keyCreate?.after ?? "{}")).toMatchObject({ name: SUM });
  });
});
