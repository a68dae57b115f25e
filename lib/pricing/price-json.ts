import type { StoredPrice } from "@/lib/pricing/price-store";

/** A price entry as the API shows it (snake_case, rates as exact decimal strings). */
export function priceJson(price: StoredPrice) {
  return {
    id: price.id,
    provider: price.provider,
    model: price.model,
    service_tier: price.serviceTier,
    effective_from: price.effectiveFrom.toISOString(),
    input_per_mtok: price.rates.inputPerMtok,
    output_per_mtok: price.rates.outputPerMtok,
    cache_read_per_mtok: price.rates.cacheReadPerMtok,
    cache_write_per_mtok: price.rates.cacheWritePerMtok,
    cache_write_1h_per_mtok: price.rates.cacheWrite1hPerMtok,
    reasoning_per_mtok: price.rates.reasoningPerMtok,
    long_context: price.longContext
      ? {
          threshold_input_tokens: price.longContext.threshold,
          input_per_mtok: price.longContext.rates.inputPerMtok,
          output_per_mtok: price.longContext.rates.outputPerMtok,
          cache_read_per_mtok: price.longContext.rates.cacheReadPerMtok,
          cache_write_per_mtok: price.longContext.rates.cacheWritePerMtok,
          cache_write_1h_per_mtok: price.longContext.rates.cacheWrite1hPerMtok,
          reasoning_per_mtok: price.longContext.rates.reasoningPerMtok,
        }
      : null,
    source: price.source,
    source_date: price.sourceDate,
    created_at: price.createdAt.toISOString(),
  };
}
