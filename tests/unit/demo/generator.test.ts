import { describe, expect, it } from "vitest";
import { DayGenerator, generateDay } from "@/lib/demo/generate";
import { defaultEndDate, planDemo } from "@/lib/demo/plan";
import { Rng, mixSeed } from "@/lib/demo/random";
import { EVENT_COLUMNS, eventId } from "@/lib/demo/rows";
import { END, allEvents, plan, renderDays } from "./helpers";

describe("demo generator determinism", () => {
  it("gives the same rows for the same seed and end date", () => {
    const first = renderDays(plan({ seed: 11 }));
    const second = renderDays(plan({ seed: 11 }));
    expect(first.length).toBeGreaterThan(1000);
    expect(second).toEqual(first);
  });

  it("gives different rows for a different seed", () => {
    const a = renderDays(plan({ seed: 11 }));
    const b = renderDays(plan({ seed: 12 }));
    const shared = new Set(a.map((line) => line.split("\t").slice(1).join("\t")));
    const same = b.filter((line) => shared.has(line.split("\t").slice(1).join("\t"))).length;
    expect(same).toBeLessThan(b.length * 0.01);
    expect(b[0]?.startsWith("demo-12-")).toBe(true);
  });

  it("generates each day independently of the days before it", () => {
    const p = plan({ days: 5 });
    const alone = generateDay(p, 3);
    for (let day = 0; day < 3; day++) generateDay(p, day);
    expect(generateDay(p, 3)).toEqual(alone);
  });

  it("hands out a day hour by hour, each hour in time order", () => {
    const p = plan();
    const generator = new DayGenerator(p, 1);
    let hours = 0;
    for (let batch = generator.hour(); batch; batch = generator.hour()) {
      hours++;
      const times = batch.events.map((e) => e.at);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
    expect(hours).toBe(24);
    expect(generator.hour()).toBeNull();
  });

  it("keeps every event inside [end - days, end) and every id unique", () => {
    const p = plan({ days: 4 });
    const events = allEvents(p);
    expect(events.every((e) => e.at >= END.getTime() - 4 * 86_400_000 && e.at < END.getTime())).toBe(true);
    const eventLines = renderDays(p).filter((line) => !line.startsWith("demo-7-o"));
    const ids = eventLines.map((line) => line.split("\t")[0]);
    expect(ids).toHaveLength(events.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe(eventId(7, 0));
  });

  it("produces about eventsPerDay events a day", () => {
    const p = plan({ days: 14, eventsPerDay: 2000 });
    const events = allEvents(p);
    expect(events.length / 14).toBeGreaterThan(2000 * 0.85);
    expect(events.length / 14).toBeLessThan(2000 * 1.15);
  });

  it("writes rows with every column of usage_events", () => {
    const [line] = renderDays(plan(), 1);
    expect(line?.split("\t")).toHaveLength(EVENT_COLUMNS.length);
    expect(line).toMatch(/^demo-7-000000000\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\+00\t/);
  });

  it("gives OpenTelemetry-shaped trace ids, shared by the calls of a trace", () => {
    const events = allEvents(plan());
    expect(events.every((e) => /^[0-9a-f]{32}$/.test(e.traceId))).toBe(true);
    const perTrace = new Map<string, number>();
    for (const e of events) perTrace.set(e.traceId, (perTrace.get(e.traceId) ?? 0) + 1);
    expect([...perTrace.values()].some((n) => n >= 3)).toBe(true);
  });

  it("ends by default at the start of the current hour", () => {
    expect(defaultEndDate(new Date("2026-11-25T10:42:13.5Z")).toISOString()).toBe("2026-11-25T10:00:00.000Z");
    expect(planDemo({ days: 1, eventsPerDay: 10, seed: 1 }).endMs % 3_600_000).toBe(0);
  });

  it("rejects nonsense options", () => {
    expect(() => planDemo({ days: 0, eventsPerDay: 10, seed: 1 })).toThrow(RangeError);
    expect(() => planDemo({ days: 1, eventsPerDay: 1.5, seed: 1 })).toThrow(RangeError);
    expect(() => planDemo({ days: 1, eventsPerDay: 10, seed: 1, endDate: new Date("nope") })).toThrow(RangeError);
    expect(() => generateDay(plan(), 3)).toThrow(RangeError);
  });
});

describe("seeded random numbers", () => {
  it("repeat for a seed and stay in [0, 1)", () => {
    const a = new Rng(mixSeed(5, 9));
    const b = new Rng(mixSeed(5, 9));
    const values = Array.from({ length: 1000 }, () => a.next());
    expect(values).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    expect(new Set(values).size).toBe(1000);
  });

  it("mix every part of the seed, including beyond 32 bits", () => {
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    expect(mixSeed(2 ** 40)).not.toBe(mixSeed(0));
  });
});
