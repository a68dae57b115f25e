import {
  BILLED_RATES,
  billedTokens,
  COST_FRACTION_DIGITS,
  formatCost,
  type PriceRates,
  type TokenUsage,
} from "@/lib/pricing/compute-cost";

/**
 * The contract's cost formula in integer arithmetic: the one pricer of every bulk path
 * (ingest, re-pricing, the demo seed), where building decimal.js objects per event would
 * dominate. Which token class is billed at which rate is compute-cost.ts's BILLED_RATES /
 * billedTokens; this file only does the arithmetic.
 *
 * Rates are USD per million tokens with at most 10 decimals (numeric(20, 10)), so a rate
 * is an integer number of 10^-d USD/Mtok (d = the most decimals among the six rates, at
 * least 6) and a cost is an integer number of 10^-(d + 6) USD: sum(tokens x scaled rate),
 * no division, nothing lost. With d = 6 (every real price list) that integer is the cost
 * in picodollars, i.e. exactly the 12 stored decimals; it is computed with plain numbers
 * whenever the total stays below 2^53 (every realistic call), else with BigInt. With
 * d > 6 the exact value is rounded by formatCost, the one rounding rule shared with
 * computeCost (ROUND_HALF_EVEN to 12 decimals).
 *
 * priceCost(usage, scaleRates(rates)) === computeCostString(usage, rates) for every usage
 * and every rate with up to 10 decimals (property-tested).
 */

type Six<T> = [T, T, T, T, T, T];

export interface ScaledRates {
  /** Decimals of the scaled integers below (the rates' most decimals, at least 6). */
  rateDigits: number;
  /** The rates as integers of 10^-rateDigits USD/Mtok, in BILLED_RATES order. */
  readonly units: Readonly<Six<bigint>>;
  /** The same integers as numbers when rateDigits is 6 and each is below 2^40, else null. */
  readonly fast: Readonly<Six<number>> | null;
}

/** usage_events.cost_usd is numeric(24, 12): at most 12 digits before the point. */
export const MAX_COST_INTEGER_DIGITS = 12;

const MIN_DIGITS = COST_FRACTION_DIGITS - 6;
const MAX_RATE_DIGITS = 10;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

function parseRate(rate: string): { whole: string; fraction: string } {
  const match = DECIMAL.exec(rate);
  if (!match) throw new RangeError(`not a non-negative decimal rate: ${rate}`);
  const fraction = (match[2] ?? "").replace(/0+$/, "");
  if (fraction.length > MAX_RATE_DIGITS) throw new RangeError(`rate has more than ${MAX_RATE_DIGITS} decimals: ${rate}`);
  return { whole: match[1] ?? "0", fraction };
}

/** Prepares rates for priceCost; do it once per price entry, not once per event. */
export function scaleRates(rates: PriceRates): ScaledRates {
  const parsed = BILLED_RATES.map((rate) => parseRate(rates[rate]));
  const rateDigits = Math.max(MIN_DIGITS, ...parsed.map((p) => p.fraction.length));
  const units = parsed.map(({ whole, fraction }) => BigInt(`${whole}${fraction.padEnd(rateDigits, "0")}`)) as Six<bigint>;
  const small = rateDigits === MIN_DIGITS && units.every((r) => r < 2n ** 40n);
  return { rateDigits, units, fast: small ? (units.map(Number) as Six<number>) : null };
}

export interface ScaledEntry {
  scaled: ScaledRates;
  /** The long-context tier, scaled: events with more input tokens than `threshold` use it. */
  scaledLong: { threshold: number; scaled: ScaledRates } | null;
}

/** Attaches scaled rates to a price entry (for indexes the hot path looks prices up in). */
export function withScaledRates<E extends { rates: PriceRates; longContext?: { threshold: number; rates: PriceRates } | null }>(entry: E): E & ScaledEntry {
  const long = entry.longContext;
  return { ...entry, scaled: scaleRates(entry.rates), scaledLong: long ? { threshold: long.threshold, scaled: scaleRates(long.rates) } : null };
}

/** The rates an event is billed at: the long-context tier's when its input exceeds the tier's threshold. */
export function ratesForUsage(usage: TokenUsage, entry: ScaledEntry): ScaledRates {
  return entry.scaledLong && usage.inputTokens > entry.scaledLong.threshold ? entry.scaledLong.scaled : entry.scaled;
}

/** One event's stored cost under a price entry (priceCost at the rates ratesForUsage picks). */
export function entryCost(usage: TokenUsage, entry: ScaledEntry): string {
  return priceCost(usage, ratesForUsage(usage, entry));
}

/**
 * The cost in whole picodollars (1e-12 USD) when plain numbers compute it exactly (rates
 * with at most 6 decimals, total below 2^53 = about $9007), else -1. Every term is a
 * non-negative integer, so a safe-integer total proves that no term was rounded.
 */
export function costPicoUsd(usage: TokenUsage, rates: ScaledRates): number {
  const fast = rates.fast;
  if (!fast) return -1;
  const tokens = billedTokens(usage);
  const units = tokens[0] * fast[0] + tokens[1] * fast[1] + tokens[2] * fast[2] + tokens[3] * fast[3] + tokens[4] * fast[4] + tokens[5] * fast[5];
  return Number.isSafeInteger(units) ? units : -1;
}

/** Inserts the decimal point into a non-negative integer count of 10^-digits USD. */
function placePoint(units: string, digits: number): string {
  const padded = units.padStart(digits + 1, "0");
  return `${padded.slice(0, padded.length - digits)}.${padded.slice(padded.length - digits)}`;
}

/**
 * The cost of one call as stored in usage_events.cost_usd: a plain decimal string with
 * exactly 12 fractional digits, equal to computeCostString(usage, rates). Throws RangeError
 * for token classes larger than their totals, and for a cost that does not fit
 * numeric(24, 12) (>= 1e12 USD: impossible for int4 token counts with rates up to the
 * schema's 1,000,000 USD/Mtok cap).
 */
export function priceCost(usage: TokenUsage, rates: ScaledRates): string {
  const pico = costPicoUsd(usage, rates);
  if (pico >= 0) return placePoint(String(pico), COST_FRACTION_DIGITS);
  const tokens = billedTokens(usage);
  let units = 0n;
  for (const [i, rate] of rates.units.entries()) units += BigInt(tokens[i] as number) * rate;
  const exact = placePoint(units.toString(), rates.rateDigits + 6);
  const cost = rates.rateDigits === MIN_DIGITS ? exact : formatCost(exact);
  if (cost.indexOf(".") > MAX_COST_INTEGER_DIGITS) throw new RangeError(`cost ${cost} USD does not fit numeric(24, 12)`);
  return cost;
}
