import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eventSchema, OPERATIONS, SERVICE_TIERS } from "@/lib/schemas/event";
import { parseEventFast } from "@/lib/schemas/event-fast";
import { makeBodies } from "@/scripts/bench/ingest-traffic";

/**
 * parseEventFast is a hand-compiled eventSchema: whenever it answers, it must answer exactly
 * what eventSchema.safeParse(raw).data is. zod reads Date.now(), so the clock is frozen at NOW
 * and the same NOW is handed to parseEventFast: both see the same 24-hour limit, and the
 * generated timestamps may sit right on it.
 */

const NOW = Date.UTC(2026, 9, 1, 12, 0, 0, 0); // 2026-10-01T12:00:00.000Z
const DAY = 86_400_000;
const RUNS = 2_500;

beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterAll(() => {
  vi.useRealTimers();
});

/** Marks a field left out of the generated event. */
const ABSENT = Symbol("absent");
type Maybe<T> = T | typeof ABSENT;

function objectOf(entries: [string, unknown][]): Record<string, unknown> {
  // Object.fromEntries defines own properties, as JSON.parse does (a "__proto__" key stays a key).
  return Object.fromEntries(entries.filter(([, value]) => value !== ABSENT));
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `ms` written in the time zone `offsetMinutes` away from UTC ("Z" when the offset is null). */
function isoWithOffset(ms: number, offsetMinutes: number | null, fraction = true): string {
  const local = new Date(ms + (offsetMinutes ?? 0) * 60_000).toISOString(); // "2026-10-01T12:00:00.000Z"
  const body = fraction ? local.slice(0, -1) : local.slice(0, 19);
  if (offsetMinutes === null) return `${body}Z`;
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${body}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

const offsetArb = fc.oneof(
  fc.constant(null),
  fc.constantFrom(0, 330, -330, 345, 60, -60, 600, -720, 840, -599),
  fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 }),
);

/** Timestamps both inside and just outside [2015-01-01, NOW + 24 h], in every offset. */
const validTimestampArb: fc.Arbitrary<string> = fc.oneof(
  // up to two days before NOW and up to (but not over) the 24-hour lead
  fc.tuple(fc.integer({ min: -2 * DAY, max: DAY }), offsetArb, fc.boolean()).map(([delta, offset, fraction]) =>
    isoWithOffset(NOW + delta, offset, fraction),
  ),
  // anywhere between 2015 and now
  fc.tuple(fc.integer({ min: Date.UTC(2015, 0, 1), max: NOW }), offsetArb, fc.boolean()).map(([at, offset, fraction]) =>
    isoWithOffset(at, offset, fraction),
  ),
  fc.constantFrom(
    "2015-01-01T00:00:00Z",
    "2015-01-01T05:30:00+05:30", // 2015-01-01T00:00Z
    "2014-12-31T19:00:00-05:00", // 2015-01-01T00:00Z
    isoWithOffset(NOW + DAY, null), // exactly the limit
    isoWithOffset(NOW + DAY, 330),
    "2024-02-29T23:59:59.123456789Z",
    "2016-02-29T00:00:00Z",
  ),
);

