import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseLiteLLMPrices, perTokenToPerMtok } from "@/lib/pricing/litellm";
import { normalizeProvider } from "@/lib/pricing/provider-name";
import { resolvePriceRates } from "@/lib/schemas/price";

// Parsed with JSON.parse like a downloaded file: the costs are binary doubles such as 2.5e-06.
const sample: unknown = JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures/litellm-sample.json"), "utf8"));
const EFFECTIVE = "2026-11-01T00:00:00Z";
const imported = parseLiteLLMPrices(sample, { effectiveFrom: EFFECTIVE });

function row(provider: string, model: string, tier = "standard") {
  const found = imported.prices.find((p) => p.price.provider === provider && p.price.model === model && p.price.service_tier === tier);
  if (!found) throw new Error(`not imported: ${provider}/${model}/${tier}`);
  return found;
}

describe("perTokenToPerMtok", () => {
  it("multiplies by 10^6 exactly, through the number's shortest string", () => {
    expect(perTokenToPerMtok(2.5e-6)).toBe("2.5");
    expect(perTokenToPerMtok(4e-7)).toBe("0.4"); // in binary floats 4e-7 * 1e6 is 0.39999999999999997
    expect(4e-7 * 1e6).not.toBe(0.4);
    expect(perTokenToPerMtok(9e-7)).toBe("0.9");
    expect(perTokenToPerMtok(1.5e-7)).toBe("0.15");
    expect(perTokenToPerMtok(1.375e-7)).toBe("0.1375");
    expect(perTokenToPerMtok(3e-7)).toBe("0.3");
    expect(perTokenToPerMtok(0)).toBe("0");
    expect(perTokenToPerMtok("0.0000005")).toBe("0.5");
    expect(perTokenToPerMtok("5E-7")).toBe("0.5");
    expect(() => perTokenToPerMtok("free")).toThrow(RangeError);
    expect(() => perTokenToPerMtok(Number.NaN)).toThrow(RangeError);
  });
});

describe("LiteLLM provider names through normalizeProvider", () => {
  it("maps LiteLLM's provider names to ours and keeps unknown ones", () => {
    expect(normalizeProvider("vertex_ai-language-models")).toBe("google");
    expect(normalizeProvider("gemini")).toBe("google");
    expect(normalizeProvider("azure")).toBe("azure_openai");
    expect(normalizeProvider("bedrock_converse")).toBe("bedrock");
    expect(normalizeProvider("together_ai")).toBe("together");
    expect(normalizeProvider("groq")).toBe("groq");
    expect(normalizeProvider("deepseek")).toBe("deepseek");
  });
});

