import { describe, expect, it } from "vitest";
import { getPool, prisma } from "@/lib/db";
import { defaultCatalog, loadDefaultCatalog } from "@/lib/pricing/catalog";
import { loadPriceIndex, loadPriceVersion } from "@/lib/pricing/price-store";
import { priceCost } from "@/lib/pricing/price-cost";

// The default catalog loaded into a real (fresh, empty) database.

describe("loadDefaultCatalog", () => {
  it("inserts every catalog row once, keeps an admin's price for the same key, and is idempotent", async () => {
    const catalog = defaultCatalog();
    // An admin already set gpt-4o's standard price for the catalog's effective_from: it must survive.
    await prisma.price.create({
      data: {
        provider: "openai",
        model: "gpt-4o",
        serviceTier: "standard",
        effectiveFrom: new Date("2024-01-01T00:00:00Z"),
        inputPerMtok: "2",
        outputPerMtok: "9",
        cacheReadPerMtok: "1",
        cacheWritePerMtok: "2",
        reasoningPerMtok: "9",
      },
    });
    const versionBefore = await loadPriceVersion(getPool());

    expect(await loadDefaultCatalog(prisma)).toBe(catalog.length - 1);
    expect(await loadDefaultCatalog(prisma)).toBe(0);
    // Audited once, for the load that inserted something.
    const loads = await prisma.auditLog.findMany({ where: { action: "price.catalog_load" } });
    expect(loads.map((entry) => [entry.actorLabel, entry.after])).toEqual([["default catalog", { inserted: catalog.length - 1, entries: catalog.length }]]);
    expect(await prisma.price.count()).toBe(catalog.length);
    expect(await loadPriceVersion(getPool())).not.toBe(versionBefore);

    const kept = await prisma.price.findFirstOrThrow({ where: { provider: "openai", model: "gpt-4o", serviceTier: "standard" } });
    expect(kept.inputPerMtok.toString()).toBe("2");

    const snapshot = await prisma.price.findFirstOrThrow({ where: { provider: "openai", model: "gpt-4o-2024-08-06", serviceTier: "batch" } });
    expect(snapshot.inputPerMtok.toString()).toBe("1.25");
    expect(snapshot.cacheWritePerMtok.toString()).toBe("1.25"); // defaulted to the input rate
    expect(snapshot.source).toBe("https://developers.openai.com/api/docs/pricing");
    expect(snapshot.sourceDate?.toISOString()).toBe("2026-11-25T00:00:00.000Z");
  });

  it("prices events from the stored catalog exactly as documented", async () => {
    const lookup = await loadPriceIndex(getPool());
    const sonnet = lookup("anthropic", "claude-sonnet-4-20250514", "batch", new Date("2026-11-20T12:00:00Z"));
    expect(sonnet?.rates).toEqual({ inputPerMtok: "1.5", outputPerMtok: "7.5", cacheReadPerMtok: "0.15", cacheWritePerMtok: "1.875", cacheWrite1hPerMtok: "3", reasoningPerMtok: "7.5" });
    // (1000*1.5 + 8000*0.15 + 1000*1.875 + 500*7.5) / 1e6 = (1500 + 1200 + 1875 + 3750) / 1e6 = 0.008325
    const usage = { inputTokens: 10_000, outputTokens: 500, cacheReadInputTokens: 8_000, cacheCreationInputTokens: 1_000, reasoningOutputTokens: 0 };
    expect(sonnet && priceCost(usage, sonnet.scaled)).toBe("0.008325000000");
    // 400 of the writes for one hour: 600*1.875 + 400*3 instead of 1000*1.875, i.e. + 400*1.125 / 1e6 = 0.008775
    expect(sonnet && priceCost({ ...usage, cacheCreation1hInputTokens: 400 }, sonnet.scaled)).toBe("0.008775000000");
    // a tier without its own entry falls back to standard
    expect(lookup("mistral", "codestral-latest", "batch", new Date("2026-11-20T12:00:00Z"))?.rates.inputPerMtok).toBe("0.3");
  });
});