/** Timestamps zod refuses: out of range, impossible dates, malformed text, non-strings. */
const invalidTimestampArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 2 * DAY }), offsetArb).map(([over, offset]) => isoWithOffset(NOW + DAY + over, offset)),
  fc.tuple(fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2015, 0, 1) - 1 }), offsetArb).map(([at, offset]) => isoWithOffset(at, offset)),
  fc.constantFrom(
    "2014-12-31T23:59:59.999Z",
    "2015-01-01T05:29:59+05:30", // 2014-12-31T23:59:59Z
    "2026-02-30T00:00:00Z", // Date.parse would roll it over to March 2
    "2026-02-29T00:00:00Z", // not a leap year
    "2026-04-31T00:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-09-30T24:00:00Z",
    "2026-09-30T12:00:60Z",
    "2026-09-30T12:00:00", // no offset
    "2026-09-30T12:00Z", // no seconds
    "2026-09-30 12:00:00Z",
    "2026-09-30T12:00:00z",
    "2026-09-30T12:00:00+0530",
    "2026-09-30T12:00:00+24:00",
    "2026-09-30",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "+002026-09-30T12:00:00Z",
    "",
    " 2026-09-30T12:00:00Z",
  ),
  fc.constantFrom(null, 0, NOW, true, [], {}),
  // random shapes around the format: years 0000-9999, months/days/hours one past their ranges
  fc
    .record({
      year: fc.oneof(fc.integer({ min: 2014, max: 2027 }), fc.integer({ min: 0, max: 9999 })),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      hour: fc.integer({ min: 0, max: 24 }),
      minute: fc.integer({ min: 0, max: 60 }),
      second: fc.integer({ min: 0, max: 60 }),
      offset: fc.constantFrom("Z", "+05:30", "-08:00", "+14:00", "-23:59", "+24:00", "+05:60", ""),
    })
    .map(({ year, month, day, hour, minute, second, offset }) => `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${offset}`),
);

const textArb = (min: number, max: number) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: min, maxLength: Math.min(max, 40) }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: min, maxLength: Math.min(max, 20) }) },
    { weight: 1, arbitrary: fc.constantFrom("x".repeat(Math.max(min, 1)), "y".repeat(max)) },
  );
const badTextArb = (max: number) => fc.constantFrom<unknown>("", "z".repeat(max + 1), 1, null, true, ["a"], { a: 1 });

const idArb = textArb(1, 128);
const providerArb = textArb(1, 64);
const modelArb = textArb(1, 256);
const traceArb = textArb(1, 256);

const intIn = (min: number, max: number) =>
  fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max), fc.integer({ min, max: Math.min(max, min + 10) }));
const badIntArb = (min: number, max: number) =>
  fc.oneof(
    fc.constantFrom<unknown>(min - 1, max + 1, 1.5, min + 0.5, -1, 1e21, 2 ** 53, -(2 ** 53), Number.MAX_VALUE, String(min), null, true, [1]),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Number.isInteger(x)),
  );

const usageArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.record(
    {
      input_tokens: fc.nat(1_000_000),
      output_tokens: fc.nat(1_000_000),
      cache_read_input_tokens: fc.nat(1000),
      reasoning_output_tokens: fc.nat(1000),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A tag key: mostly ordinary, sometimes empty, too long, unicode or a well-known name. */
const tagKeyArb = fc.oneof(
  { weight: 6, arbitrary: fc.string({ minLength: 1, maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom("team", "feature", "environment", "tenant", "user", "prompt_version", "channel", "constructor", "toString", "0", "10") },
  { weight: 1, arbitrary: fc.constantFrom("", "k".repeat(64), "k".repeat(65)) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 64 }) },
);
const tagValueArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom("", "v".repeat(256), "v".repeat(257)) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(1, null, true, ["a"], { a: "b" }) },
);
const tagsArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.tuple(tagKeyArb, tagValueArb), { maxLength: 40 }).map((entries) => Object.fromEntries(entries)) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, "team=a", ["a", "b"], 3, {}) },
  {
    weight: 1,
    arbitrary: fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 })), { maxLength: 5 }).map((entries) =>
      Object.assign(Object.create(null) as Record<string, string>, Object.fromEntries(entries)),
    ),
  },
);

/** Valid tags only: 0 to 32 keys of 1 to 64 characters (never "__proto__"), string values up to 256. */
const validTagsArb: fc.Arbitrary<Record<string, string>> = fc
  .array(
    fc.tuple(
      fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom("team", "feature", "tenant", "user", "channel", "k".repeat(64))),
      fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("", "v".repeat(256))),
    ),
    { maxLength: 32 },
  )
  .map((entries) => Object.fromEntries(entries.filter(([key]) => key !== "__proto__")));

