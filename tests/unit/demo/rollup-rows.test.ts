import { describe, expect, it } from "vitest";
import { LineBuffer } from "@/lib/demo/line-buffer";
import { PriceBook } from "@/lib/demo/price-book";
import { HourlyRollups, ROLLUP_COLUMNS, UNPRICED } from "@/lib/demo/rollup-rows";
import { EVENT_COLUMNS, RowRenderer } from "@/lib/demo/rows";
import { Money } from "@/lib/money";
import { ROLLUP_DIMENSIONS, ROLLUP_MEASURES } from "@/lib/rollups/rebuild";
import { HOUR_MS } from "@/lib/time";
import { TEST_PRICES, allEvents, plan } from "./helpers";

/**
 * The seed sums its hourly rollups while it writes the events; the sums must be what
 * lib/rollups/rebuild.ts would count (the integration tests compare the two on a real
 * database). Here: retry_cost_usd and error_cost_usd, against the rendered events' own
 * cost_usd summed with Money.
 */

const cells = (line: string, columns: readonly string[]) => {
  const values = line.split("\t");
  return Object.fromEntries(columns.map((column, i) => [column, values[i] ?? ""]));
};

describe("the seed's hourly rollups", () => {
  it("writes every rollup measure of rebuild.ts, the dimensions first", () => {
    expect([...ROLLUP_COLUMNS].slice(0, ROLLUP_DIMENSIONS.length)).toEqual([...ROLLUP_DIMENSIONS]);
    // The seed's events never report a cost of their own: those two stay at their default 0.
    const written = new Set<string>(ROLLUP_COLUMNS);
    expect(ROLLUP_MEASURES.filter((m) => !written.has(m))).toEqual(["reported_cost_usd", "reported_requests"]);
  });

  it("sums the cost of retries (attempt >= 2) and of failed calls exactly, unpriced calls adding nothing", () => {
    const p = plan({ days: 2, eventsPerDay: 2000 });
    const renderer = new RowRenderer(new PriceBook(TEST_PRICES), p.seed);
    const rollups = new HourlyRollups();
    const expected = new Map<string, { cost: Money; retry: Money; error: Money; retries: number; errors: number }>();
    const key = (hour: number, c: Record<string, string>) =>
      [new Date(hour).toISOString(), c.team, c.feature, c.environment, c.tenant, c.prompt_version, c.provider, c.model, c.service_tier].join("|");

    let retriesPriced = 0;
    let errorsPriced = 0;
    let unpriced = 0;
    for (const [n, event] of allEvents(p).entries()) {
      const out = new LineBuffer();
      const cost = renderer.event(out, n, event);
      rollups.add(event, cost);
      const c = cells(out.toString().trimEnd(), EVENT_COLUMNS);
      const sums = expected.get(key(Math.floor(event.at / HOUR_MS) * HOUR_MS, c)) ?? {
        cost: new Money(0),
        retry: new Money(0),
        error: new Money(0),
        retries: 0,
        errors: 0,
      };
      expected.set(key(Math.floor(event.at / HOUR_MS) * HOUR_MS, c), sums);
      if (cost === UNPRICED) {
        unpriced++;
        expect(c.cost_usd).toBe("\\N");
      } else {
        sums.cost = sums.cost.plus(c.cost_usd ?? "");
        if (Number(c.attempt) >= 2) {
          sums.retry = sums.retry.plus(c.cost_usd ?? "");
          retriesPriced++;
        }
        if (c.status === "error") {
          sums.error = sums.error.plus(c.cost_usd ?? "");
          errorsPriced++;
        }
      }
      if (Number(c.attempt) >= 2) sums.retries++;
      if (c.status === "error") sums.errors++;
    }
    // The plan has all three kinds, or this test would prove nothing.
    expect(retriesPriced).toBeGreaterThan(10);
    expect(errorsPriced).toBeGreaterThan(10);
    expect(unpriced).toBeGreaterThan(0);
    expect(rollups.exact).toBe(true);

    const out = new LineBuffer();
    const groups = rollups.closeBefore(Infinity);
    for (const group of groups) renderer.rollup(out, group);
    const lines = out.toString().trimEnd().split("\n");
    expect(lines).toHaveLength(expected.size);
    let withRetryCost = 0;
    let withErrorCost = 0;
    for (const line of lines) {
      const c = cells(line, ROLLUP_COLUMNS);
      expect(line.split("\t")).toHaveLength(ROLLUP_COLUMNS.length);
      const hour = new Date(`${(c.hour ?? "").replace(" ", "T").replace("+00", "Z")}`).getTime();
      const sums = expected.get(key(hour, c));
      expect(sums, line).toBeDefined();
      if (!sums) continue;
      expect([c.cost_usd, c.retry_cost_usd, c.error_cost_usd, c.retries, c.errors]).toEqual([
        sums.cost.toFixed(12),
        sums.retry.toFixed(12),
        sums.error.toFixed(12),
        String(sums.retries),
        String(sums.errors),
      ]);
      if (!sums.retry.isZero()) withRetryCost++;
      if (!sums.error.isZero()) withErrorCost++;
    }
    expect(withRetryCost).toBeGreaterThan(0);
    expect(withErrorCost).toBeGreaterThan(0);
  });
});
