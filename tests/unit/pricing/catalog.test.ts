import { describe, expect, it } from "vitest";
import { Money } from "@/lib/money";
import { defaultCatalog, parseCatalog, type CatalogPrice } from "@/lib/pricing/catalog";
import { buildPriceIndex } from "@/lib/pricing/match-price";
import { scaleRates } from "@/lib/pricing/price-cost";
import catalogJson from "@/lib/pricing/default-catalog.json" with { type: "json" };

const catalog = defaultCatalog();
const find = (provider: string, model: string, tier = "standard", at = "2026-11-01T00:00:00Z"): CatalogPrice => {
  const price = buildPriceIndex(catalog.filter((p) => p.serviceTier === tier))(provider, model, tier, new Date(at));
  if (!price) throw new Error(`no ${tier} price for ${provider}/${model}`);
  return price;
};

describe("default catalog", () => {
  it("parses, with every alias expanded into its own row and no duplicate keys", () => {
    const document = catalogJson as { entries: { aliases?: string[] }[] };
    const rows = document.entries.reduce((sum, entry) => sum + 1 + (entry.aliases?.length ?? 0), 0);
    expect(catalog).toHaveLength(rows);
    expect(rows).toBeGreaterThan(90);
    for (const price of catalog) {
      expect(price.source).toMatch(/^https:\/\//);
      expect(price.effectiveFrom.getTime()).toBeGreaterThanOrEqual(Date.parse("2024-01-01T00:00:00Z"));
      // realistic list prices stay on the plain-number hot path (at most 6 decimals)
      expect(scaleRates(price.rates).fast).not.toBeNull();
    }
  });

  it("covers the models the product promises", () => {
    const of = (provider: string, models: string[]) => models.map((model): [string, string] => [provider, model]);
    const wanted: [string, string][] = [
      ...of("openai", ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o3", "o3-mini", "o4-mini", "gpt-5", "gpt-5-mini"]),
      ...of("openai", ["text-embedding-3-small", "text-embedding-3-large"]),
      ...of("anthropic", ["claude-opus-4", "claude-sonnet-4", "claude-3-5-haiku", "claude-3-7-sonnet", "claude-3-5-sonnet"]),
      ...of("google", ["gemini-2.5-pro", "gemini-2.5-flash", "gemini-2.0-flash", "gemini-1.5-pro"]),
      ...of("mistral", ["mistral-large-latest", "mistral-small-latest", "codestral-latest"]),
      ["together", "meta-llama/Llama-3.3-70B-Instruct-Turbo"],
      ["together", "deepseek-ai/DeepSeek-V3"],
      ["together", "deepseek-ai/DeepSeek-R1"],
      ["together", "Qwen/Qwen2.5-72B-Instruct-Turbo"],
      ["groq", "llama-3.3-70b-versatile"],
      ["fireworks", "accounts/fireworks/models/deepseek-r1"],
    ];
    for (const [provider, model] of wanted) expect(find(provider, model).provider).toBe(provider);
  });

  it("has the reviewed figures (spot checks)", () => {
    expect(find("openai", "gpt-4o").rates).toEqual({
      inputPerMtok: "2.5",
      outputPerMtok: "10",
      cacheReadPerMtok: "1.25",
      cacheWritePerMtok: "2.5",
      cacheWrite1hPerMtok: "2.5",
      reasoningPerMtok: "10",
    });
    expect(find("openai", "gpt-4o-2024-08-06").rates).toEqual(find("openai", "gpt-4o").rates);
    expect(find("anthropic", "claude-sonnet-4-20250514").rates).toEqual({
      inputPerMtok: "3",
      outputPerMtok: "15",
      cacheReadPerMtok: "0.3",
      cacheWritePerMtok: "3.75",
      cacheWrite1hPerMtok: "6",
      reasoningPerMtok: "15",
    });
    expect(find("openai", "text-embedding-3-small").rates.outputPerMtok).toBe("0");
    // o3's price cut: the launch price until 2025-06-10, then 2/8
    expect(find("openai", "o3", "standard", "2025-06-09T23:59:59Z").rates.inputPerMtok).toBe("10");
    expect(find("openai", "o3", "standard", "2025-06-10T00:00:00Z").rates.inputPerMtok).toBe("2");
  });

  it("prices Anthropic cache reads at 0.1x, cache writes at 1.25x and 1-hour cache writes at 2x the input rate", () => {
    const anthropic = catalog.filter((p) => p.provider === "anthropic");
    expect(anthropic.length).toBeGreaterThan(10);
    for (const price of anthropic) {
      const input = new Money(price.rates.inputPerMtok);
      expect(new Money(price.rates.cacheReadPerMtok).eq(input.mul("0.1")), price.model).toBe(true);
      expect(new Money(price.rates.cacheWritePerMtok).eq(input.mul("1.25")), price.model).toBe(true);
      expect(new Money(price.rates.cacheWrite1hPerMtok).eq(input.mul("2")), price.model).toBe(true);
    }
  });

  it("has a batch entry at exactly 50% of every standard rate for OpenAI, Anthropic and Google", () => {
    const standard = catalog.filter((p) => ["openai", "anthropic", "google"].includes(p.provider) && p.serviceTier === "standard");
    let checked = 0;
    for (const price of standard) {
      const batch = catalog.find(
        (p) => p.serviceTier === "batch" && p.provider === price.provider && p.model === price.model && p.effectiveFrom.getTime() === price.effectiveFrom.getTime(),
      );
      if (price.model.startsWith("gemini-1.5")) {
        expect(batch).toBeUndefined(); // retired before Batch Mode existed
        continue;
      }
      expect(batch, `${price.provider}/${price.model}`).toBeDefined();
      for (const key of Object.keys(price.rates) as (keyof typeof price.rates)[]) {
        expect(new Money(batch?.rates[key] ?? "-1").eq(new Money(price.rates[key]).div(2)), `${price.model} ${key}`).toBe(true);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });

  it("returns copies (callers cannot corrupt the cached catalog)", () => {
    const first = defaultCatalog();
    const price = first[0];
    if (!price) throw new Error("empty catalog");
    price.rates.inputPerMtok = "999";
    expect(defaultCatalog()[0]?.rates.inputPerMtok).not.toBe("999");
  });
});

describe("parseCatalog", () => {
  const entry = {
    provider: "acme",
    model: "m1",
    effective_from: "2024-01-01T00:00:00Z",
    input_per_mtok: "1",
    output_per_mtok: "2",
    source: "https://example.com/pricing",
    source_date: "2026-11-01",
  };

  it("expands aliases and keeps source metadata", () => {
    const prices = parseCatalog({ description: "t", currency: "USD", entries: [{ ...entry, aliases: ["m1-2025"], note: "n" }] });
    expect(prices.map((p) => p.model)).toEqual(["m1", "m1-2025"]);
    expect(prices[1]).toMatchObject({ serviceTier: "standard", source: "https://example.com/pricing", note: "n", sourceDate: new Date("2026-11-01T00:00:00Z") });
    expect(prices[1]?.rates).toEqual({ inputPerMtok: "1", outputPerMtok: "2", cacheReadPerMtok: "1", cacheWritePerMtok: "1", cacheWrite1hPerMtok: "1", reasoningPerMtok: "2" });
  });

  it("refuses duplicates (also through aliases) and invalid entries, naming them", () => {
    const doc = (...entries: object[]) => ({ description: "t", currency: "USD", entries });
    expect(() => parseCatalog(doc(entry, { ...entry, model: "m2", aliases: ["m1"] }))).toThrow(/entries\.1 \(m1\) repeats entries\.0/);
    expect(() => parseCatalog(doc({ ...entry, input_per_mtok: "-1" }))).toThrow(/entries\.0\.input_per_mtok/);
    expect(() => parseCatalog(doc({ ...entry, source: "not a url" }))).toThrow(/entries\.0\.source/);
    expect(() => parseCatalog({ ...doc(entry), currency: "EUR" })).toThrow(/currency/);
  });
});