/**
 * Events with every field valid (invalid = false), or each field sometimes invalid, tags of up
 * to 40 keys with bad keys and values, and sometimes an unknown field (invalid = true).
 */
function eventArb(invalid: boolean): fc.Arbitrary<Record<string, unknown>> {
  function field<T>(valid: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>, optional = true): fc.Arbitrary<Maybe<unknown>> {
    const value = invalid ? fc.oneof({ weight: 12, arbitrary: valid as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: bad }) : (valid as fc.Arbitrary<unknown>);
    return optional ? fc.oneof({ weight: 1, arbitrary: fc.constant<Maybe<unknown>>(ABSENT) }, { weight: 3, arbitrary: value }) : value;
  }
  const extra: fc.Arbitrary<[string, unknown][]> = invalid
    ? fc.oneof(
        { weight: 9, arbitrary: fc.constant<[string, unknown][]>([]) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.constantFrom("reported_cost_usd", "extra", "cost", "Usage", "__proto__", "constructor", "tag"), fc.jsonValue({ maxDepth: 1 }))
            .map(([key, value]): [string, unknown][] => [[key, key === "reported_cost_usd" ? "0.001" : value]]),
        },
      )
    : fc.constant<[string, unknown][]>([]);
  return fc
    .record({
      id: field(idArb, badTextArb(128), false),
      timestamp: invalid
        ? fc.oneof({ weight: 8, arbitrary: validTimestampArb as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: invalidTimestampArb })
        : validTimestampArb,
      provider: field(providerArb, badTextArb(64), false),
      model: field(modelArb, badTextArb(256), false),
      operation: field(fc.constantFrom(...OPERATIONS), fc.constantFrom<unknown>("Chat", "", "chat ", null, 1, "tool")),
      service_tier: field(fc.constantFrom(...SERVICE_TIERS), fc.constantFrom<unknown>("Standard", "", "default", null, 0)),
      usage: fc.oneof(fc.constant<Maybe<unknown>>(ABSENT), usageArb),
      openai_usage: fc.oneof({ weight: 4, arbitrary: fc.constant<Maybe<unknown>>(ABSENT) }, { weight: 1, arbitrary: usageArb }),
      anthropic_usage: fc.oneof({ weight: 4, arbitrary: fc.constant<Maybe<unknown>>(ABSENT) }, { weight: 1, arbitrary: usageArb }),
      latency_ms: field(intIn(0, 2_147_483_647), badIntArb(0, 2_147_483_647)),
      status: field(fc.constantFrom("success", "error"), fc.constantFrom<unknown>("ok", "Error", "", null, false)),
      response_cache_hit: field(fc.boolean(), fc.constantFrom<unknown>("true", 0, 1, null)),
      trace_id: field(traceArb, badTextArb(256)),
      attempt: field(intIn(1, 1000), badIntArb(1, 1000)),
      tags: invalid
        ? fc.oneof({ weight: 1, arbitrary: fc.constant<Maybe<unknown>>(ABSENT) }, { weight: 2, arbitrary: validTagsArb }, { weight: 2, arbitrary: tagsArb })
        : fc.oneof({ weight: 1, arbitrary: fc.constant<Maybe<unknown>>(ABSENT) }, { weight: 3, arbitrary: validTagsArb }),
      extra,
    })
    .map(({ extra: extraFields, ...fields }) => objectOf([...Object.entries(fields), ...extraFields]));
}

const validEventArb = eventArb(false);
const eventLikeArb = eventArb(true);

const junkArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.constantFrom<unknown>(null, undefined, "", "{}", 0, -1, NaN, true, new Date(NOW), [], new Map()),
  fc.string(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
);

