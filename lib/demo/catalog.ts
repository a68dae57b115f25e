import type { PriceRates } from "@/lib/pricing/compute-cost";

/**
 * The models the demo company calls and the list prices the seed puts into `prices`.
 * One model is deliberately left without a price so the "unpriced" warnings have
 * something to show.
 */

export type ServiceTier = "standard" | "batch";
export type Operation = "chat" | "embedding";

/**
 * How the provider reports prompt caching, which decides the token split we generate:
 * - "write-and-read": Anthropic; misses are billed as cache creation, hits as cache reads.
 * - "read-only": OpenAI; automatic for prompts of 1024+ tokens, hits in 128-token blocks,
 *   writes cost nothing extra.
 * - "none": no caching in this demo.
 */
export type CacheStyle = "write-and-read" | "read-only" | "none";

export interface DemoModel {
  provider: string;
  model: string;
  cacheStyle: CacheStyle;
  /** Latency model: fixed overhead plus generation speed plus prompt processing. */
  latency: { baseMs: number; msPerOutputToken: number; msPer1kInputTokens: number };
  /** Reasoning models spend hidden output tokens. */
  reasons?: boolean;
}

export const MODELS = {
  gpt4o: {
    provider: "openai",
    model: "gpt-4o",
    cacheStyle: "read-only",
    latency: { baseMs: 380, msPerOutputToken: 11, msPer1kInputTokens: 22 },
  },
  gpt4oMini: {
    provider: "openai",
    model: "gpt-4o-mini",
    cacheStyle: "read-only",
    latency: { baseMs: 260, msPerOutputToken: 7, msPer1kInputTokens: 12 },
  },
  o3Mini: {
    provider: "openai",
    model: "o3-mini",
    cacheStyle: "read-only",
    latency: { baseMs: 900, msPerOutputToken: 5, msPer1kInputTokens: 20 },
    reasons: true,
  },
  embedding: {
    provider: "openai",
    model: "text-embedding-3-small",
    cacheStyle: "none",
    latency: { baseMs: 60, msPerOutputToken: 0, msPer1kInputTokens: 8 },
  },
  sonnet4: {
    provider: "anthropic",
    model: "claude-sonnet-4",
    cacheStyle: "write-and-read",
    latency: { baseMs: 650, msPerOutputToken: 15, msPer1kInputTokens: 25 },
  },
  haiku35: {
    provider: "anthropic",
    model: "claude-3-5-haiku",
    cacheStyle: "write-and-read",
    latency: { baseMs: 330, msPerOutputToken: 8, msPer1kInputTokens: 12 },
  },
  geminiFlash: {
    provider: "google",
    model: "gemini-2.0-flash",
    cacheStyle: "none",
    latency: { baseMs: 240, msPerOutputToken: 4, msPer1kInputTokens: 8 },
  },
  // An in-house fine-tune served on the company's own GPUs: no list price exists anywhere,
  // so its calls stay unpriced until an admin enters an internal rate.
  inHouseFinetune: {
    provider: "self-hosted",
    model: "acme-copy-llama-ft-v3",
    cacheStyle: "none",
    latency: { baseMs: 420, msPerOutputToken: 13, msPer1kInputTokens: 18 },
  },
} as const satisfies Record<string, DemoModel>;

export type ModelKey = keyof typeof MODELS;

export interface CatalogPrice {
  provider: string;
  model: string;
  serviceTier: ServiceTier;
  rates: PriceRates;
  source: string;
}

export const PRICE_SOURCE_DATE = "2026-11-01";
/** Far enough back to cover any demo window. */
export const PRICE_EFFECTIVE_FROM = new Date("2024-01-01T00:00:00Z");

const OPENAI = "https://openai.com/api/pricing/";
const ANTHROPIC = "https://www.anthropic.com/pricing#api";
const GOOGLE = "https://ai.google.dev/gemini-api/docs/pricing";

function rates(input: string, output: string, cacheRead: string, cacheWrite = input, reasoning = output, cacheWrite1h = cacheWrite): PriceRates {
  return { inputPerMtok: input, outputPerMtok: output, cacheReadPerMtok: cacheRead, cacheWritePerMtok: cacheWrite, cacheWrite1hPerMtok: cacheWrite1h, reasoningPerMtok: reasoning };
}

/** List prices in USD per million tokens. The batch tier is half price (OpenAI Batch API). */
export const CATALOG_PRICES: readonly CatalogPrice[] = [
  { provider: "openai", model: "gpt-4o", serviceTier: "standard", rates: rates("2.5", "10", "1.25"), source: OPENAI },
  { provider: "openai", model: "gpt-4o", serviceTier: "batch", rates: rates("1.25", "5", "0.625"), source: OPENAI },
  { provider: "openai", model: "gpt-4o-mini", serviceTier: "standard", rates: rates("0.15", "0.6", "0.075"), source: OPENAI },
  { provider: "openai", model: "gpt-4o-mini", serviceTier: "batch", rates: rates("0.075", "0.3", "0.0375"), source: OPENAI },
  { provider: "openai", model: "o3-mini", serviceTier: "standard", rates: rates("1.1", "4.4", "0.55"), source: OPENAI },
  { provider: "openai", model: "text-embedding-3-small", serviceTier: "standard", rates: rates("0.02", "0", "0.02"), source: OPENAI },
  { provider: "anthropic", model: "claude-sonnet-4", serviceTier: "standard", rates: rates("3", "15", "0.3", "3.75", "15", "6"), source: ANTHROPIC },
  { provider: "anthropic", model: "claude-3-5-haiku", serviceTier: "standard", rates: rates("0.8", "4", "0.08", "1", "4", "1.6"), source: ANTHROPIC },
  { provider: "google", model: "gemini-2.0-flash", serviceTier: "standard", rates: rates("0.1", "0.4", "0.025"), source: GOOGLE },
];
