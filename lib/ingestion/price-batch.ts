import type pg from "pg";
import type { PreparedEvent } from "@/lib/ingestion/prepare-event";
import { buildPriceIndex, type PriceEntry } from "@/lib/pricing/match-price";
import { priceCost, withScaledRates, type ScaledRates } from "@/lib/pricing/price-cost";

type ScaledEntry = PriceEntry & { scaled: ScaledRates };

export interface BatchPricer {
  price: (event: PreparedEvent) => { costUsd: string | null; priceId: string | null };
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
  const result = await client.query<{
    id: string;
    provider: string;
    model: string;
    service_tier: string;
    effective_from: Date;
    input_per_mtok: string;
    output_per_mtok: string;
    cache_read_per_mtok: string;
    cache_write_per_mtok: string;
    reasoning_per_mtok: string;
  }>(
    `SELECT p.id, p.provider, p.model, p.service_tier::text, p.effective_from, p.input_per_mtok::text,
            p.output_per_mtok::text, p.cache_read_per_mtok::text, p.cache_write_per_mtok::text, p.reasoning_per_mtok::text
     FROM prices p JOIN unnest($1::text[], $2::text[]) AS wanted(provider, model)
       ON p.provider = wanted.provider AND p.model = wanted.model`,
    [providers, models],
  );
  const lookup = buildPriceIndex<ScaledEntry>(
    result.rows.map((row) =>
      withScaledRates({
        id: row.id,
        provider: row.provider,
        model: row.model,
        serviceTier: row.service_tier,
        effectiveFrom: row.effective_from,
        rates: {
          inputPerMtok: row.input_per_mtok,
          outputPerMtok: row.output_per_mtok,
          cacheReadPerMtok: row.cache_read_per_mtok,
          cacheWritePerMtok: row.cache_write_per_mtok,
          reasoningPerMtok: row.reasoning_per_mtok,
        },
      }),
    ),
  );
  return {
    price: (event) => {
      const entry = lookup(event.provider, event.model, event.serviceTier, event.occurredAt);
      return entry ? { costUsd: priceCost(event.usage, entry.scaled), priceId: entry.id } : { costUsd: null, priceId: null };
    },
  };
}
