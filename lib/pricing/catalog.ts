import { z } from "zod";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { EXCLUSIVE_PRICING_LOCK_SQL } from "@/lib/pricing/lock";
import { priceInputSchema, priceNameSchema, resolvePriceInput, type ResolvedPriceInput } from "@/lib/schemas/price";
import catalogJson from "./default-catalog.json" with { type: "json" };
import { writeAudit } from "@/lib/audit/audit-log";

/**
 * The default price catalog (default-catalog.json, reviewed list prices) and its loader.
 *
 * An entry is a POST /api/v1/prices body plus: source (the provider's pricing page),
 * source_date (when the figure was reviewed), note (caveats, e.g. figures that could not
 * be verified) and aliases (other model names billed identically, typically dated
 * snapshots like "gpt-4o-2024-08-06"; matching is exact, so each alias becomes its own
 * price row with the same rates).
 */

export const catalogEntrySchema = priceInputSchema.extend({
  aliases: z.array(priceNameSchema).optional(),
  source: z.url({ error: "must be a URL" }),
  source_date: z.iso.date({ error: "must be a date YYYY-MM-DD" }),
  note: z.string().min(1).optional(),
});

export const catalogSchema = z.strictObject({
  description: z.string(),
  currency: z.literal("USD"),
  entries: z.array(catalogEntrySchema).min(1),
});

export type CatalogEntry = z.output<typeof catalogEntrySchema>;

export interface CatalogPrice extends ResolvedPriceInput {
  source: string;
  sourceDate: Date;
  note?: string;
}

function priceKey(p: { provider: string; model: string; serviceTier: string; effectiveFrom: Date }): string {
  return JSON.stringify([p.provider, p.model, p.serviceTier, p.effectiveFrom.toISOString()]);
}

/**
 * Validates a catalog document and expands aliases into one price per model name.
 * Throws an Error naming every problem (schema errors by entry index, duplicate keys).
 */
export function parseCatalog(document: unknown): CatalogPrice[] {
  const parsed = catalogSchema.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    throw new Error(`invalid price catalog:\n${problems.join("\n")}`);
  }
  const prices: CatalogPrice[] = [];
  const seen = new Map<string, number>();
  const duplicates: string[] = [];
  parsed.data.entries.forEach((entry, index) => {
    const base = resolvePriceInput(entry);
    for (const model of [entry.model, ...(entry.aliases ?? [])]) {
      const price: CatalogPrice = {
        ...base,
        model,
        source: entry.source,
        sourceDate: new Date(`${entry.source_date}T00:00:00Z`),
        ...(entry.note ? { note: entry.note } : {}),
      };
      const key = priceKey(price);
      const first = seen.get(key);
      if (first !== undefined) duplicates.push(`entries.${index} (${model}) repeats entries.${first}`);
      else seen.set(key, index);
      prices.push(price);
    }
  });
  if (duplicates.length > 0) throw new Error(`invalid price catalog: duplicate provider/model/tier/effective_from:\n${duplicates.join("\n")}`);
  return prices;
}

let cached: CatalogPrice[] | undefined;

/** The bundled default catalog, parsed once (throws if the bundled JSON is invalid). */
export function defaultCatalog(): CatalogPrice[] {
  cached ??= parseCatalog(catalogJson);
  return cached.map((price) => ({ ...price, rates: { ...price.rates } }));
}

/**
 * Inserts the catalog's prices that are not there yet (ON CONFLICT on provider, model,
 * service_tier, effective_from DO NOTHING: idempotent, and never overwrites a price an
 * admin entered for the same key) under the exclusive pricing lock (lock.ts). Returns the
 * number of rows inserted. Events that were already stored unpriced are NOT re-priced
 * here: on a database that may hold events, run repriceForNewPrice for each inserted
 * provider/model afterwards.
 */
export async function loadDefaultCatalog(prisma: PrismaClient, prices: readonly CatalogPrice[] = defaultCatalog()): Promise<number> {
  return prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(EXCLUSIVE_PRICING_LOCK_SQL);
    const created = await tx.price.createMany({
      data: prices.map((price) => ({
        provider: price.provider,
        model: price.model,
        serviceTier: price.serviceTier,
        effectiveFrom: price.effectiveFrom,
        inputPerMtok: price.rates.inputPerMtok,
        outputPerMtok: price.rates.outputPerMtok,
        cacheReadPerMtok: price.rates.cacheReadPerMtok,
        cacheWritePerMtok: price.rates.cacheWritePerMtok,
        cacheWrite1hPerMtok: price.rates.cacheWrite1hPerMtok === price.rates.cacheWritePerMtok ? null : price.rates.cacheWrite1hPerMtok,
        reasoningPerMtok: price.rates.reasoningPerMtok,
        ...(price.longContext
          ? {
              longContextThreshold: price.longContext.threshold,
              longInputPerMtok: price.longContext.rates.inputPerMtok,
              longOutputPerMtok: price.longContext.rates.outputPerMtok,
              longCacheReadPerMtok: price.longContext.rates.cacheReadPerMtok,
              longCacheWritePerMtok: price.longContext.rates.cacheWritePerMtok,
              longCacheWrite1hPerMtok: price.longContext.rates.cacheWrite1hPerMtok,
              longReasoningPerMtok: price.longContext.rates.reasoningPerMtok,
            }
          : {}),
        source: price.source,
        sourceDate: price.sourceDate,
      })),
      skipDuplicates: true,
    });
    if (created.count > 0) {
      await writeAudit(tx, { kind: "system", label: "default catalog" }, {
        action: "price.catalog_load",
        targetType: "price",
        after: { inserted: created.count, entries: prices.length },
      });
    }
    return created.count;
  });
}
