import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvCell, csvDocument, csvRecord, csvTable, FORMULA_TRIGGERS, isPlainNumber, neutralize, type CsvValue } from "@/lib/http/csv";

/** A small RFC 4180 parser: CRLF-terminated records, fields quoted with doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  let fieldStart = true;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        if (i < text.length && text[i] !== "," && text[i] !== "\r") throw new Error(`garbage after a closing quote at ${i}`);
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && fieldStart) {
      quoted = true;
      fieldStart = false;
      i++;
      continue;
    }
    if (c === '"') throw new Error(`bare quote inside an unquoted field at ${i}`);
    if (c === ",") {
      record.push(field);
      field = "";
      fieldStart = true;
      i++;
      continue;
    }
    if (c === "\r") {
      if (text[i + 1] !== "\n") throw new Error(`bare CR at ${i}`);
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      fieldStart = true;
      i += 2;
      continue;
    }
    if (c === "\n") throw new Error(`bare LF at ${i}`);
    field += c;
    fieldStart = false;
    i++;
  }
  if (quoted) throw new Error("unterminated quote");
  if (!fieldStart || record.length > 0) throw new Error("the last record is not CRLF-terminated");
  return records;
}

describe("formula neutralization", () => {
  it.each([
    ['=HYPERLINK("http://x")', `'=HYPERLINK("http://x")`],
    ["+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"],
    ["-2+3", "'-2+3"],
    ["@SUM(1)", "'@SUM(1)"],
    ["\tcell", "'\tcell"],
    ["\rcell", "'\rcell"],
  ])("prefixes %j with '", (value, expected) => {
    expect(neutralize(value)).toBe(expected);
    expect(parseCsv(csvRecord([value]))).toEqual([[expected]]);
  });

  it("lists exactly the OWASP triggers", () => {
    expect([...FORMULA_TRIGGERS]).toEqual(["=", "+", "-", "@", "\t", "\r"]);
  });

  it.each(["plain", "", " =1+1", "a=b", "'=already", "\n=x", '{"team":"=x"}', "12"])("leaves %j alone except for quoting", (value) => {
    expect(parseCsv(csvRecord([value]))).toEqual([[value]]);
  });

  it("prefixes a lone minus in a text column", () => {
    expect(csvCell("-")).toBe("'-");
  });
});

describe("numbers stay numbers", () => {
  it.each([
    [0, "0"],
    [42, "42"],
    [-0.5, "-0.5"],
    [-12, "-12"],
    [1e21, "1e+21"],
    [12345678901234567890n, "12345678901234567890"],
    [-3n, "-3"],
  ] as [CsvValue, string][])("writes the number %s as %s", (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it.each(["-0.5", "12.000000000000", "-0.000000000001", "0", "1e-7", "-1.5E+3", ".5", "12345678901234.000000000001"])(
    "writes %j in a numeric column unprefixed",
    (value) => {
      expect(isPlainNumber(value)).toBe(true);
      expect(csvCell(value, true)).toBe(value);
    },
  );

  it("neutralizes text in a numeric column that is not a plain number", () => {
    expect(csvCell("-2+3", true)).toBe("'-2+3");
    expect(csvCell("+5", true)).toBe("'+5");
    expect(csvCell("=1", true)).toBe("'=1");
    expect(csvCell("-", true)).toBe("'-");
    expect(csvCell("1,5", true)).toBe('"1,5"');
  });

  it("treats a non-finite JS number as text", () => {
    expect(csvCell(Number.NEGATIVE_INFINITY)).toBe("'-Infinity");
    expect(csvCell(Number.NaN)).toBe("NaN");
  });

  it("a text column's number-looking string with a minus is still text", () => {
    // Only declared columns are numeric: a tag value "-1" is a name, not an amount.
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell("-1", true)).toBe("-1");
  });
});

describe("RFC 4180 quoting", () => {
  it.each([
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["cr\rhere", '"cr\rhere"'],
    ["=a,b", `"'=a,b"`],
    [null, ""],
    [undefined, ""],
  ] as [CsvValue, string][])("writes %j as %j", (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it("ends every record with CRLF, and a table writes its header and declared numeric columns", () => {
    const table = csvTable(["name", "cost"], ["cost"]);
    expect(table.header()).toBe("name,cost\r\n");
    expect(table.row(["-x", "-1.5"])).toBe("'-x,-1.5\r\n");
    expect(table.record({ cost: "-2" })).toBe(",-2\r\n");
    expect(csvDocument(["a", "b"], [["1", 2], [null, "@x"]], ["b"])).toBe("a,b\r\n1,2\r\n,'@x\r\n");
  });
});

describe("property: parsing the output gives the cells back, with ' exactly where required", () => {
  // Strings biased towards the interesting characters: triggers, separators, quotes.
  const tricky = fc.oneof(
    fc.string(),
    fc.string({ unit: fc.constantFrom("=", "+", "-", "@", "\t", "\r", "\n", ",", '"', "'", "a", " ", "1", ".", "é", "😀") }),
  );
  const cell = fc.oneof(
    tricky.map((text) => ({ value: text as CsvValue, numeric: false })),
    tricky.map((text) => ({ value: text as CsvValue, numeric: true })),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => ({ value: n as CsvValue, numeric: false })),
    fc.bigInt().map((n) => ({ value: n as CsvValue, numeric: false })),
    fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.nat({ max: 10 ** 12 }))
      .map(([negative, whole, fraction]) => ({ value: `${negative ? "-" : ""}${whole}.${String(fraction).padStart(12, "0")}` as CsvValue, numeric: true })),
    fc.constant({ value: null as CsvValue, numeric: false }),
  );

  function expected({ value, numeric }: { value: CsvValue; numeric: boolean }): string {
    if (value === null || value === undefined) return "";
    if (typeof value === "number" || typeof value === "bigint") return String(value);
    const text = String(value);
    if (numeric && /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) return text;
    return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  }

  it("round-trips records", () => {
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const text = rows.map((row) => csvRecord(row.map((c) => c.value), row.map((c) => c.numeric))).join("");
        const parsed = parseCsv(text);
        expect(parsed).toEqual(rows.map((row) => row.map(expected)));
        // No parsed cell starts like a formula unless it is a number the caller meant.
        for (const [r, row] of parsed.entries()) {
          for (const [c, value] of row.entries()) {
            const source = rows[r]?.[c];
            const isNumber = typeof source?.value === "number" || typeof source?.value === "bigint" || (source?.numeric && isPlainNumber(value));
            if (!isNumber) expect(/^[=+\-@\t\r]/.test(value)).toBe(false);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});
