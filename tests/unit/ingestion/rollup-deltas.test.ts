import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Money } from "@/lib/money";
import type { CopyValue } from "@/lib/db/copy-text";
import type { PricedEvent } from "@/lib/ingestion/prepare-event";
import { HOURLY_DELTA_COLUMNS, rollupDeltasCopyText, TAG_DELTA_COLUMNS } from "@/lib/ingestion/rollup-deltas";

let sequence = 0;

/** A priced event as prepareEvent and the pricer leave it; every field can be overridden. */
function event(overrides: Partial<PricedEvent> = {}): PricedEvent {
  sequence++;
  return {
    id: `e${sequence}`,
    occurredAt: new Date("2026-10-01T08:10:00Z"),
    provider: "openai",
    providerAsSent: null,
    model: "gpt-4o",
    operation: "chat",
    serviceTier: "standard",
    usage: { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, reasoningOutputTokens: 0 },
    latencyMs: null,
    status: "success",
    responseCacheHit: false,
    traceId: null,
    attempt: 1,
    team: null,
    feature: "chat",
    environment: "production",
    tenant: null,
    endUser: null,
    promptVersion: "v2",
    extraTags: null,
    reportedCostUsd: null,
    costUsd: null,
    priceId: null,
    ...overrides,
  };
}

const usage = (inputTokens: number, outputTokens: number, cacheReadInputTokens = 0, cacheCreationInputTokens = 0, reasoningOutputTokens = 0) => ({
  inputTokens,
  outputTokens,
  cacheReadInputTokens,
  cacheCreationInputTokens,
  reasoningOutputTokens,
});

const HOURLY = HOURLY_DELTA_COLUMNS as readonly string[];
const TAGS = TAG_DELTA_COLUMNS as readonly string[];

const MONEY_COLUMNS = new Set(["cost_usd", "reported_cost_usd", "retry_cost_usd", "error_cost_usd"]);
const FIRST_MEASURE = TAGS.indexOf("requests");

/** One COPY text field back to its value (https://www.postgresql.org/docs/current/sql-copy.html). */
function fieldValue(field: string, column: string, index: number): CopyValue {
  if (field === "\\N") return null;
  const text = field.replace(/\\(.)/g, (_, c: string) => ({ t: "\t", n: "\n", r: "\r" })[c] ?? c);
  return index >= FIRST_MEASURE && !MONEY_COLUMNS.has(column) ? Number(text) : text;
}

/** Dimensions first (null before any text), then the tag's key and value: the order the expectations below are written in. */
function compareRows(a: CopyValue[], b: CopyValue[]): number {
  const order = (row: CopyValue[]) => [...row.slice(2, FIRST_MEASURE), row[0], row[1]];
  const [x, y] = [order(a), order(b)];
  for (let i = 0; i < x.length; i++) {
    if (x[i] === y[i]) continue;
    if (x[i] === null) return -1;
    if (y[i] === null) return 1;
    return String(x[i]) < String(y[i]) ? -1 : 1;
  }
  return 0;
}

/**
 * rollupDeltasCopyText's rows read back: the hourly rows (NULL tag key and value) without the tag
 * columns, the tag rows whole, each sorted.
 */
function rollupDeltas(events: PricedEvent[]): { hourly: CopyValue[][]; tags: CopyValue[][] } {
  const text = rollupDeltasCopyText(events);
  expect(text === "" || text.endsWith("\n")).toBe(true);
  const rows = (text === "" ? [] : text.slice(0, -1).split("\n")).map((line) => {
    const fields = line.split("\t");
    expect(fields).toHaveLength(TAGS.length);
    return fields.map((field, i) => fieldValue(field, TAGS[i] as string, i));
  });
  for (const row of rows) expect(row[0] === null).toBe(row[1] === null);
  rows.sort(compareRows);
  return { hourly: rows.filter((row) => row[0] === null).map((row) => row.slice(2)), tags: rows.filter((row) => row[0] !== null) };
}

