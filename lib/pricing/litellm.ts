import { Money } from "@/lib/money";
import { priceInputSchema, type PriceInput, type PriceInputBody } from "@/lib/schemas/price";
import { normalizeProvider } from "@/lib/pricing/provider-name";

/**
 * Import of LiteLLM's community price list (`model_prices_and_context_window.json`: keys
 * are model names, values carry per-TOKEN USD costs) into price inputs (per MILLION
 * tokens, as POST /api/v1/prices takes them).
 *
 * - Fields read: input_cost_per_token, output_cost_per_token, cache_read_input_token_cost,
 *   cache_creation_input_token_cost, output_cost_per_reasoning_token, litellm_provider,
 *   mode; plus the tier variants input/output_cost_per_token_batches (-> "batch"),
 *   ..._flex (-> "flex") and ..._priority (-> "priority") with their cache_read variants
 *   (LiteLLM has no tier variants of the cache-write and reasoning costs, so for those
 *   tiers they default to the tier's input and output rates, as the contract says).
 *   Everything else (context windows, per-image/per-second costs, tiered
 *   "above_200k_tokens" rates) is ignored.
 * - Per-token -> per-million is exact: a JSON number such as 2.5e-06 is taken through its
 *   shortest string form ("0.0000025") into decimal arithmetic and multiplied by 10^6
 *   ("2.5"), never through binary floats.
 * - Skipped (with a reason): "sample_spec", non-objects, entries without an input or output
 *   token cost (an embedding/rerank/moderation entry without output cost gets output 0),
 *   rates the price schema refuses (e.g. more than 10 decimals per Mtok), and a later key
 *   mapping to the same provider/model/tier as an earlier one (first key wins).
 * - Provider names are normalized like every other provider name (lib/pricing/provider-name.ts); a leading "<provider>/"
 *   segment of the key is dropped from the model name ("gemini/gemini-1.5-pro" ->
 *   "gemini-1.5-pro", "azure/gpt-4o" -> "gpt-4o").
 */

/** A per-token cost (JSON number or decimal string) as a per-million-token decimal string. */
export function perTokenToPerMtok(value: number | string): string {
  const text = typeof value === "number" ? String(value) : value.trim();
  if (typeof value === "number" && !Number.isFinite(value)) throw new RangeError(`not a finite cost: ${value}`);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) throw new RangeError(`not a decimal cost: ${text}`);
  return new Money(text).mul(1_000_000).toFixed();
}

export interface LiteLLMPrice {
  /** The LiteLLM key the price came from. */
  key: string;
  litellmProvider: string;
  /** Validated by priceInputSchema (rates canonical strings, effective_from a Date). */
  price: PriceInput;
}

export interface LiteLLMSkip {
  key: string;
  reason: string;
}

export interface LiteLLMImport {
  prices: LiteLLMPrice[];
  skipped: LiteLLMSkip[];
}

export interface LiteLLMImportOptions {
  /** effective_from of every imported price (RFC 3339 string or Date). */
  effectiveFrom: Date | string;
}

const TIERS = [
  { tier: "standard", suffix: "" },
  { tier: "batch", suffix: "_batches" },
  { tier: "flex", suffix: "_flex" },
  { tier: "priority", suffix: "_priority" },
] as const;

const OUTPUT_OPTIONAL_MODES = new Set(["embedding", "rerank", "moderation"]);

type Cost = number | string;

function isCost(value: unknown): value is Cost {
  return typeof value === "number" || (typeof value === "string" && value.trim() !== "");
}

function modelName(key: string, litellmProvider: string): string {
  const slash = key.indexOf("/");
  if (slash <= 0) return key;
  const first = key.slice(0, slash);
  const prefixed = litellmProvider === first || litellmProvider.startsWith(`${first}-`) || litellmProvider.startsWith(`${first}_`);
  return prefixed && slash < key.length - 1 ? key.slice(slash + 1) : key;
}