describe("parseLiteLLMPrices (hand-written fixture)", () => {
  it("imports OpenAI standard and batch rates per million tokens", () => {
    // input 2.5e-06/token = 2.5/Mtok, output 1e-05 = 10, cache read 1.25e-06 = 1.25; batches 1.25 / 5
    const gpt4o = row("openai", "gpt-4o");
    expect(gpt4o.key).toBe("gpt-4o");
    expect(gpt4o.price).toMatchObject({ input_per_mtok: "2.5", output_per_mtok: "10", cache_read_per_mtok: "1.25", effective_from: new Date(EFFECTIVE) });
    expect(gpt4o.price.cache_write_per_mtok).toBeUndefined();
    expect(resolvePriceRates(gpt4o.price)).toEqual({
      inputPerMtok: "2.5",
      outputPerMtok: "10",
      cacheReadPerMtok: "1.25",
      cacheWritePerMtok: "2.5",
      cacheWrite1hPerMtok: "2.5",
      reasoningPerMtok: "10",
    });
    expect(row("openai", "gpt-4o", "batch").price).toMatchObject({ input_per_mtok: "1.25", output_per_mtok: "5" });
    // 1.5e-07 = 0.15, 6e-07 = 0.6, 7.5e-08 = 0.075
    expect(row("openai", "gpt-4o-mini").price).toMatchObject({ input_per_mtok: "0.15", output_per_mtok: "0.6", cache_read_per_mtok: "0.075" });
  });

  it("imports flex rates, reasoning rates and Anthropic cache writes", () => {
    expect(row("openai", "o4-mini").price).toMatchObject({ input_per_mtok: "1.1", output_per_mtok: "4.4", cache_read_per_mtok: "0.275", reasoning_per_mtok: "4.4" });
    // flex: 5.5e-07 = 0.55, 2.2e-06 = 2.2, cache 1.375e-07 = 0.1375
    expect(row("openai", "o4-mini", "flex").price).toMatchObject({ input_per_mtok: "0.55", output_per_mtok: "2.2", cache_read_per_mtok: "0.1375" });
    expect(row("anthropic", "claude-sonnet-4-20250514").price).toMatchObject({
      input_per_mtok: "3",
      output_per_mtok: "15",
      cache_read_per_mtok: "0.3",
      cache_write_per_mtok: "3.75",
    });
  });

  it("maps providers and strips the provider prefix from model names", () => {
    expect(row("google", "gemini-2.0-flash")).toMatchObject({ key: "gemini/gemini-2.0-flash", litellmProvider: "gemini" });
    expect(row("google", "gemini-2.0-flash").price).toMatchObject({ input_per_mtok: "0.1", output_per_mtok: "0.4", cache_read_per_mtok: "0.025" });
    expect(row("mistral", "mistral-large-latest").price).toMatchObject({ input_per_mtok: "0.5", output_per_mtok: "1.5" });
    expect(row("azure_openai", "gpt-4o").price).toMatchObject({ input_per_mtok: "2.5", output_per_mtok: "10" });
    expect(row("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo").price).toMatchObject({ input_per_mtok: "0.88", output_per_mtok: "0.88" });
    expect(row("groq", "llama-3.3-70b-versatile").price).toMatchObject({ input_per_mtok: "0.59", output_per_mtok: "0.79" });
  });

  it("gives embeddings and rerankers without an output cost an output rate of 0", () => {
    expect(row("openai", "text-embedding-3-small").price).toMatchObject({ input_per_mtok: "0.02", output_per_mtok: "0" });
    expect(row("openai", "text-embedding-3-small", "batch").price).toMatchObject({ input_per_mtok: "0.01", output_per_mtok: "0" });
    // 1e-09/token = 0.001/Mtok
    expect(row("bedrock", "cohere.rerank-v3-5:0").price).toMatchObject({ input_per_mtok: "0.001", output_per_mtok: "0" });
  });

  it("skips the sample spec, cost-less and malformed entries, too-precise rates and duplicates, with reasons", () => {
    expect(imported.prices).toHaveLength(15);
    expect(imported.skipped).toEqual([
      { key: "gemini-2.0-flash", reason: "standard: duplicate of gemini/gemini-2.0-flash (google/gemini-2.0-flash)" },
      { key: "dall-e-3", reason: "no input/output token cost" },
      // 1.23456789e-17/token = 0.0000000000123456789/Mtok: 19 decimals, numeric(20, 10) cannot hold it
      { key: "tiny-cost-model", reason: "standard: input_per_mtok must have at most 10 fractional digits" },
      { key: "broken-entry", reason: "not an object" },
      { key: "no-provider", reason: "no litellm_provider" },
    ]);
    expect(imported.prices.some((p) => p.key === "sample_spec")).toBe(false);
  });

  it("accepts a Date for effective_from and refuses a document that is not an object", () => {
    const result = parseLiteLLMPrices({ "gpt-4o": { input_cost_per_token: 2.5e-6, output_cost_per_token: 1e-5, litellm_provider: "openai" } }, {
      effectiveFrom: new Date("2025-01-01T00:00:00Z"),
    });
    expect(result.prices[0]?.price.effective_from).toEqual(new Date("2025-01-01T00:00:00Z"));
    expect(() => parseLiteLLMPrices([], { effectiveFrom: EFFECTIVE })).toThrow(TypeError);
  });
});

describe("parseLiteLLMPrices: the real claude-sonnet-4-5 entry (tests/fixtures/reconciliation)", () => {
  const entry: unknown = JSON.parse(readFileSync(path.resolve("tests/fixtures/reconciliation/litellm-1h-and-200k-entry.json"), "utf8"));

  it("imports the 1-hour cache-write rate (cache_creation_input_token_cost_above_1hr) beside the 5-minute one", () => {
    const { prices } = parseLiteLLMPrices(entry, { effectiveFrom: "2026-11-01T00:00:00Z" });
    const sonnet = prices.find((p) => p.key === "claude-sonnet-4-5");
    // 3.75e-06 and 6e-06 USD per token = 3.75 and 6 USD per million
    expect(sonnet?.price).toMatchObject({ provider: "anthropic", input_per_mtok: "3", cache_write_per_mtok: "3.75", cache_write_1h_per_mtok: "6" });
    expect(resolvePriceRates(sonnet?.price ?? fail()).cacheWrite1hPerMtok).toBe("6");
  });

  it("imports the rates above 200,000 input tokens as the long-context tier", () => {
    const { prices } = parseLiteLLMPrices(entry, { effectiveFrom: "2026-11-01T00:00:00Z" });
    const sonnet = prices.find((p) => p.key === "claude-sonnet-4-5");
    // 6e-06, 2.25e-05, 6e-07, 7.5e-06 and 1.2e-05 USD per token
    expect(sonnet?.price.long_context).toEqual({
      threshold_input_tokens: 200_000,
      input_per_mtok: "6",
      output_per_mtok: "22.5",
      cache_read_per_mtok: "0.6",
      cache_write_per_mtok: "7.5",
      cache_write_1h_per_mtok: "12",
    });
  });
});

function fail(): never {
  throw new Error("missing");
}
