import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findUnstorableText, isStorableText, MAX_ITEM_DEPTH, MAX_WALK_DEPTH, scanItem } from "@/lib/schemas/storable-text";

const TEXT_MESSAGE = "must be storable text (no NUL character, no lone surrogate)";
const KEY_MESSAGE = "names a key that is not storable text";

/** `{a: {a: … leaf}}` with `levels` objects, built without recursion. */
function nestedObjects(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

function nestedArrays(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe("isStorableText", () => {
  it("accepts ASCII, unicode and surrogate pairs; refuses NUL and lone surrogates", () => {
    expect(isStorableText("")).toBe(true);
    expect(isStorableText("plain ascii")).toBe(true);
    expect(isStorableText("héllo wörld 日本")).toBe(true);
    expect(isStorableText("😀")).toBe(true); // \uD83D\uDE00
    expect(isStorableText("a\uD83D\uDE00b\uD83D\uDE01")).toBe(true);
    expect(isStorableText("\u0000")).toBe(false);
    expect(isStorableText("abc\u0000")).toBe(false);
    expect(isStorableText("\uD800")).toBe(false);
    expect(isStorableText("x\uD83Dy")).toBe(false); // high surrogate not followed by a low one
    expect(isStorableText("\uDE00")).toBe(false); // low surrogate alone
    expect(isStorableText("\uDE00\uD83D")).toBe(false); // the pair reversed
    expect(isStorableText("\uD83D\uD83D\uDE00")).toBe(false); // a lone high before a pair
    expect(isStorableText("\uD83D\uDE00\uDE00")).toBe(false); // a lone low after a pair
    expect(isStorableText("\u0001\u001f\\")).toBe(true);
  });
});

describe("findUnstorableText / scanItem: problems and their paths", () => {
  it("finds a NUL in a nested value and names its path", () => {
    expect(findUnstorableText({ a: { b: ["x\u0000y"] } })).toStrictEqual({ path: "a.b.0", message: TEXT_MESSAGE });
    expect(findUnstorableText({ a: { b: ["ok", "also ok", "\u0000"] } })).toStrictEqual({ path: "a.b.2", message: TEXT_MESSAGE });
    expect(findUnstorableText("\u0000")).toStrictEqual({ path: "", message: TEXT_MESSAGE });
  });

  it("finds a lone surrogate, in a value", () => {
    expect(findUnstorableText({ tags: { team: "a\uD800" } })).toStrictEqual({ path: "tags.team", message: TEXT_MESSAGE });
    expect(findUnstorableText({ model: "\uDC00gpt" })).toStrictEqual({ path: "model", message: TEXT_MESSAGE });
  });

  it("accepts a valid surrogate pair in keys and values", () => {
    const value = { "😀": "😀", list: ["\uD83D\uDE00", { "\uD83D\uDE01k": "v\uD83D\uDE02" }] };
    expect(findUnstorableText(value)).toBeNull();
    expect(scanItem(value).problem).toBeNull();
  });

  it("names an unstorable key with '?' in place of the bad character", () => {
    expect(findUnstorableText({ tags: { "a\u0000b": "x" } })).toStrictEqual({ path: "tags.a?b", message: KEY_MESSAGE });
    expect(findUnstorableText({ "\uD800": 1 })).toStrictEqual({ path: "?", message: KEY_MESSAGE });
    expect(findUnstorableText([{ ok: 1 }, { "k\uDC00": 1 }])).toStrictEqual({ path: "1.k?", message: KEY_MESSAGE });
  });

  it("accepts nesting up to MAX_ITEM_DEPTH and refuses one level more, naming the path", () => {
    expect(MAX_ITEM_DEPTH).toBe(16);
    // 16 objects: the deepest one sits at depth 15, its leaf at depth 16.
    expect(findUnstorableText(nestedObjects(16))).toBeNull();
    expect(findUnstorableText(nestedObjects(16, "leaf"))).toBeNull();
    // 17 objects: the 17th sits at depth 16.
    expect(findUnstorableText(nestedObjects(17))).toStrictEqual({
      path: Array.from({ length: 16 }, () => "a").join("."),
      message: "is nested more than 16 levels deep",
    });
    // An empty array at depth 16 counts as a level too.
    expect(findUnstorableText(nestedObjects(16, []))).toStrictEqual({
      path: "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a",
      message: "is nested more than 16 levels deep",
    });
    expect(findUnstorableText(nestedArrays(17))).toStrictEqual({
      path: "0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0",
      message: "is nested more than 16 levels deep",
    });
    // A custom limit.
    expect(findUnstorableText({ a: { b: 1 } }, 2)).toBeNull();
    expect(findUnstorableText({ a: { b: { c: 1 } } }, 2)).toStrictEqual({ path: "a.b", message: "is nested more than 2 levels deep" });
  });

  it("walks a 10,000-deep nesting without throwing", () => {
    const objects = nestedObjects(10_000);
    const arrays = nestedArrays(10_000);
    expect(() => scanItem(objects)).not.toThrow();
    expect(findUnstorableText(objects)).toStrictEqual({ path: Array(16).fill("a").join("."), message: "is nested more than 16 levels deep" });
    expect(findUnstorableText(arrays)?.message).toBe("is nested more than 16 levels deep");
    // The deepest limit a caller may set (MAX_WALK_DEPTH) walks all the way down; a deeper one is refused.
    // each level {"a": …}: 2 + (1 x 6 + 4); the leaf "x": 6 + 2
    expect(scanItem(nestedObjects(999, "x"), MAX_WALK_DEPTH)).toStrictEqual({ problem: null, jsonBytesBound: 999 * 12 + 8 });
    expect(findUnstorableText(nestedArrays(999, "\u0000"), MAX_WALK_DEPTH)?.path).toBe(Array(999).fill("0").join("."));
    expect(findUnstorableText(nestedArrays(100_000, "x"), MAX_WALK_DEPTH)?.message).toBe(`is nested more than ${MAX_WALK_DEPTH} levels deep`);
    expect(() => scanItem({}, Infinity)).toThrow(RangeError);
  });
});

describe("scanItem: the JSON size bound", () => {
  it("counts exactly as documented on small values", () => {
    // "abc": 3 x 6 + 2
    expect(scanItem("abc")).toStrictEqual({ problem: null, jsonBytesBound: 20 });
    expect(scanItem(12)).toStrictEqual({ problem: null, jsonBytesBound: 32 });
    expect(scanItem(null)).toStrictEqual({ problem: null, jsonBytesBound: 32 });
    // The longest a number prints: 25 characters.
    expect(JSON.stringify(-0.0000012345678901234567).length).toBeLessThanOrEqual(scanItem(-0.0000012345678901234567).jsonBytesBound);
    // {} 2; [] 2
    expect(scanItem({}).jsonBytesBound).toBe(2);
    expect(scanItem([]).jsonBytesBound).toBe(2);
    // {"ab": true}: 2 + (2 x 6 + 4) + 32 = 50
    expect(scanItem({ ab: true }).jsonBytesBound).toBe(50);
    // [1, "x"]: 2 + 1 + 32 + 1 + (6 + 2) = 44
    expect(scanItem([1, "x"]).jsonBytesBound).toBe(44);
  });

  const unicodeString = fc.oneof(
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.string({ unit: "binary", maxLength: 20 }),
    fc.string({ maxLength: 20 }),
    fc.constantFrom("\u2028", '"\\', "\u007f\u0080\u0800\uffff", "😀😀", "\u0001\n\t"),
  );
  const objectsArb = fc.object({
    key: unicodeString,
    values: [unicodeString, fc.double(), fc.integer(), fc.boolean(), fc.constant(null)],
    maxDepth: 4,
    maxKeys: 6,
  });
  const valueArb: fc.Arbitrary<unknown> = fc.oneof(
    fc.jsonValue(),
    fc.jsonValue({ stringUnit: "grapheme" }),
    fc.jsonValue({ stringUnit: "binary" }),
    objectsArb,
    fc.array(objectsArb, { maxLength: 4 }),
    fc.constantFrom(-Number.MAX_VALUE, -2.2250738585072014e-308, -5e-324, -1.2345678901234567e-300, -0, Number.MIN_SAFE_INTEGER),
  );

  it("never undercounts the UTF-8 bytes of JSON.stringify when the value is storable", () => {
    let checked = 0;
    fc.assert(
      fc.property(valueArb, (value) => {
        const { problem, jsonBytesBound } = scanItem(value);
        if (problem !== null) return;
        checked++;
        expect(jsonBytesBound).toBeGreaterThanOrEqual(Buffer.byteLength(JSON.stringify(value), "utf8"));
      }),
      { numRuns: 3000, seed: 42 },
    );
    expect(checked).toBeGreaterThan(1500);
  });

  /** Reference: storable iff every key and string is well-formed UTF-16 without NUL and no container is `maxDepth` deep. */
  function storableString(text: string): boolean {
    for (let i = 0; i < text.length; i++) {
      const unit = text.charCodeAt(i);
      if (unit === 0) return false;
      if (unit >= 0xdc00 && unit <= 0xdfff) return false; // a low surrogate without its high one
      if (unit >= 0xd800 && unit <= 0xdbff) {
        const next = text.charCodeAt(i + 1); // NaN past the end
        if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
        i++;
      }
    }
    return true;
  }

  function storable(value: unknown, depth = 0): boolean {
    if (typeof value === "string") return storableString(value);
    if (typeof value !== "object" || value === null) return true;
    if (depth >= MAX_ITEM_DEPTH) return false;
    if (Array.isArray(value)) return value.every((item) => storable(item, depth + 1));
    return Object.entries(value).every(([key, item]) => storableString(key) && storable(item, depth + 1));
  }

  it("reports a problem exactly when a reference check finds one", () => {
    const withNul = fc.string({ maxLength: 5 }).map((s) => `${s}\u0000`);
    const deep = fc.integer({ min: 14, max: 18 }).map((levels) => nestedObjects(levels));
    const arb = fc.oneof(
      valueArb,
      fc.object({ key: fc.oneof(unicodeString, withNul), values: [unicodeString, withNul, deep], maxDepth: 3, maxKeys: 4 }),
      fc.array(fc.oneof(deep, withNul, unicodeString), { maxLength: 3 }),
    );
    let problems = 0;
    fc.assert(
      fc.property(arb, (value) => {
        const problem = findUnstorableText(value);
        if (problem) problems++;
        expect(problem === null).toBe(storable(value));
      }),
      { numRuns: 3000, seed: 4242 },
    );
    expect(problems).toBeGreaterThan(300);
  });
});
