import { Money, type MoneyValue } from "@/lib/money";

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

/**
 * Fractional digits of a stored cost: usage_events.cost_usd and the rollups' cost_usd are
 * numeric(24, 12).
 */
export const COST_FRACTION_DIGITS = 12;

/**
 * THE rounding rule for costs, used by every pricing path (computeCost callers and the
 * integer fast path in price-cost.ts alike): ROUND_HALF_EVEN to 12 fractional digits,
 * written as a plain decimal string. Rates with at most 6 decimals never need it (their
 * costs are exact at 12 digits); finer rates (numeric(20, 10) allows 10) can. The database
 * is always handed the already-rounded string, so its own rounding (half away from zero)
 * never applies.
 */
export function formatCost(cost: MoneyValue): string {
  return new Money(cost).toFixed(COST_FRACTION_DIGITS, Money.ROUND_HALF_EVEN);
}

/** computeCost, rounded and formatted as it is stored: the reference the fast path must equal. */
export function computeCostString(usage: TokenUsage, rates: PriceRates): string {
  return formatCost(computeCost(usage, rates));
}
