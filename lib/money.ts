import Decimal from "decimal.js";

/**
 * Exact decimal arithmetic for money. decimal.js rounds to 20 significant digits by
 * default, which is not enough for "millions of dollars to 1e-12": this clone keeps 60.
 */
export const Money = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN });
export type Money = Decimal;
export type MoneyValue = Decimal.Value;

/** Money as the contract writes it: a decimal string with 12 fractional digits. */
export function formatUsd(amount: MoneyValue): string {
  return new Money(amount).toFixed(12);
}