/** Parses a LiteLLM price document; see the module comment for the rules. */
export function parseLiteLLMPrices(document: unknown, options: LiteLLMImportOptions): LiteLLMImport {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new TypeError("a LiteLLM price document is a JSON object keyed by model name");
  }
  const effectiveFrom = typeof options.effectiveFrom === "string" ? options.effectiveFrom : options.effectiveFrom.toISOString();
  const prices: LiteLLMPrice[] = [];
  const skipped: LiteLLMSkip[] = [];
  const taken = new Map<string, string>();

  for (const [key, raw] of Object.entries(document as Record<string, unknown>)) {
    if (key === "sample_spec") continue;
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      skipped.push({ key, reason: "not an object" });
      continue;
    }
    const spec = raw as Record<string, unknown>;
    const litellmProvider = typeof spec.litellm_provider === "string" ? spec.litellm_provider : "";
    if (!litellmProvider) {
      skipped.push({ key, reason: "no litellm_provider" });
      continue;
    }
    const provider = normalizeProvider(litellmProvider);
    const model = modelName(key, litellmProvider);
    const mode = typeof spec.mode === "string" ? spec.mode : "";

    for (const { tier, suffix } of TIERS) {
      const input = spec[`input_cost_per_token${suffix}`];
      const rawOutput = spec[`output_cost_per_token${suffix}`];
      if (!isCost(input) || (!isCost(rawOutput) && !OUTPUT_OPTIONAL_MODES.has(mode))) {
        if (tier === "standard") skipped.push({ key, reason: "no input/output token cost" });
        continue;
      }
      const output: Cost = isCost(rawOutput) ? rawOutput : 0;
      const body: PriceInputBody = {
        provider,
        model,
        service_tier: tier,
        effective_from: effectiveFrom,
        input_per_mtok: "",
        output_per_mtok: "",
      };
      try {
        body.input_per_mtok = perTokenToPerMtok(input);
        body.output_per_mtok = perTokenToPerMtok(output);
        const cacheRead = spec[`cache_read_input_token_cost${suffix}`];
        if (isCost(cacheRead)) body.cache_read_per_mtok = perTokenToPerMtok(cacheRead);
        if (tier === "standard") {
          const cacheWrite = spec.cache_creation_input_token_cost;
          const reasoning = spec.output_cost_per_reasoning_token;
          // LiteLLM's key for Anthropic's 1-hour cache writes (model_prices_and_context_window.json).
          const cacheWrite1h = spec.cache_creation_input_token_cost_above_1hr;
          if (isCost(cacheWrite)) body.cache_write_per_mtok = perTokenToPerMtok(cacheWrite);
          if (isCost(cacheWrite1h)) body.cache_write_1h_per_mtok = perTokenToPerMtok(cacheWrite1h);
          if (isCost(reasoning)) body.reasoning_per_mtok = perTokenToPerMtok(reasoning);
          // LiteLLM's long-context rates: every class above 200,000 input tokens (its only threshold).
          const longInput = spec.input_cost_per_token_above_200k_tokens;
          if (isCost(longInput)) {
            const longRate = (value: unknown) => (isCost(value) ? perTokenToPerMtok(value) : undefined);
            body.long_context = {
              threshold_input_tokens: 200_000,
              input_per_mtok: perTokenToPerMtok(longInput),
              output_per_mtok: longRate(spec.output_cost_per_token_above_200k_tokens),
              cache_read_per_mtok: longRate(spec.cache_read_input_token_cost_above_200k_tokens),
              cache_write_per_mtok: longRate(spec.cache_creation_input_token_cost_above_200k_tokens),
              cache_write_1h_per_mtok: longRate(spec.cache_creation_input_token_cost_above_1hr_above_200k_tokens),
            };
          }
        }
      } catch (error) {
        skipped.push({ key, reason: `${tier}: ${(error as Error).message}` });
        continue;
      }
      const parsed = priceInputSchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        skipped.push({ key, reason: `${tier}: ${issue?.path.join(".") ?? ""} ${issue?.message ?? "invalid"}`.trim() });
        continue;
      }
      const identity = JSON.stringify([provider, model, tier]);
      const first = taken.get(identity);
      if (first !== undefined) {
        skipped.push({ key, reason: `${tier}: duplicate of ${first} (${provider}/${model})` });
        continue;
      }
      taken.set(identity, key);
      prices.push({ key, litellmProvider, price: parsed.data });
    }
  }
  return { prices, skipped };
}
