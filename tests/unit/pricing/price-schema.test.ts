import { describe, expect, it } from "vitest";
import { parseRate, priceInputSchema, resolvePriceInput, resolvePriceRates } from "@/lib/schemas/price";

const base = { provider: "openai", model: "gpt-4o", effective_from: "2026-11-01T00:00:00Z", input_per_mtok: "2.5", output_per_mtok: "10" };

function issues(body: unknown) {
  const result = priceInputSchema.safeParse(body);
  if (result.success) throw new Error("expected a validation error");
  return result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
}

describe("priceInputSchema", () => {
  it("parses the contract's body, defaulting service_tier to standard", () => {
    const parsed = priceInputSchema.parse(base);
    expect(parsed).toEqual({
      provider: "openai",
      model: "gpt-4o",
      service_tier: "standard",
      effective_from: new Date("2026-11-01T00:00:00Z"),
      input_per_mtok: "2.5",
      output_per_mtok: "10",
      cache_read_per_mtok: undefined,
      cache_write_per_mtok: undefined,
      reasoning_per_mtok: undefined,
    });
  });

  it("resolves missing (or null) cache rates to the input rate and reasoning to the output rate", () => {
    expect(resolvePriceRates(priceInputSchema.parse({ ...base, cache_read_per_mtok: "1.25", cache_write_per_mtok: null }))).toEqual({
      inputPerMtok: "2.5",
      outputPerMtok: "10",
      cacheReadPerMtok: "1.25",
      cacheWritePerMtok: "2.5",
      cacheWrite1hPerMtok: "2.5",
      reasoningPerMtok: "10",
    });
    // A 1-hour cache-write rate of its own; without one the 5-minute rate applies.
    expect(resolvePriceRates(priceInputSchema.parse({ ...base, cache_write_per_mtok: "3.125", cache_write_1h_per_mtok: "5" })).cacheWrite1hPerMtok).toBe("5");
    expect(resolvePriceRates(priceInputSchema.parse({ ...base, cache_write_per_mtok: "3.125" })).cacheWrite1hPerMtok).toBe("3.125");
    const resolved = resolvePriceInput(priceInputSchema.parse({ ...base, service_tier: "batch", reasoning_per_mtok: 40 }));
    expect(resolved).toEqual({
      provider: "openai",
      model: "gpt-4o",
      serviceTier: "batch",
      effectiveFrom: new Date("2026-11-01T00:00:00Z"),
      rates: { inputPerMtok: "2.5", outputPerMtok: "10", cacheReadPerMtok: "2.5", cacheWritePerMtok: "2.5", cacheWrite1hPerMtok: "2.5", reasoningPerMtok: "40" },
    });
  });

  it("converts numbers through their shortest string, never float arithmetic", () => {
    const parsed = priceInputSchema.parse({ ...base, input_per_mtok: 0.15, output_per_mtok: 1e-7, cache_read_per_mtok: 0.075, reasoning_per_mtok: 3 });
    expect([parsed.input_per_mtok, parsed.output_per_mtok, parsed.cache_read_per_mtok, parsed.reasoning_per_mtok]).toEqual([
      "0.15",
      "0.0000001",
      "0.075",
      "3",
    ]);
    // 0.1 + 0.2 is 0.30000000000000004: 17 decimals, refused rather than rounded
    expect(issues({ ...base, input_per_mtok: 0.1 + 0.2 })).toEqual([{ path: "input_per_mtok", message: "must have at most 10 fractional digits" }]);
  });

  it("normalises decimal strings and allows 10 decimals (trailing zeros do not count)", () => {
    expect(priceInputSchema.parse({ ...base, input_per_mtok: "02.50", output_per_mtok: "0.0000000001" }).input_per_mtok).toBe("2.5");
    expect(priceInputSchema.parse({ ...base, input_per_mtok: "1.500000000000000" }).input_per_mtok).toBe("1.5");
    expect(priceInputSchema.parse({ ...base, output_per_mtok: "0.0000000001" }).output_per_mtok).toBe("0.0000000001");
    expect(priceInputSchema.parse({ ...base, output_per_mtok: "1000000" }).output_per_mtok).toBe("1000000");
  });

  it("refuses negative, malformed, too precise and too large rates, naming the field", () => {
    expect(issues({ ...base, input_per_mtok: -1 })).toEqual([{ path: "input_per_mtok", message: "must be >= 0" }]);
    expect(issues({ ...base, input_per_mtok: "-1" })[0]?.path).toBe("input_per_mtok");
    for (const bad of ["1e-7", "1,5", " 1", "", ".5", "abc", true, {}, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(issues({ ...base, output_per_mtok: bad })[0]?.path).toBe("output_per_mtok");
    }
    expect(issues({ ...base, cache_read_per_mtok: "0.00000000001" })).toEqual([
      { path: "cache_read_per_mtok", message: "must have at most 10 fractional digits" },
    ]);
    expect(issues({ ...base, reasoning_per_mtok: "1000000.0000000001" })[0]?.message).toContain("at most 1000000");
  });

  it("requires provider, model, effective_from and both base rates", () => {
    expect(issues({}).map((i) => i.path).sort()).toEqual(["effective_from", "input_per_mtok", "model", "output_per_mtok", "provider"]);
    expect(issues({ ...base, provider: "" })[0]?.path).toBe("provider");
    expect(issues({ ...base, model: " gpt-4o" })[0]?.path).toBe("model");
  });

  it("takes RFC 3339 with Z or an offset, and a bare date as midnight UTC", () => {
    expect(priceInputSchema.parse({ ...base, effective_from: "2026-11-01T01:30:00+01:30" }).effective_from).toEqual(new Date("2026-11-01T00:00:00Z"));
    expect(priceInputSchema.parse({ ...base, effective_from: "2026-11-01T00:00:00.123Z" }).effective_from.getTime()).toBe(
      Date.parse("2026-11-01T00:00:00.123Z"),
    );
    expect(priceInputSchema.parse({ ...base, effective_from: "2026-11-01" }).effective_from).toEqual(new Date("2026-11-01T00:00:00Z"));
    for (const bad of ["2026-02-30T00:00:00Z", "2026-11-01T00:00:00", "yesterday", 1_700_000_000_000]) {
      expect(issues({ ...base, effective_from: bad })[0]?.path).toBe("effective_from");
    }
  });

  it("refuses unknown tiers and unknown fields (a misspelt rate must not silently default)", () => {
    expect(issues({ ...base, service_tier: "premium" })[0]?.path).toBe("service_tier");
    expect(issues({ ...base, cache_read_per_mtoks: "0.1" })).toEqual([{ path: "", message: expect.stringContaining("cache_read_per_mtoks") }]);
  });

  it("parseRate reports each failure", () => {
    expect(parseRate(2.5)).toEqual({ ok: true, rate: "2.5" });
    expect(parseRate("0")).toEqual({ ok: true, rate: "0" });
    expect(parseRate(-0)).toEqual({ ok: true, rate: "0" });
    expect(parseRate(null).ok).toBe(false);
  });
});
