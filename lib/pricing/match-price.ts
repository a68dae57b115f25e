import type { PriceRates } from "@/lib/pricing/compute-cost";

/**
 * Which price entry prices an event (pure; no database).
 *
 * The contract: the entry for the event's provider, model and service tier in effect at
 * its timestamp (the latest effective_from <= timestamp; effective_from is inclusive),
 * else the standard tier's entry in effect at that time, else none (the event is
 * unpriced, never $0).
 *
 * Matching is EXACT and case-sensitive on provider and model: no trimming, no lower-casing,
 * no alias or snapshot resolution ("gpt-4o-2024-08-06" does not match "gpt-4o"; the
 * default catalog lists the common dated snapshot names as their own entries instead).
 * The same strings are compared with `=` in SQL by the re-pricer, so the in-memory index
 * and the database always agree on which events a price covers. Callers that want to
 * normalise names (e.g. lower-case provider) must do it identically when storing events
 * and prices.
 */

export const STANDARD_TIER = "standard";

/** What the matcher needs of a price entry; anything else the entry carries is kept. */
export interface PriceKey {
  provider: string;
  model: string;
  serviceTier: string;
  effectiveFrom: Date;
}

/** The usual entry: a prices row with its rates as exact decimal strings. */
export interface PriceEntry extends PriceKey {
  id: string;
  rates: PriceRates;
  /** A long-context tier: events with more input tokens than `threshold` are priced at `rates` (every class). */
  longContext?: LongContextRates | null;
}

export interface LongContextRates {
  /** Input tokens (all input, cache reads and writes included) above which the long rates apply. */
  threshold: number;
  rates: PriceRates;
}

/** Looks up the entry pricing an event; `at` is a Date or epoch milliseconds. */
export type PriceLookup<E> = (provider: string, model: string, serviceTier: string, at: Date | number) => E | null;

interface Schedule<E> {
  /** effectiveFrom in epoch ms, ascending. */
  from: number[];
  entries: E[];
}

/** The entry of the latest from[i] <= at, by binary search; null when none. */
function inEffect<E>(schedule: Schedule<E> | undefined, at: number): E | null {
  if (!schedule) return null;
  const { from, entries } = schedule;
  let lo = 0;
  let hi = from.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if ((from[mid] as number) <= at) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found < 0 ? null : (entries[found] as E);
}

/**
 * An index over price entries for batch pricing: O(log n) per lookup, no allocation.
 * Entries sharing provider, model, tier and effectiveFrom (the database forbids it):
 * the one later in the input wins. Throws RangeError for an invalid effectiveFrom.
 */
export function buildPriceIndex<E extends PriceKey>(entries: readonly E[]): PriceLookup<E> {
  const index = new Map<string, Map<string, Map<string, Schedule<E>>>>();
  const pending = new Map<Schedule<E>, { at: number; entry: E; order: number }[]>();
  entries.forEach((entry, order) => {
    const at = entry.effectiveFrom.getTime();
    if (Number.isNaN(at)) throw new RangeError(`invalid effectiveFrom for ${entry.provider}/${entry.model}`);
    let byModel = index.get(entry.provider);
    if (!byModel) index.set(entry.provider, (byModel = new Map()));
    let byTier = byModel.get(entry.model);
    if (!byTier) byModel.set(entry.model, (byTier = new Map()));
    let schedule = byTier.get(entry.serviceTier);
    if (!schedule) byTier.set(entry.serviceTier, (schedule = { from: [], entries: [] }));
    let list = pending.get(schedule);
    if (!list) pending.set(schedule, (list = []));
    list.push({ at, entry, order });
  });
  for (const [schedule, list] of pending) {
    list.sort((a, b) => a.at - b.at || a.order - b.order);
    for (const item of list) {
      const last = schedule.from.length - 1;
      if (last >= 0 && schedule.from[last] === item.at) {
        schedule.entries[last] = item.entry; // same instant: the later entry wins
      } else {
        schedule.from.push(item.at);
        schedule.entries.push(item.entry);
      }
    }
  }

  return (provider, model, serviceTier, at) => {
    const byTier = index.get(provider)?.get(model);
    if (!byTier) return null;
    const time = typeof at === "number" ? at : at.getTime();
    const own = inEffect(byTier.get(serviceTier), time);
    if (own || serviceTier === STANDARD_TIER) return own;
    return inEffect(byTier.get(STANDARD_TIER), time);
  };
}

/** One-off lookup over a list (builds an index; prefer buildPriceIndex for batches). */
export function matchPrice<E extends PriceKey>(
  entries: readonly E[],
  provider: string,
  model: string,
  serviceTier: string,
  at: Date | number,
): E | null {
  return buildPriceIndex(entries)(provider, model, serviceTier, at);
}
