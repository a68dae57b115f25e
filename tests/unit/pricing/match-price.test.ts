import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildPriceIndex, matchPrice, type PriceKey } from "@/lib/pricing/match-price";

interface Entry extends PriceKey {
  id: string;
}

const at = (iso: string) => new Date(iso);
const entry = (id: string, provider: string, model: string, serviceTier: string, from: string): Entry => ({
  id,
  provider,
  model,
  serviceTier,
  effectiveFrom: at(from),
});

const ENTRIES: Entry[] = [
  entry("std-2024", "openai", "gpt-4o", "standard", "2024-01-01T00:00:00Z"),
  entry("std-2026", "openai", "gpt-4o", "standard", "2026-06-01T00:00:00Z"),
  entry("batch-2025", "openai", "gpt-4o", "batch", "2025-01-01T00:00:00Z"),
  entry("mini", "openai", "gpt-4o-mini", "standard", "2024-01-01T00:00:00Z"),
  entry("other-provider", "azure_openai", "gpt-4o", "standard", "2024-01-01T00:00:00Z"),
];

describe("buildPriceIndex", () => {
  const lookup = buildPriceIndex(ENTRIES);
  const id = (provider: string, model: string, tier: string, when: string | number) =>
    lookup(provider, model, tier, typeof when === "number" ? when : at(when))?.id ?? null;

  it("picks the latest entry whose effective_from is at or before the event (inclusive)", () => {
    expect(id("openai", "gpt-4o", "standard", "2025-03-01T00:00:00Z")).toBe("std-2024");
    expect(id("openai", "gpt-4o", "standard", "2026-05-31T23:59:59.999Z")).toBe("std-2024");
    expect(id("openai", "gpt-4o", "standard", "2026-06-01T00:00:00Z")).toBe("std-2026");
    expect(id("openai", "gpt-4o", "standard", "2030-01-01T00:00:00Z")).toBe("std-2026");
    expect(id("openai", "gpt-4o", "standard", Date.parse("2026-06-01T00:00:00Z"))).toBe("std-2026");
  });

  it("returns null before the first entry and for unknown providers or models", () => {
    expect(id("openai", "gpt-4o", "standard", "2023-12-31T23:59:59.999Z")).toBeNull();
    expect(id("openai", "gpt-5", "standard", "2025-01-01T00:00:00Z")).toBeNull();
    expect(id("anthropic", "gpt-4o", "standard", "2025-01-01T00:00:00Z")).toBeNull();
    expect(id("openai", "gpt-4o", "standard", Number.NaN)).toBeNull();
  });

  it("falls back to the standard tier only when the event's own tier has no entry in effect", () => {
    expect(id("openai", "gpt-4o", "batch", "2025-06-01T00:00:00Z")).toBe("batch-2025");
    // before the batch entry: standard's entry in effect then
    expect(id("openai", "gpt-4o", "batch", "2024-06-01T00:00:00Z")).toBe("std-2024");
    // the batch entry stays in effect even after a newer standard entry
    expect(id("openai", "gpt-4o", "batch", "2026-07-01T00:00:00Z")).toBe("batch-2025");
    expect(id("openai", "gpt-4o", "flex", "2026-07-01T00:00:00Z")).toBe("std-2026");
    expect(id("openai", "gpt-4o-mini", "priority", "2025-01-01T00:00:00Z")).toBe("mini");
    expect(id("openai", "gpt-4o", "batch", "2023-01-01T00:00:00Z")).toBeNull();
  });

  it("matches provider and model exactly (case-sensitive, no trimming, no snapshot aliases)", () => {
    expect(id("OpenAI", "gpt-4o", "standard", "2025-01-01T00:00:00Z")).toBeNull();
    expect(id("openai", "GPT-4o", "standard", "2025-01-01T00:00:00Z")).toBeNull();
    expect(id("openai ", "gpt-4o", "standard", "2025-01-01T00:00:00Z")).toBeNull();
    expect(id("openai", "gpt-4o-2024-08-06", "standard", "2025-01-01T00:00:00Z")).toBeNull();
    expect(id("azure_openai", "gpt-4o", "standard", "2025-01-01T00:00:00Z")).toBe("other-provider");
  });

  it("lets the later of two entries with the same key and instant win, and refuses invalid dates", () => {
    const twice = buildPriceIndex([entry("first", "p", "m", "standard", "2025-01-01T00:00:00Z"), entry("second", "p", "m", "standard", "2025-01-01T00:00:00Z")]);
    expect(twice("p", "m", "standard", at("2025-02-01T00:00:00Z"))?.id).toBe("second");
    expect(() => buildPriceIndex([{ ...entry("bad", "p", "m", "standard", "2025-01-01T00:00:00Z"), effectiveFrom: new Date("nope") }])).toThrow(
      RangeError,
    );
    expect(buildPriceIndex([])("p", "m", "standard", 0)).toBeNull();
  });

  it("matchPrice answers a one-off lookup the same way", () => {
    expect(matchPrice(ENTRIES, "openai", "gpt-4o", "flex", at("2025-01-01T00:00:00Z"))?.id).toBe("std-2024");
  });

  it("agrees with a linear scan on random schedules", () => {
    const tiers = ["standard", "batch", "flex"];
    const arbitraryEntries = fc.array(
      fc.record({ model: fc.constantFrom("a", "b"), tier: fc.constantFrom(...tiers), from: fc.integer({ min: 0, max: 1000 }) }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(arbitraryEntries, fc.constantFrom("a", "b", "c"), fc.constantFrom(...tiers), fc.integer({ min: -10, max: 1010 }), (raw, model, tier, t) => {
        const entries = raw.map((r, i) => ({ id: String(i), provider: "p", model: r.model, serviceTier: r.tier, effectiveFrom: new Date(r.from) }));
        const linear = (wanted: string) => {
          let best: (typeof entries)[number] | null = null;
          for (const e of entries) {
            if (e.model !== model || e.serviceTier !== wanted || e.effectiveFrom.getTime() > t) continue;
            if (!best || e.effectiveFrom.getTime() >= best.effectiveFrom.getTime()) best = e; // later in input wins ties
          }
          return best;
        };
        const expected = linear(tier) ?? (tier === "standard" ? null : linear("standard"));
        expect(buildPriceIndex(entries)("p", model, tier, t)?.id ?? null).toBe(expected?.id ?? null);
      }),
      { numRuns: 2000 },
    );
  });
});