describe("parseEventFast against eventSchema", () => {
  it("answers exactly what eventSchema answers whenever it answers (generated events and junk)", () => {
    let fastTaken = 0;
    let zodOnly = 0;
    fc.assert(
      fc.property(fc.oneof({ weight: 2, arbitrary: validEventArb as fc.Arbitrary<unknown> }, { weight: 4, arbitrary: eventLikeArb }, { weight: 1, arbitrary: junkArb }), (raw) => {
        const fast = parseEventFast(raw, NOW);
        const parsed = eventSchema.safeParse(raw);
        if (fast === null) {
          if (parsed.success) zodOnly++;
          return;
        }
        fastTaken++;
        expect(parsed.success).toBe(true);
        expect(fast).toStrictEqual(parsed.data);
      }),
      { numRuns: RUNS, seed: 20261001 },
    );
    // The property says something only if the fast path is taken often, and refused often.
    expect(fastTaken).toBeGreaterThan(RUNS * 0.3);
    expect(RUNS - fastTaken - zodOnly).toBeGreaterThan(RUNS * 0.2);
  });

  it("takes the fast path for every valid event, and equals zod (random seed)", () => {
    fc.assert(
      fc.property(validEventArb, (raw) => {
        const parsed = eventSchema.safeParse(raw);
        expect(parsed.success).toBe(true);
        const fast = parseEventFast(raw, NOW);
        expect(fast).not.toBeNull();
        expect(fast).toStrictEqual(parsed.data);
      }),
      { numRuns: RUNS },
    );
  });

  it("takes the fast path for every zod-valid event with only known fields and an ordinary tags object", () => {
    fc.assert(
      fc.property(eventLikeArb, (raw) => {
        const parsed = eventSchema.safeParse(raw);
        if (!parsed.success) return;
        const onlyKnown = !("reported_cost_usd" in raw) && !Object.keys(raw).some((k) => ["extra", "cost", "Usage", "__proto__", "constructor", "tag"].includes(k));
        const tags = raw.tags as Record<string, unknown> | undefined;
        const protoTag = tags !== undefined && Object.prototype.hasOwnProperty.call(tags, "__proto__");
        if (!onlyKnown || protoTag) return;
        expect(parseEventFast(raw, NOW)).toStrictEqual(parsed.data);
      }),
      { numRuns: RUNS, seed: 7 },
    );
  });

  it("sees the same 24-hour limit as zod, to the millisecond", () => {
    const base = { id: "e1", provider: "openai", model: "gpt-4o" };
    const at = (ms: number, offset: number | null) => ({ ...base, timestamp: isoWithOffset(ms, offset) });
    for (const offset of [null, 330, -480]) {
      const limit = at(NOW + DAY, offset);
      expect(parseEventFast(limit, NOW)).toStrictEqual(eventSchema.parse(limit));
      expect(parseEventFast(limit, NOW)?.timestamp).toBe(limit.timestamp);
      const over = at(NOW + DAY + 1, offset);
      expect(parseEventFast(over, NOW)).toBeNull();
      expect(eventSchema.safeParse(over).success).toBe(false);
    }
    // The earliest instant, written in +05:30.
    expect(parseEventFast({ ...base, timestamp: "2015-01-01T05:30:00+05:30" }, NOW)?.timestamp).toBe("2015-01-01T05:30:00+05:30");
    expect(parseEventFast({ ...base, timestamp: "2015-01-01T05:29:59.999+05:30" }, NOW)).toBeNull();
    expect(parseEventFast({ ...base, timestamp: "2026-02-30T00:00:00Z" }, NOW)).toBeNull();
    expect(eventSchema.safeParse({ ...base, timestamp: "2026-02-30T00:00:00Z" }).success).toBe(false);
  });
});

