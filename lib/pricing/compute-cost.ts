import { Money } from "@/lib/money";

/** Canonical token breakdown of one call (contract semantics: totals include the subclasses). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  reasoningOutputTokens: number;
}

/** Rates in USD per million tokens, as exact decimal strings. */
export interface PriceRates {
  inputPerMtok: string;
  outputPerMtok: string;
  cacheReadPerMtok: string;
  cacheWritePerMtok: string;
  reasoningPerMtok: string;
}

const MILLION = new Money(1_000_000);

/**
 * The contract's formula:
 * ((input - cache_read - cache_creation) * input_rate + cache_read * cache_read_rate
 *  + cache_creation * cache_write_rate + (output - reasoning) * output_rate
 *  + reasoning * reasoning_rate) / 1e6
 * Exact: Decimal arithmetic end to end, never a binary float.
 */
export function computeCost(usage: TokenUsage, rates: PriceRates): Money {
  const uncachedInput = usage.inputTokens - usage.cacheReadInputTokens - usage.cacheCreationInputTokens;
  const visibleOutput = usage.outputTokens - usage.reasoningOutputTokens;
  if (uncachedInput < 0 || visibleOutput < 0) {
    throw new RangeError("token classes exceed their totals");
  }
  return new Money(uncachedInput)
    .mul(rates.inputPerMtok)
    .add(new Money(usage.cacheReadInputTokens).mul(rates.cacheReadPerMtok))
    .add(new Money(usage.cacheCreationInputTokens).mul(rates.cacheWritePerMtok))
    .add(new Money(visibleOutput).mul(rates.outputPerMtok))
    .add(new Money(usage.reasoningOutputTokens).mul(rates.reasoningPerMtok))
    .div(MILLION);
}
