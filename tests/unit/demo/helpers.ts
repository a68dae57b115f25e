import { CATALOG_PRICES, PRICE_EFFECTIVE_FROM } from "@/lib/demo/catalog";
import { generateDay, type DemoEvent } from "@/lib/demo/generate";
import { LineBuffer } from "@/lib/demo/line-buffer";
import { planDemo, type DemoOptions, type DemoPlan } from "@/lib/demo/plan";
import { PriceBook, type PriceEntry } from "@/lib/demo/price-book";
import { RowRenderer } from "@/lib/demo/rows";

/** The demo catalog as the database would hand it back, with made-up ids. */
export const TEST_PRICES: PriceEntry[] = CATALOG_PRICES.map((price, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
  provider: price.provider,
  model: price.model,
  serviceTier: price.serviceTier,
  effectiveFrom: PRICE_EFFECTIVE_FROM,
  rates: price.rates,
}));

export const END = new Date("2026-11-20T00:00:00Z");

export function plan(options: Partial<DemoOptions> = {}): DemoPlan {
  return planDemo({ days: 3, eventsPerDay: 400, seed: 7, endDate: END, ...options });
}

export function allEvents(p: DemoPlan): DemoEvent[] {
  const events: DemoEvent[] = [];
  for (let day = 0; day < p.days; day++) events.push(...generateDay(p, day).events);
  return events;
}

/** COPY text of days [0, days) of a plan, as the seeder would send it. */
export function renderDays(p: DemoPlan, days = p.days): string[] {
  const renderer = new RowRenderer(new PriceBook(TEST_PRICES), p.seed);
  const out = new LineBuffer();
  let n = 0;
  let o = 0;
  for (let day = 0; day < days; day++) {
    const generated = generateDay(p, day);
    for (const event of generated.events) renderer.event(out, n++, event);
    for (const outcome of generated.outcomes) renderer.outcome(out, o++, outcome);
  }
  return out.toString().split("\n").slice(0, -1);
}