/** A row as an object keyed by its columns (checks the row's length as well). */
function named(columns: readonly string[], row: CopyValue[]): Record<string, CopyValue> {
  expect(row).toHaveLength(columns.length);
  return Object.fromEntries(columns.map((column, i) => [column, row[i] as CopyValue]));
}

describe("the delta columns", () => {
  it("list the pending tables' columns in order, with a type each", () => {
    expect(HOURLY_DELTA_COLUMNS).toEqual([
      "hour", "team", "feature", "environment", "tenant", "prompt_version", "provider", "model", "service_tier",
      "requests", "errors", "retries", "response_cache_hits", "unpriced_requests", "input_tokens", "output_tokens",
      "cache_read_input_tokens", "cache_creation_input_tokens", "reasoning_output_tokens", "cost_usd", "latency_ms_sum",
      "reported_cost_usd", "reported_requests", "retry_cost_usd", "error_cost_usd",
    ]);
    expect(TAG_DELTA_COLUMNS).toEqual(["tag_key", "tag_value", ...HOURLY_DELTA_COLUMNS]);
  });
});

describe("rollupDeltasCopyText: a hand-checked batch", () => {
  const dims = (hour: string, team: string | null) => [hour, team, "chat", "production", null, "v2", "openai", "gpt-4o", "standard"];
  const H8 = "2026-10-01T08:00:00.000Z";
  const H9 = "2026-10-01T09:00:00.000Z";

  const batch = [
    // 08:xx, team null, priced, tagged channel=email
    event({
      occurredAt: new Date("2026-10-01T08:10:00Z"),
      usage: usage(100, 50, 20, 10, 5),
      latencyMs: 200,
      costUsd: "0.001000000000",
      priceId: "p1",
      extraTags: { channel: "email" },
    }),
    // 08:xx (last millisecond of the hour), team null: an error, a retry, a cache hit, reported cost, no latency
    event({
      occurredAt: new Date("2026-10-01T08:59:59.999Z"),
      usage: usage(10, 5),
      status: "error",
      attempt: 2,
      responseCacheHit: true,
      costUsd: "0.000000000001",
      priceId: "p1",
      reportedCostUsd: "0.5",
      extraTags: { channel: "email", region: "eu" },
    }),
    // 08:xx, team "" (not null): unpriced, a retry (attempt 3), reported cost
    event({
      occurredAt: new Date("2026-10-01T08:30:00Z"),
      team: "",
      usage: usage(1, 1),
      attempt: 3,
      latencyMs: 100,
      reportedCostUsd: "0.25",
      extraTags: { channel: "email" },
    }),
    // 09:00:00.000 exactly: the next hour; a priced error, large cost
    event({
      occurredAt: new Date("2026-10-01T09:00:00.000Z"),
      usage: usage(1000, 200),
      status: "error",
      latencyMs: 50,
      costUsd: "9500.250000000000",
      priceId: "p2",
    }),
  ];

  it("sums one row per hour and dimensions, null and empty team apart", () => {
    const { hourly } = rollupDeltas(batch);
    expect(hourly).toEqual([
      // hour, dims…, requests, errors, retries, hits, unpriced, in, out, cacheRead, cacheCreation, reasoning,
      // cost, latency, reported, reported requests, retry cost, error cost
      [...dims(H8, null), 2, 1, 1, 1, 0, 110, 55, 20, 10, 5, "0.001000000001", 200, "0.500000000000", 1, "0.000000000001", "0.000000000001"],
      [...dims(H8, ""), 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, "0.000000000000", 100, "0.250000000000", 1, "0.000000000000", "0.000000000000"],
      [...dims(H9, null), 1, 1, 0, 0, 0, 1000, 200, 0, 0, 0, "9500.250000000000", 50, "0.000000000000", 0, "0.000000000000", "9500.250000000000"],
    ]);
    const first = named(HOURLY, hourly[0] as CopyValue[]);
    expect(first.team).toBeNull();
    expect(first.cost_usd).toBe("0.001000000001");
    expect(first.retry_cost_usd).toBe("0.000000000001");
    expect(named(HOURLY, hourly[1] as CopyValue[]).team).toBe("");
  });

  it("sums one tag row per key, value, hour and dimensions, with the same measures", () => {
    const { tags } = rollupDeltas(batch);
    expect(tags).toEqual([
      ["channel", "email", ...dims(H8, null), 2, 1, 1, 1, 0, 110, 55, 20, 10, 5, "0.001000000001", 200, "0.500000000000", 1, "0.000000000001", "0.000000000001"],
      ["region", "eu", ...dims(H8, null), 1, 1, 1, 1, 0, 10, 5, 0, 0, 0, "0.000000000001", 0, "0.500000000000", 1, "0.000000000001", "0.000000000001"],
      ["channel", "email", ...dims(H8, ""), 1, 0, 1, 0, 1, 1, 1, 0, 0, 0, "0.000000000000", 100, "0.250000000000", 1, "0.000000000000", "0.000000000000"],
    ]);
    const region = named(TAGS, tags[1] as CopyValue[]);
    expect(region.tag_key).toBe("region");
    expect(region.tag_value).toBe("eu");
    expect(region.latency_ms_sum).toBe(0);
  });

  it("escapes dimensions, tag keys and values as COPY text requires", () => {
    const awkward = event({ team: "a\tb", tenant: "back\\slash", extraTags: { "k\r": "x\ny" }, costUsd: "0.5", priceId: "p" });
    const text = rollupDeltasCopyText([awkward]);
    // Two rows, each one line of TAG_DELTA_COLUMNS fields: nothing raw splits a row or a field.
    expect(text.split("\n")).toHaveLength(3);
    expect(text).toContain("a\\tb\t");
    expect(text).toContain("back\\\\slash\t");
    expect(text).toContain("k\\r\tx\\ny\t");
    const { hourly, tags } = rollupDeltas([awkward]);
    expect(named(HOURLY, hourly[0] as CopyValue[]).team).toBe("a\tb");
    expect(named(HOURLY, hourly[0] as CopyValue[]).tenant).toBe("back\\slash");
    expect(named(TAGS, tags[0] as CopyValue[])).toMatchObject({ tag_key: "k\r", tag_value: "x\ny", team: "a\tb", cost_usd: "0.500000000000" });
  });

  it("answers nothing for an empty batch", () => {
    expect(rollupDeltas([])).toEqual({ hourly: [], tags: [] });
  });

  it("keeps provider, model, tier and every well-known tag apart", () => {
    const base = { occurredAt: new Date("2026-10-01T08:00:00Z"), costUsd: "1", priceId: "p" };
    const variants: Partial<PricedEvent>[] = [
      {}, { provider: "anthropic" }, { model: "gpt-4o-mini" }, { serviceTier: "batch" }, { feature: null }, { environment: "staging" },
      { tenant: "acme" }, { promptVersion: null }, { team: "a" },
      // Not dimensions: end user, operation, trace and price do not split rows.
      { endUser: "u1", operation: "embedding", traceId: "t", priceId: "q", providerAsSent: "OpenAI" },
    ];
    const { hourly } = rollupDeltas(variants.map((v) => event({ ...base, ...v })));
    expect(hourly).toHaveLength(9);
    const requests = hourly.map((row) => named(HOURLY, row).requests);
    expect(requests.reduce((a, b) => (a as number) + (b as number), 0)).toBe(10);
    expect(requests.filter((n) => n === 2)).toHaveLength(1);
  });
});

