import "server-only";
import pg from "pg";
import type { BeginResults } from "@/lib/db/sql";
import { SHARED_PRICING_LOCK_SQL } from "@/lib/pricing/lock";
import type { PreparedEvent, PricedEvent } from "@/lib/ingestion/prepare-event";
import { buildPriceIndex, type PriceEntry } from "@/lib/pricing/match-price";
import { entryCost, withScaledRates, type ScaledEntry as Scaled } from "@/lib/pricing/price-cost";
import { priceEntryColumns, priceEntryFromRow, type PriceEntryRow } from "@/lib/pricing/price-rows";

type ScaledEntry = PriceEntry & Scaled;

const { escapeLiteral } = pg;

export interface BatchPricer {
  /** Sets each event's price in place (costUsd, priceId); answers the same array. */
  priceAll: (events: PreparedEvent[]) => PricedEvent[];
}

/**
 * The price entries of the (provider, model) pairs in a batch, as one parameterless statement
 * (the names as escaped literals), so the ingest sends it with BEGIN and the shared pricing lock
 * in one round trip: run after the lock, it sees every price committed before the lock was
 * granted (each statement of a simple query takes its own snapshot), and a price added
 * concurrently is re-applied by the re-pricer.
 */
export function batchPricesSql(events: readonly PreparedEvent[]): string {
  if (events.length === 0) throw new RangeError("batchPricesSql: a batch has at least one event");
  const pairs = new Map<string, string>();
  for (const event of events) {
    const key = `${event.provider}\u0000${event.model}`;
    if (!pairs.has(key)) pairs.set(key, `(${escapeLiteral(event.provider)}, ${escapeLiteral(event.model)})`);
  }
  // A join against VALUES, not `(provider, model) IN (…)`: with many distinct models the IN list
  // became one long OR the planner tested on every candidate row (1,000 pairs: 20–30 ms, under
  // the shared pricing lock; the join 1–2 ms).
  return `SELECT ${priceEntryColumns("p")}
FROM prices p JOIN (VALUES ${[...pairs.values()].join(", ")}) AS wanted(provider, model)
  ON p.provider = wanted.provider AND p.model = wanted.model`;
}

/**
 * What a batch's transaction sends with BEGIN, in the same round trip: the shared pricing lock
 * (a price insert takes it exclusively, lib/pricing/lock.ts), then the batch's prices.
 */
export function batchBeginSql(events: readonly PreparedEvent[]): string {
  return `${SHARED_PRICING_LOCK_SQL}; ${batchPricesSql(events)}`;
}

// BEGIN's results with batchBeginSql: BEGIN, the lock, the prices.
const PRICES_RESULT = 2;

/** The batch's pricer from what BEGIN and batchBeginSql answered. */
export function pricerFromBegin(began: BeginResults): BatchPricer {
  const prices = began[PRICES_RESULT];
  // Never price a batch from nothing: every event would be stored unpriced for good.
  if (began.length !== PRICES_RESULT + 1 || prices?.command !== "SELECT") throw new Error("the batch's prices were not read with BEGIN");
  return batchPricer(prices.rows as PriceEntryRow[]);
}

/** Prices a batch with the rows batchPricesSql answered. */
export function batchPricer(rows: readonly PriceEntryRow[]): BatchPricer {
  const lookup = buildPriceIndex<ScaledEntry>(rows.map((row) => withScaledRates(priceEntryFromRow(row))));
  return {
    priceAll: (events) => {
      for (const event of events) {
        const entry = lookup(event.provider, event.model, event.serviceTier, event.occurredAt);
        event.costUsd = entry ? entryCost(event.usage, entry) : null;
        event.priceId = entry ? entry.id : null;
      }
      return events;
    },
  };
}