describe("parseEventFast on the bench's demo-like traffic", () => {
  it("takes the fast path for every event and equals zod", () => {
    const bodies = makeBodies("t", 3, 1000);
    expect(bodies).toHaveLength(3);
    let compared = 0;
    for (const body of bodies) {
      const { events } = JSON.parse(body) as { events: unknown[] };
      expect(events).toHaveLength(1000);
      for (const raw of events) {
        const fast = parseEventFast(raw, NOW);
        expect(fast).not.toBeNull();
        expect(fast).toStrictEqual(eventSchema.parse(raw));
        compared++;
      }
    }
    expect(compared).toBe(3000);
  });
});

describe("parseEventFast: specific cases", () => {
  const minimal = { id: "evt-1", timestamp: "2026-10-01T08:00:00Z", provider: "openai", model: "gpt-4o-mini" };

  it("fills the defaults chat / standard / success / 1 exactly as zod does", () => {
    const fast = parseEventFast(minimal, NOW);
    expect(fast).toStrictEqual({
      id: "evt-1",
      timestamp: "2026-10-01T08:00:00Z",
      provider: "openai",
      model: "gpt-4o-mini",
      operation: "chat",
      service_tier: "standard",
      status: "success",
      attempt: 1,
    });
    expect(fast).toStrictEqual(eventSchema.parse(minimal));
  });

  it("keeps given values, optional fields and usage objects as sent", () => {
    const usage = { input_tokens: 10, output_tokens: 5 };
    const raw = {
      ...minimal,
      operation: "embedding",
      service_tier: "batch",
      status: "error",
      attempt: 3,
      latency_ms: 0,
      response_cache_hit: false,
      trace_id: "t-1",
      usage,
      tags: { team: "search", "": "v" },
    };
    // The empty key makes the tags invalid: both refuse.
    expect(parseEventFast(raw, NOW)).toBeNull();
    expect(eventSchema.safeParse(raw).success).toBe(false);
    const ok = { ...raw, tags: { team: "search", channel: "" } };
    const fast = parseEventFast(ok, NOW);
    expect(fast).toStrictEqual({
      ...minimal,
      operation: "embedding",
      service_tier: "batch",
      status: "error",
      attempt: 3,
      latency_ms: 0,
      response_cache_hit: false,
      trace_id: "t-1",
      usage: { input_tokens: 10, output_tokens: 5 },
      tags: { team: "search", channel: "" },
    });
    expect(fast).toStrictEqual(eventSchema.parse(ok));
  });

  it("leaves an event with reported_cost_usd to zod", () => {
    const raw = { ...minimal, reported_cost_usd: "0.0012" };
    expect(parseEventFast(raw, NOW)).toBeNull();
    expect(eventSchema.parse(raw).reported_cost_usd).toBe("0.0012");
  });

  it("leaves an event with an unknown field to zod (which ignores it)", () => {
    const raw = { ...minimal, region: "eu" };
    expect(parseEventFast(raw, NOW)).toBeNull();
    expect(eventSchema.safeParse(raw).success).toBe(true);
  });

  it("leaves tags with a __proto__ key to zod", () => {
    const raw = JSON.parse(`{"id":"e","timestamp":"2026-10-01T08:00:00Z","provider":"p","model":"m","tags":{"__proto__":"x"}}`) as unknown;
    expect(Object.keys((raw as { tags: object }).tags)).toEqual(["__proto__"]);
    expect(parseEventFast(raw, NOW)).toBeNull();
  });

  it("refuses more than 32 tags, and a 33rd tag only", () => {
    const tags = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${i}`, `v${i}`]));
    expect(parseEventFast({ ...minimal, tags }, NOW)?.tags).toStrictEqual(tags);
    expect(parseEventFast({ ...minimal, tags: { ...tags, k32: "v" } }, NOW)).toBeNull();
    expect(eventSchema.safeParse({ ...minimal, tags: { ...tags, k32: "v" } }).success).toBe(false);
  });

  it("refuses non-objects", () => {
    for (const raw of [null, undefined, [], [minimal], "x", 1, true]) expect(parseEventFast(raw, NOW)).toBeNull();
  });
});
