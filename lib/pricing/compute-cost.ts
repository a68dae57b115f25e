import { Money, type MoneyValue } from "@/lib/money";

/** Canonical token breakdown of one call (contract semantics: totals include the subclasses). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  /** The part of cacheCreationInputTokens written for one hour (Anthropic's `ephemeral_1h`); absent is 0. */
  cacheCreation1hInputTokens?: number;
  reasoningOutputTokens: number;
}

/** Rates in USD per million tokens, as exact decimal strings. */
export interface PriceRates {
  inputPerMtok: string;
  outputPerMtok: string;
  cacheReadPerMtok: string;
  cacheWritePerMtok: string;
  /** 1-hour cache writes (contract: Anthropic's 1-hour cache writes); the 5-minute rate when a price sets none. */
  cacheWrite1hPerMtok: string;
  reasoningPerMtok: string;
}

const MILLION = new Money(1_000_000);

/**
 * THE billing rule, the one place that says which token class is billed at which rate.
 * Totals include their subclasses (input_tokens counts cache reads and writes, cache writes
 * count their 1-hour part, output_tokens counts reasoning), so the six billed classes are:
 * uncached input (input - cache reads - cache writes) at the input rate, cache reads at the
 * cache-read rate, 5-minute cache writes (cache writes - 1-hour writes) at the cache-write
 * rate, 1-hour cache writes at the 1-hour rate, visible output (output - reasoning) at the
 * output rate and reasoning at the reasoning rate. billedTokens(usage)[i] is billed at rates[BILLED_RATES[i]], in every
 * pricing path: computeCost below and the scaled-integer priceCost (price-cost.ts).
 */
export const BILLED_RATES = [
  "inputPerMtok",
  "cacheReadPerMtok",
  "cacheWritePerMtok",
  "cacheWrite1hPerMtok",
  "outputPerMtok",
  "reasoningPerMtok",
] as const satisfies readonly (keyof PriceRates)[];

export type BilledTokens = [uncachedInput: number, cacheRead: number, cacheWrite5m: number, cacheWrite1h: number, visibleOutput: number, reasoning: number];

/** The token counts billed at each of BILLED_RATES; RangeError when a class exceeds its total. */
export function billedTokens(usage: TokenUsage): BilledTokens {
  const uncachedInput = usage.inputTokens - usage.cacheReadInputTokens - usage.cacheCreationInputTokens;
  const visibleOutput = usage.outputTokens - usage.reasoningOutputTokens;
  const write1h = usage.cacheCreation1hInputTokens ?? 0;
  const write5m = usage.cacheCreationInputTokens - write1h;
  if (uncachedInput < 0 || visibleOutput < 0 || write5m < 0 || write1h < 0) {
    throw new RangeError("token classes exceed their totals");
  }
  return [uncachedInput, usage.cacheReadInputTokens, write5m, write1h, visibleOutput, usage.reasoningOutputTokens];
}

/**
 * The contract's formula, sum(billed tokens x rate) / 1e6 (see BILLED_RATES), exact:
 * Decimal arithmetic end to end, never a binary float. The reference the integer fast
 * path (price-cost.ts) is property-tested against.
 */
export function computeCost(usage: TokenUsage, rates: PriceRates): Money {
  const tokens = billedTokens(usage);
  let total = new Money(0);
  for (const [i, rate] of BILLED_RATES.entries()) total = total.add(new Money(tokens[i] as number).mul(rates[rate]));
  return total.div(MILLION);
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
