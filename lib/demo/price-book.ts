import { buildPriceIndex, type PriceEntry, type PriceLookup } from "@/lib/pricing/match-price";
import { withScaledRates, type ScaledEntry } from "@/lib/pricing/price-cost";

/**
 * The price entries the seed prices its events with, looked up per event without a
 * database round trip, by the ingest path's own matcher (lib/pricing/match-price.ts: the
 * entry for provider, model and tier in effect at the event's time, else the standard
 * tier's, else unpriced), with the rates scaled once for priceCost.
 */

export type { PriceEntry };

export type ResolvedPrice = PriceEntry & ScaledEntry;

export class PriceBook {
  /** The entry pricing an event of this provider, model and tier at `at` (epoch ms or Date), or null. */
  readonly resolve: PriceLookup<ResolvedPrice>;

  constructor(entries: readonly PriceEntry[]) {
    this.resolve = buildPriceIndex(entries.map(withScaledRates));
  }
}
