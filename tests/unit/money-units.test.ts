import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Money } from "@/lib/money";
import { addPico, formatPico, fromPicoUnits, PICO_DIGITS, toPico, toPicoUnits, type Pico } from "@/lib/money-units";

describe("toPicoUnits / fromPicoUnits", () => {
  it("reads decimals with up to 12 places as integers of 1e-12", () => {
    expect(PICO_DIGITS).toBe(12);
    expect(toPicoUnits("0")).toBe(0n);
    expect(toPicoUnits("0.001234")).toBe(1_234_000_000n);
    expect(toPicoUnits("0.000000000001")).toBe(1n);
    expect(toPicoUnits("1")).toBe(1_000_000_000_000n);
    expect(toPicoUnits("1.")).toBe(1_000_000_000_000n);
    expect(toPicoUnits("007.5")).toBe(7_500_000_000_000n);
    expect(toPicoUnits("-2.5")).toBe(-2_500_000_000_000n);
    expect(toPicoUnits("123456789012.123456789012")).toBe(123_456_789_012_123_456_789_012n);
  });

  it("writes always 12 decimals, as numeric(24, 12) prints", () => {
    expect(fromPicoUnits(0n)).toBe("0.000000000000");
    expect(fromPicoUnits(1n)).toBe("0.000000000001");
    expect(fromPicoUnits(1_234_000_000n)).toBe("0.001234000000");
    expect(fromPicoUnits(1_000_000_000_000n)).toBe("1.000000000000");
    expect(fromPicoUnits(-1n)).toBe("-0.000000000001");
    expect(fromPicoUnits(-1_500_000_000_000n)).toBe("-1.500000000000");
    expect(fromPicoUnits(123_456_789_012_123_456_789_012n)).toBe("123456789012.123456789012");
  });

  it("round-trips exactly", () => {
    for (const text of ["0.000000000000", "0.000000000001", "0.001234000000", "9006.999999999999", "9007.199254740993", "-3.141592653589", "999999999999.999999999999"]) {
      expect(fromPicoUnits(toPicoUnits(text))).toBe(text);
      expect(formatPico(toPico(text))).toBe(text);
    }
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), (units) => {
        expect(toPicoUnits(fromPicoUnits(units))).toBe(units);
      }),
      { numRuns: 2000, seed: 3 },
    );
  });

  it("writes -0 as 0", () => {
    expect(fromPicoUnits(toPicoUnits("-0.000"))).toBe("0.000000000000");
  });
});

describe("toPico: a number whenever exact, else BigInt", () => {
  it("returns safe integers as numbers and larger amounts as BigInt", () => {
    expect(toPico("0.001234")).toBe(1_234_000_000);
    expect(toPico("0")).toBe(0);
    expect(toPico("1.")).toBe(1_000_000_000_000);
    expect(toPico("9006.99999999999")).toBe(9_006_999_999_999_990); // 16 characters
    expect(toPico("0.123456789012")).toBe(123_456_789_012);
    expect(toPico("9006.999999999999")).toBe(9_006_999_999_999_999n); // 17 characters: BigInt, still exact
    expect(toPico("9007.19925474099")).toBe(9_007_199_254_740_990); // 16 characters, below 2^53
    expect(toPico("9007.199254740991")).toBe(9_007_199_254_740_991n); // 17 characters: BigInt
    expect(toPico("9007.199254740992")).toBe(9_007_199_254_740_992n); // 2^53
    expect(toPico("9008")).toBe(9_008_000_000_000_000n);
    expect(toPico("12345678901234")).toBe(12_345_678_901_234_000_000_000_000n);
    expect(toPico("-0.5")).toBe(-500_000_000_000n);
  });

  it("throws for text that is not a decimal with at most 12 decimals", () => {
    for (const text of ["1.0000000000001", "0.1234567890123", "1e5", "1e2", "1E2", "", "abc", ".5", "+1", " 1", "1 ", "1,5", "--1", "0x10", "Infinity", "NaN", "1.2.3", "-", "1.5e3"]) {
      expect(() => toPico(text), text).toThrow(RangeError);
      expect(() => toPicoUnits(text), text).toThrow(`not a decimal with at most 12 decimals: ${text}`);
    }
  });
});

