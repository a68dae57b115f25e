/**
 * Exact sums of decimal USD strings as integers of 10^-12 USD (the 12 decimals every cost column
 * keeps), for the hot paths that add thousands of costs per request: BigInt adds, no decimal.js
 * object per value, nothing rounded.
 */
export const PICO_DIGITS = 12;
const DECIMAL = /^(-?)(\d+)(?:\.(\d{0,12}))?$/;

/** "0.001234" → 1234000000n. Throws for text that is not a decimal with at most 12 decimals. */
export function toPicoUnits(text: string): bigint {
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`not a decimal with at most ${PICO_DIGITS} decimals: ${text}`);
  const units = BigInt(`${match[2]}${(match[3] ?? "").padEnd(PICO_DIGITS, "0")}`);
  return match[1] === "-" ? -units : units;
}

/** 1234000000n → "0.001234000000" (always 12 decimals, as numeric(24, 12) prints). */
export function fromPicoUnits(units: bigint): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(PICO_DIGITS + 1, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -PICO_DIGITS)}.${digits.slice(-PICO_DIGITS)}`;
}

/**
 * Picodollars as a plain number when it is a safe integer (every realistic cost: below about
 * $9,007), else as BigInt: the hot paths add numbers and fall back to BigInt only when needed.
 */
export type Pico = number | bigint;

/** toPicoUnits for the hot paths: a number whenever that is exact. */
export function toPico(text: string): Pico {
  const dot = text.indexOf(".");
  if (text.length <= 16 && text.charCodeAt(0) !== 45 /* - */ && (dot < 0 || text.length - dot - 1 <= PICO_DIGITS)) {
    const whole = dot < 0 ? text : text.slice(0, dot);
    const fraction = dot < 0 ? "" : text.slice(dot + 1);
    // At most 16 characters: whole × 10^12 + fraction stays below 2^53 when whole < 9007.
    const units = Number(whole) * 1e12 + Number(fraction.padEnd(PICO_DIGITS, "0"));
    if (Number.isSafeInteger(units) && /^\d+$/.test(whole) && /^\d*$/.test(fraction)) return units;
  }
  return toPicoUnits(text);
}

/** a + b, exactly. */
export function addPico(a: Pico, b: Pico): Pico {
  if (typeof a === "number" && typeof b === "number") {
    const sum = a + b;
    if (Number.isSafeInteger(sum)) return sum;
  }
  return BigInt(a) + BigInt(b);
}

const ZERO_PICO_TEXT = `0.${"0".repeat(PICO_DIGITS)}`;

/** fromPicoUnits for either form. */
export function formatPico(units: Pico): string {
  // Most rollup measures of a batch are zero (no retries, no errors, nothing reported).
  if (units === 0) return ZERO_PICO_TEXT;
  if (typeof units === "bigint") return fromPicoUnits(units);
  // BigInt throws for a fraction or NaN; an unsafe or negative number takes the exact path.
  if (units < 0 || !Number.isSafeInteger(units)) return fromPicoUnits(BigInt(units));
  // A safe non-negative integer prints exactly; no BigInt needed (hundreds per batch on ingest).
  const digits = String(units).padStart(PICO_DIGITS + 1, "0");
  return `${digits.slice(0, -PICO_DIGITS)}.${digits.slice(-PICO_DIGITS)}`;
}
