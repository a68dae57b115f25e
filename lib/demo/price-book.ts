import type { PriceRates } from "@/lib/pricing/compute-cost";
import { scaleRates, type ScaledRates } from "./fast-cost";

/**
 * The price entries the seed prices its events with, looked up per event without a
 * database round trip. Follows the contract: the entry for provider, model and tier in
 * effect at the event's time, else the standard tier's, else unpriced.
 */

export interface PriceEntry {
  id: string;
  provider: string;
  model: string;
  serviceTier: string;
  effectiveFrom: Date;
  rates: PriceRates;
}

export interface ResolvedPrice {
  id: string;
  rates: ScaledRates;
}

interface Scheduled extends ResolvedPrice {
  from: number;
}

export class PriceBook {
  /** Per provider/model/tier, newest first. */
  private readonly schedules = new Map<string, Scheduled[]>();

  constructor(entries: readonly PriceEntry[]) {
    for (const entry of entries) {
      const key = PriceBook.key(entry.provider, entry.model, entry.serviceTier);
      const list = this.schedules.get(key) ?? [];
      list.push({ id: entry.id, rates: scaleRates(entry.rates), from: entry.effectiveFrom.getTime() });
      this.schedules.set(key, list);
    }
    for (const list of this.schedules.values()) list.sort((a, b) => b.from - a.from);
  }

  private static key(provider: string, model: string, tier: string): string {
    return `${provider}\u0000${model}\u0000${tier}`;
  }

  private static inEffect(list: readonly Scheduled[] | undefined, at: number): ResolvedPrice | null {
    if (list) for (const entry of list) if (entry.from <= at) return entry;
    return null;
  }

  /** The price lookup for one provider, model and tier, to keep and call per event. */
  schedule(provider: string, model: string, tier: string): (at: number) => ResolvedPrice | null {
    const own = this.schedules.get(PriceBook.key(provider, model, tier));
    const standard = tier === "standard" ? undefined : this.schedules.get(PriceBook.key(provider, model, "standard"));
    return (at) => PriceBook.inEffect(own, at) ?? PriceBook.inEffect(standard, at);
  }

  resolve(provider: string, model: string, tier: string, at: number): ResolvedPrice | null {
    return this.schedule(provider, model, tier)(at);
  }
}