describe("addPico / formatPico", () => {
  it("adds numbers as numbers while safe, then switches to BigInt", () => {
    expect(addPico(1, 2)).toBe(3);
    expect(addPico(Number.MAX_SAFE_INTEGER - 1, 1)).toBe(Number.MAX_SAFE_INTEGER);
    expect(addPico(Number.MAX_SAFE_INTEGER, 1)).toBe(9_007_199_254_740_992n);
    expect(addPico(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toBe(18_014_398_509_481_982n);
    expect(addPico(5, 10n)).toBe(15n);
    expect(addPico(10n ** 20n, 1)).toBe(10n ** 20n + 1n);
    expect(formatPico(9_007_199_254_740_991)).toBe("9007.199254740991");
    expect(formatPico(addPico(Number.MAX_SAFE_INTEGER, 1))).toBe("9007.199254740992");
    expect(formatPico(0)).toBe("0.000000000000");
  });

  /** A decimal with up to 12 decimals: small, around the 2^53 picodollar line, or huge. */
  const decimalArb: fc.Arbitrary<string> = fc
    .tuple(
      fc.oneof(
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 9006 }),
        fc.integer({ min: 9007, max: 99_999 }),
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
      ),
      fc.oneof(fc.constant(null), fc.stringMatching(/^\d{0,12}$/)),
      fc.boolean(),
      fc.integer({ min: 0, max: 2 }),
    )
    .map(([whole, fraction, negative, zeros]) => {
      const text = `${"0".repeat(zeros)}${whole}${fraction === null ? "" : `.${fraction}`}`;
      // A negative zero ("-0.00") would print as "-0.000000000000" in decimal.js: keep signs on non-zero amounts.
      return negative && /[1-9]/.test(text) ? `-${text}` : text;
    });

  it("sums exactly as decimal.js does", () => {
    let bigSums = 0;
    fc.assert(
      fc.property(fc.array(decimalArb, { minLength: 1, maxLength: 30 }), (texts) => {
        let total: Pico = 0;
        let reference = new Money(0);
        for (const text of texts) {
          total = addPico(total, toPico(text));
          reference = reference.add(text);
        }
        if (typeof total === "bigint") bigSums++;
        expect(formatPico(total)).toBe(reference.toFixed(12));
      }),
      { numRuns: 3000, seed: 2026 },
    );
    // The BigInt path is exercised, not only the number one.
    expect(bigSums).toBeGreaterThan(500);
  });

  it("sums non-negative costs exactly, staying on numbers below 2^53", () => {
    const smallArb = fc.bigInt({ min: 0n, max: 10n ** 13n }).map((units) => fromPicoUnits(units)); // up to $10
    fc.assert(
      fc.property(fc.array(smallArb, { minLength: 1, maxLength: 50 }), (texts) => {
        let total: Pico = 0;
        for (const text of texts) total = addPico(total, toPico(text));
        expect(typeof total).toBe("number");
        expect(formatPico(total)).toBe(texts.reduce((sum, text) => sum.add(text), new Money(0)).toFixed(12));
      }),
      { numRuns: 2000, seed: 9 },
    );
  });
});

describe("formatPico's number path", () => {
  it("prints safe non-negative integers exactly and sends anything else to BigInt's exact path", () => {
    expect(formatPico(0)).toBe("0.000000000000");
    expect(formatPico(-0)).toBe("0.000000000000");
    // Zero takes a shortcut; the BigInt zero the exact path.
    expect(formatPico(0n)).toBe("0.000000000000");
    expect(formatPico(1)).toBe("0.000000000001");
    expect(formatPico(-1_500_000_000_000)).toBe("-1.500000000000");
    // Not a Pico the hot paths make, but never exponent text or a silent fraction:
    expect(formatPico(1e21)).toBe("1000000000.000000000000");
    expect(() => formatPico(0.5)).toThrow(RangeError);
    expect(() => formatPico(Number.NaN)).toThrow(RangeError);
  });
});
