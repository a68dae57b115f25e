import type pg from "pg";
import type { PreparedEvent, PricedEvent } from "@/lib/ingestion/prepare-event";
import { buildPriceIndex, type PriceEntry } from "@/lib/pricing/match-price";
import { entryCost, withScaledRates, type ScaledEntry as Scaled } from "@/lib/pricing/price-cost";
import { priceEntryColumns, priceEntryFromRow, type PriceEntryRow } from "@/lib/pricing/price-rows";

type ScaledEntry = PriceEntry & Scaled;

export interface BatchPricer {
  /** Sets each event's price in place (costUsd, priceId); answers the same array. */
  priceAll: (events: PreparedEvent[]) => PricedEvent[];
}

/**
 * Loads the price entries of the (provider, model) pairs in a batch — inside the ingest
 * transaction, after the shared pricing lock, so a price added concurrently is either
 * seen here or re-applied by the re-pricer — and prices each event exactly.
 */
export async function loadPriceIndex(client: pg.ClientBase, events: readonly PreparedEvent[]): Promise<BatchPricer> {
  const pairs = new Map<string, [string, string]>();
  for (const event of events) pairs.set(`${event.provider}\u0000${event.model}`, [event.provider, event.model]);
  const providers = [...pairs.values()].map(([provider]) => provider);
  const models = [...pairs.values()].map(([, model]) => model);
  const result = await client.query<PriceEntryRow>(
    `SELECT ${priceEntryColumns("p")}
     FROM prices p JOIN unnest($1::text[], $2::text[]) AS wanted(provider, model)
       ON p.provider = wanted.provider AND p.model = wanted.model`,
    [providers, models],
  );
  const lookup = buildPriceIndex<ScaledEntry>(result.rows.map((row) => withScaledRates(priceEntryFromRow(row))));
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