describe("rollupDeltasCopyText: random batches against a decimal.js reference", () => {
  const HOURS = [Date.UTC(2026, 9, 1, 7), Date.UTC(2026, 9, 1, 8), Date.UTC(2026, 9, 2, 23), Date.UTC(2027, 0, 1, 0)];
  const costArb = fc.oneof(
    fc.constant(null),
    fc.bigInt({ min: 0n, max: 10n ** 9n }),
    fc.bigInt({ min: 0n, max: 10n ** 17n }), // up to $100,000: past the 2^53 picodollar line
  ).map((units) => (units === null ? null : new Money(units.toString()).div("1e12").toFixed(12)));
  const reportedArb = fc.oneof(
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 16n }).map((units) => new Money(units.toString()).div("1e12").toFixed()) }, // "0.5", "12"
  );
  const tokenArb = fc.nat(2_147_483_647);
  const eventArb: fc.Arbitrary<PricedEvent> = fc
    .record({
      hour: fc.constantFrom(...HOURS),
      offset: fc.integer({ min: 0, max: 3_599_999 }),
      team: fc.constantFrom(null, "", "a", "b"),
      tenant: fc.constantFrom(null, "acme"),
      provider: fc.constantFrom("openai", "anthropic"),
      model: fc.constantFrom("m1", "m2"),
      serviceTier: fc.constantFrom("standard", "batch"),
      status: fc.constantFrom("success" as const, "error" as const),
      attempt: fc.integer({ min: 1, max: 3 }),
      responseCacheHit: fc.boolean(),
      latencyMs: fc.option(fc.nat(60_000), { nil: null }),
      tokens: fc.tuple(tokenArb, tokenArb, tokenArb, tokenArb, tokenArb),
      costUsd: costArb,
      reportedCostUsd: reportedArb,
      extraTags: fc.option(fc.dictionary(fc.constantFrom("channel", "region", "x"), fc.constantFrom("", "a", "b"), { maxKeys: 3 }), { nil: null }),
    })
    .map(({ hour, offset, tokens, ...rest }) =>
      event({
        ...rest,
        occurredAt: new Date(hour + offset),
        usage: usage(...tokens),
        priceId: rest.costUsd === null ? null : "p",
        extraTags: rest.extraTags && Object.keys(rest.extraTags).length > 0 ? rest.extraTags : null,
      }),
    );

  const sumOf = (events: PricedEvent[], pick: (e: PricedEvent) => string | null) =>
    events.reduce((sum, e) => sum.add(pick(e) ?? 0), new Money(0)).toFixed(12);
  const column = (rows: Record<string, CopyValue>[], name: string): CopyValue[] => rows.map((row) => row[name] as CopyValue);
  const moneyTotal = (values: CopyValue[]) => values.reduce((sum: Money, v) => sum.add(v as string), new Money(0)).toFixed(12);
  const intTotal = (values: CopyValue[]) => values.reduce((sum: number, v) => sum + (v as number), 0);

  /** The measures of a set of events, computed independently with decimal.js. */
  function reference(events: PricedEvent[]) {
    const priced = events.filter((e) => e.costUsd !== null);
    return {
      requests: events.length,
      errors: events.filter((e) => e.status === "error").length,
      retries: events.filter((e) => e.attempt >= 2).length,
      response_cache_hits: events.filter((e) => e.responseCacheHit).length,
      unpriced_requests: events.length - priced.length,
      input_tokens: events.reduce((n, e) => n + e.usage.inputTokens, 0),
      output_tokens: events.reduce((n, e) => n + e.usage.outputTokens, 0),
      cache_read_input_tokens: events.reduce((n, e) => n + e.usage.cacheReadInputTokens, 0),
      cache_creation_input_tokens: events.reduce((n, e) => n + e.usage.cacheCreationInputTokens, 0),
      reasoning_output_tokens: events.reduce((n, e) => n + e.usage.reasoningOutputTokens, 0),
      cost_usd: sumOf(priced, (e) => e.costUsd),
      latency_ms_sum: events.reduce((n, e) => n + (e.latencyMs ?? 0), 0),
      reported_cost_usd: sumOf(events, (e) => e.reportedCostUsd),
      reported_requests: events.filter((e) => e.reportedCostUsd !== null).length,
      retry_cost_usd: sumOf(priced.filter((e) => e.attempt >= 2), (e) => e.costUsd),
      error_cost_usd: sumOf(priced.filter((e) => e.status === "error"), (e) => e.costUsd),
    };
  }

  function dimsOf(e: PricedEvent): CopyValue[] {
    const hour = new Date(Math.floor(e.occurredAt.getTime() / 3_600_000) * 3_600_000).toISOString();
    return [hour, e.team, e.feature, e.environment, e.tenant, e.promptVersion, e.provider, e.model, e.serviceTier];
  }

  /** Reference rows (as objects), grouped with JSON keys: one per hour and dims, one per tag and hour and dims. */
  function referenceRows(events: PricedEvent[]) {
    const hourly = new Map<string, PricedEvent[]>();
    const tags = new Map<string, PricedEvent[]>();
    for (const e of events) {
      const dims = dimsOf(e);
      const key = JSON.stringify(dims);
      hourly.set(key, [...(hourly.get(key) ?? []), e]);
      for (const [tagKey, tagValue] of Object.entries(e.extraTags ?? {})) {
        const tagRowKey = JSON.stringify([tagKey, tagValue, ...dims]);
        tags.set(tagRowKey, [...(tags.get(tagRowKey) ?? []), e]);
      }
    }
    const rows = (groups: Map<string, PricedEvent[]>, columns: readonly string[]) =>
      [...groups.entries()].map(([key, group]) => {
        const dims = JSON.parse(key) as CopyValue[];
        return { ...Object.fromEntries(columns.slice(0, dims.length).map((c, i) => [c, dims[i]])), ...reference(group) } as Record<string, CopyValue>;
      });
    return { hourly: rows(hourly, HOURLY), tags: rows(tags, TAGS) };
  }

  const byJson = (rows: Record<string, CopyValue>[]) => rows.map((row) => JSON.stringify(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : 1)))).sort();

  it("rows add up to the batch, and equal a decimal.js recount, column by column", () => {
    let bigCosts = 0;
    fc.assert(
      fc.property(fc.array(eventArb, { minLength: 1, maxLength: 60 }), (events) => {
        const deltas = rollupDeltas(events);
        const hourly = deltas.hourly.map((row) => named(HOURLY, row));
        const tags = deltas.tags.map((row) => named(TAGS, row));

        // The whole batch, over all hourly rows.
        const total = reference(events);
        expect(intTotal(column(hourly, "requests"))).toBe(events.length);
        expect(intTotal(column(hourly, "unpriced_requests"))).toBe(total.unpriced_requests);
        expect(intTotal(column(hourly, "errors"))).toBe(total.errors);
        expect(intTotal(column(hourly, "input_tokens"))).toBe(total.input_tokens);
        expect(intTotal(column(hourly, "latency_ms_sum"))).toBe(total.latency_ms_sum);
        for (const money of ["cost_usd", "reported_cost_usd", "retry_cost_usd", "error_cost_usd"] as const) {
          expect(moneyTotal(column(hourly, money))).toBe(total[money]);
        }
        if (new Money(total.cost_usd).gt("9007")) bigCosts++;

        // Row by row, against the independent grouping.
        const expected = referenceRows(events);
        expect(byJson(hourly)).toEqual(byJson(expected.hourly));
        expect(byJson(tags)).toEqual(byJson(expected.tags));
        for (const row of [...hourly, ...tags]) expect(row.cost_usd).toMatch(/^\d+\.\d{12}$/);

        // The rows do not depend on the order of the batch.
        expect(rollupDeltas([...events].reverse())).toEqual(deltas);
      }),
      { numRuns: 400, seed: 1001 },
    );
    expect(bigCosts).toBeGreaterThan(100);
  });
});
