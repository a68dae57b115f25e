import type { PriceRates, TokenUsage } from "@/lib/pricing/compute-cost";

/**
 * The contract's cost formula in integer arithmetic, for bulk paths where building
 * decimal.js objects per event would dominate (millions of events per seed).
 *
 * Rates are USD per million tokens with at most `rateDigits` decimals, so a rate is an
 * integer number of 10^-rateDigits USD/Mtok and a cost is an integer number of
 * 10^-(rateDigits + 6) USD: sum(tokens x scaled rate), no division, nothing lost.
 * Equal to computeCost() digit for digit (a unit test checks it on random usages).
 */

export interface ScaledRates {
  /** Decimals of the rates (at least 6, so costs always have at least 12 decimals). */
  rateDigits: number;
  input: bigint;
  output: bigint;
  cacheRead: bigint;
  cacheWrite: bigint;
  reasoning: bigint;
  /** The same rates as plain numbers, exact because they stay below 2^53. */
  fast: { input: number; output: number; cacheRead: number; cacheWrite: number; reasoning: number } | null;
}

const MIN_DIGITS = 6;
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

function fractionDigits(rate: string): number {
  const match = DECIMAL.exec(rate);
  if (!match) throw new RangeError(`not a non-negative decimal rate: ${rate}`);
  return (match[2] ?? "").replace(/0+$/, "").length;
}

function scale(rate: string, digits: number): bigint {
  const match = DECIMAL.exec(rate);
  if (!match) throw new RangeError(`not a non-negative decimal rate: ${rate}`);
  const fraction = (match[2] ?? "").replace(/0+$/, "").padEnd(digits, "0");
  return BigInt(`${match[1]}${fraction}`);
}

export function scaleRates(rates: PriceRates): ScaledRates {
  const all = [rates.inputPerMtok, rates.outputPerMtok, rates.cacheReadPerMtok, rates.cacheWritePerMtok, rates.reasoningPerMtok];
  const rateDigits = Math.max(MIN_DIGITS, ...all.map(fractionDigits));
  const [input, output, cacheRead, cacheWrite, reasoning] = all.map((rate) => scale(rate, rateDigits)) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  // The number path is used only at the minimum scale, where the output has exactly 12 decimals.
  const small = rateDigits === MIN_DIGITS && [input, output, cacheRead, cacheWrite, reasoning].every((r) => r < 2n ** 40n);
  return {
    rateDigits,
    input,
    output,
    cacheRead,
    cacheWrite,
    reasoning,
    fast: small
      ? {
          input: Number(input),
          output: Number(output),
          cacheRead: Number(cacheRead),
          cacheWrite: Number(cacheWrite),
          reasoning: Number(reasoning),
        }
      : null,
  };
}

/** Inserts the decimal point into an integer count of 10^-digits USD. */
function placePoint(units: string, digits: number): string {
  const padded = units.padStart(digits + 1, "0");
  return `${padded.slice(0, padded.length - digits)}.${padded.slice(padded.length - digits)}`;
}

function classes(usage: TokenUsage): [uncached: number, visible: number] {
  const uncached = usage.inputTokens - usage.cacheReadInputTokens - usage.cacheCreationInputTokens;
  const visible = usage.outputTokens - usage.reasoningOutputTokens;
  if (uncached < 0 || visible < 0) throw new RangeError("token classes exceed their totals");
  return [uncached, visible];
}

/**
 * The cost in whole units of 1e-12 USD when plain numbers can compute it exactly (rates
 * with at most 6 decimals and a total below 2^53, i.e. every realistic call), else -1.
 * Every term is a non-negative integer, so a total below 2^53 proves no term was rounded.
 */
export function costPicoUsd(usage: TokenUsage, rates: ScaledRates): number {
  const fast = rates.fast;
  if (!fast) return -1;
  const [uncached, visible] = classes(usage);
  const units =
    uncached * fast.input +
    usage.cacheReadInputTokens * fast.cacheRead +
    usage.cacheCreationInputTokens * fast.cacheWrite +
    visible * fast.output +
    usage.reasoningOutputTokens * fast.reasoning;
  return Number.isSafeInteger(units) ? units : -1;
}

/** The cost as a decimal string with 12 (or, for finer rates, more) decimals. */
export function costString(usage: TokenUsage, rates: ScaledRates): string {
  const pico = costPicoUsd(usage, rates);
  if (pico >= 0) return placePoint(String(pico), 12);
  const [uncached, visible] = classes(usage);
  const units =
    BigInt(uncached) * rates.input +
    BigInt(usage.cacheReadInputTokens) * rates.cacheRead +
    BigInt(usage.cacheCreationInputTokens) * rates.cacheWrite +
    BigInt(visible) * rates.output +
    BigInt(usage.reasoningOutputTokens) * rates.reasoning;
  return placePoint(units.toString(), rates.rateDigits + 6);
}
