import { describe, expect, it } from "vitest";
import { priceEntryColumns, priceEntryFromRow, trimDecimal } from "@/lib/pricing/price-rows";

describe("price rows", () => {
  it("maps a prices row to a price entry with canonical rates", () => {
    const effectiveFrom = new Date("2026-11-01T00:00:00Z");
    expect(
      priceEntryFromRow({
        id: "p1",
        provider: "anthropic",
        model: "claude-sonnet-4",
        service_tier: "batch",
        effective_from: effectiveFrom,
        input_per_mtok: "3.0000000000",
        output_per_mtok: "15.0000000000",
        cache_read_per_mtok: "0.3000000000",
        cache_write_per_mtok: "3.7500000000",
        cache_write_1h_per_mtok: null,
        reasoning_per_mtok: "0.0000000001",
      }),
    ).toEqual({
      id: "p1",
      provider: "anthropic",
      model: "claude-sonnet-4",
      serviceTier: "batch",
      effectiveFrom,
      rates: { inputPerMtok: "3", outputPerMtok: "15", cacheReadPerMtok: "0.3", cacheWritePerMtok: "3.75", cacheWrite1hPerMtok: "3.75", reasoningPerMtok: "0.0000000001" },
    });
  });

  it("reads a 1-hour cache-write rate when the row has one", () => {
    const row = { id: "p2", provider: "anthropic", model: "claude-sonnet-4-5", service_tier: "standard", effective_from: new Date(0) };
    const rates = { input_per_mtok: "3", output_per_mtok: "15", cache_read_per_mtok: "0.3", cache_write_per_mtok: "3.75", reasoning_per_mtok: "15" };
    expect(priceEntryFromRow({ ...row, ...rates, cache_write_1h_per_mtok: "6.0000000000" }).rates.cacheWrite1hPerMtok).toBe("6");
  });

  it("reads a long-context tier, each missing long rate being the base one", () => {
    const row = { id: "p3", provider: "anthropic", model: "claude-sonnet-4", service_tier: "standard", effective_from: new Date(0), cache_write_1h_per_mtok: "6" };
    const base = { input_per_mtok: "3", output_per_mtok: "15", cache_read_per_mtok: "0.3", cache_write_per_mtok: "3.75", reasoning_per_mtok: "15" };
    expect(priceEntryFromRow({ ...row, ...base, long_context_threshold: 200_000, long_input_per_mtok: "6.0000000000", long_output_per_mtok: "22.5000000000" }).longContext).toEqual({
      threshold: 200_000,
      rates: { inputPerMtok: "6", outputPerMtok: "22.5", cacheReadPerMtok: "0.3", cacheWritePerMtok: "3.75", cacheWrite1hPerMtok: "6", reasoningPerMtok: "15" },
    });
    expect(priceEntryFromRow({ ...row, ...base, long_context_threshold: null }).longContext).toBeUndefined();
  });

  it("trims only fractional zeros", () => {
    expect(["2.5000000000", "3.0000000000", "0.0000000000", "100", "10.01"].map(trimDecimal)).toEqual(["2.5", "3", "0", "100", "10.01"]);
  });

  it("selects every column the mapping reads, qualified when asked", () => {
    expect(priceEntryColumns()).toBe(
      "id::text AS id, provider AS provider, model AS model, service_tier::text AS service_tier, effective_from AS effective_from, " +
        "input_per_mtok::text AS input_per_mtok, output_per_mtok::text AS output_per_mtok, cache_read_per_mtok::text AS cache_read_per_mtok, " +
        "cache_write_per_mtok::text AS cache_write_per_mtok, cache_write_1h_per_mtok::text AS cache_write_1h_per_mtok, reasoning_per_mtok::text AS reasoning_per_mtok, " +
        "long_context_threshold AS long_context_threshold, long_input_per_mtok::text AS long_input_per_mtok, long_output_per_mtok::text AS long_output_per_mtok, " +
        "long_cache_read_per_mtok::text AS long_cache_read_per_mtok, long_cache_write_per_mtok::text AS long_cache_write_per_mtok, " +
        "long_cache_write_1h_per_mtok::text AS long_cache_write_1h_per_mtok, long_reasoning_per_mtok::text AS long_reasoning_per_mtok",
    );
    expect(priceEntryColumns("p")).toMatch(/^p\.id::text AS id, p\.provider AS provider, .* p\.long_reasoning_per_mtok::text AS long_reasoning_per_mtok$/);
  });
});
