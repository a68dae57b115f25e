import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COPY_NULL, copyField, copyLine, copyText, type CopyValue } from "@/lib/db/copy-text";

/** PostgreSQL's COPY text-format reading of one field (the inverse the module must satisfy). */
function readField(field: string): string | null {
  if (field === "\\N") return null;
  const map: Record<string, string> = { "\\": "\\", t: "\t", n: "\n", r: "\r" };
  let out = "";
  for (let i = 0; i < field.length; i++) {
    const c = field[i] as string;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const next = field[++i] as string;
    const decoded = map[next];
    if (decoded === undefined) throw new Error(`unexpected escape \\${next}`);
    out += decoded;
  }
  return out;
}

describe("copyField", () => {
  it("writes NULL as \\N", () => {
    expect(COPY_NULL).toBe("\\N");
    expect(copyField(null)).toBe("\\N");
    expect(copyField(null)).toHaveLength(2);
  });

  it("writes booleans as t and f", () => {
    expect(copyField(true)).toBe("t");
    expect(copyField(false)).toBe("f");
  });

  it("writes numbers as they print", () => {
    expect(copyField(0)).toBe("0");
    expect(copyField(-0)).toBe("0");
    expect(copyField(42)).toBe("42");
    expect(copyField(-7)).toBe("-7");
    expect(copyField(1.5)).toBe("1.5");
    expect(copyField(2_147_483_647)).toBe("2147483647");
    expect(copyField(Number.MAX_SAFE_INTEGER)).toBe("9007199254740991");
  });

  it("throws for non-finite numbers", () => {
    expect(() => copyField(NaN)).toThrow(RangeError);
    expect(() => copyField(Infinity)).toThrow("not a finite number: Infinity");
    expect(() => copyField(-Infinity)).toThrow("not a finite number: -Infinity");
    expect(() => copyLine(["a", NaN])).toThrow("not a finite number: NaN");
  });

  it("leaves ordinary text alone, the empty string included", () => {
    expect(copyField("")).toBe("");
    expect(copyField("gpt-4o-mini")).toBe("gpt-4o-mini");
    expect(copyField("héllo 😀 'quoted' \"double\" , ; |")).toBe("héllo 😀 'quoted' \"double\" , ; |");
    expect(copyField("NULL")).toBe("NULL");
    expect(copyField("N")).toBe("N");
  });

  it("escapes backslash, tab, newline and carriage return", () => {
    expect(copyField("a\\b")).toBe("a\\\\b");
    expect(copyField("a\tb")).toBe("a\\tb");
    expect(copyField("a\nb")).toBe("a\\nb");
    expect(copyField("a\rb")).toBe("a\\rb");
    expect(copyField("\r\n")).toBe("\\r\\n");
    expect(copyField("\\\\")).toBe("\\\\\\\\");
    expect(copyField("\t\t\n\\x")).toBe("\\t\\t\\n\\\\x");
  });

  it('escapes the text "\\N" so that it is not read as NULL', () => {
    const field = copyField("\\N");
    expect(field).toBe("\\\\N");
    expect(field).not.toBe(COPY_NULL);
    expect(readField(field)).toBe("\\N");
  });

  it("round-trips any text through COPY's reading rules", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.stringMatching(/^[\\\tNnrt\r\n]{0,12}$/)), (text) => {
        const field = copyField(text);
        expect(field).not.toMatch(/[\t\n\r]/);
        expect(readField(field)).toBe(text);
      }),
      { numRuns: 2000, seed: 11 },
    );
  });
});

describe("copyLine", () => {
  it("joins fields with tabs and ends with a newline", () => {
    expect(copyLine(["a", 1, true, null, "x\ty"])).toBe("a\t1\tt\t\\N\tx\\ty\n");
    expect(copyLine([null])).toBe("\\N\n");
    expect(copyLine([""])).toBe("\n");
    expect(copyLine([])).toBe("\n");
    expect(copyLine(["", ""])).toBe("\t\n");
    expect(copyLine([false, 0, "0.000000000001"])).toBe("f\t0\t0.000000000001\n");
  });

  it("keeps every field apart, whatever the text holds", () => {
    const valueArb: fc.Arbitrary<CopyValue> = fc.oneof(fc.string(), fc.constant(null), fc.boolean(), fc.integer());
    fc.assert(
      fc.property(fc.array(valueArb, { minLength: 1, maxLength: 8 }), (values) => {
        const line = copyLine(values);
        expect(line.endsWith("\n")).toBe(true);
        const body = line.slice(0, -1);
        expect(body).not.toMatch(/[\n\r]/);
        const fields = body.split("\t");
        expect(fields).toHaveLength(values.length);
        fields.forEach((field, i) => {
          const value = values[i] as CopyValue;
          const expected = value === null ? null : typeof value === "boolean" ? (value ? "t" : "f") : String(value);
          expect(readField(field)).toBe(expected);
        });
      }),
      { numRuns: 2000, seed: 12 },
    );
  });
});

describe("copyText", () => {
  it("is copyField for text and NULL (the hot paths' field writer)", () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: "binary" }), { nil: null }), (value) => {
        expect(copyText(value)).toBe(copyField(value));
      }),
      { numRuns: 2000 },
    );
    expect(copyText("a\\b\tc\nd\re")).toBe("a\\\\b\\tc\\nd\\re");
    expect(copyText(null)).toBe(COPY_NULL);
  });
});
