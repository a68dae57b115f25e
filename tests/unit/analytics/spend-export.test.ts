import { describe, expect, it } from "vitest";
import {
  FOCUS_COLUMNS,
  exportFilename,
  focusCsvLine,
  focusRecord,
  pricingState,
  spendCsv,
  utcDayChunks,
} from "@/lib/analytics/spend-export";
import type { SpendRow } from "@/lib/analytics/spend";
import { csvCell, csvRecord } from "@/lib/http/csv";

const MEASURES = {
  cost_usd: "1.234567890123",
  requests: 3,
  input_tokens: 1200,
  output_tokens: 340,
  cache_read_input_tokens: 100,
  cache_creation_input_tokens: 20,
  reasoning_output_tokens: 40,
  response_cache_hits: 1,
  retries: 1,
  unpriced_requests: 0,
  reported_cost_usd: "0.5",
  retry_cost_usd: "0.400000000001",
  error_cost_usd: "0.000000000000",
};

const ROW: SpendRow = {
  day: "2026-12-31",
  provider: "openai",
  model: "gpt-4o-mini",
  service_tier: "flex",
  team: "search",
  feature: null,
  environment: "production",
  tenant: null,
  ...MEASURES,
};

const DECEMBER = { from: new Date("2026-12-01T00:00:00Z"), to: new Date("2027-01-01T00:00:00Z") };

describe("CSV quoting (RFC 4180)", () => {
  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["cr\rhere", '"cr\rhere"'],
    ["", ""],
    [null, ""],
    [undefined, ""],
    [42, "42"],
    ["0.000000000001", "0.000000000001"],
    [" padded ", " padded "],
  ])("writes %j as %j", (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it("ends every record with CRLF", () => {
    expect(csvRecord(["a", null, 'b"c', 7])).toBe('a,,"b""c",7\r\n');
  });

  it("writes the spend rows with the group keys first, money unchanged", () => {
    const csv = spendCsv({
      group_by: ["team", "day"],
      rows: [
        { team: "a,b", day: "2026-11-01", ...MEASURES, cost_usd: "12345678901234.000000000001" },
        { team: null, day: "2026-11-02", ...MEASURES },
      ],
    });
    expect(csv.split("\r\n")).toEqual([
      "team,day,cost_usd,requests,input_tokens,output_tokens,cache_read_input_tokens,cache_creation_input_tokens,reasoning_output_tokens,response_cache_hits,retries,unpriced_requests,reported_cost_usd,retry_cost_usd,error_cost_usd",
      '"a,b",2026-11-01,12345678901234.000000000001,3,1200,340,100,20,40,1,1,0,0.5,0.400000000001,0.000000000000',
      ",2026-11-02,1.234567890123,3,1200,340,100,20,40,1,1,0,0.5,0.400000000001,0.000000000000",
      "",
    ]);
  });

  it("neutralizes hostile group keys but keeps negative and exact costs as numbers", () => {
    const csv = spendCsv({
      group_by: ["model", "team"],
      rows: [{ model: "=HYPERLINK(\"http://x\")", team: "-2+3", ...MEASURES, cost_usd: "-0.500000000000", reported_cost_usd: "-1", retry_cost_usd: "-0.25" }],
    });
    expect(csv.split("\r\n")[1]).toBe('"\'=HYPERLINK(""http://x"")",\'-2+3,-0.500000000000,3,1200,340,100,20,40,1,1,0,-1,-0.25,0.000000000000');
  });

  it("writes a header alone when there are no rows", () => {
    expect(spendCsv({ group_by: [], rows: [] })).toBe(
      "cost_usd,requests,input_tokens,output_tokens,cache_read_input_tokens,cache_creation_input_tokens,reasoning_output_tokens,response_cache_hits,retries,unpriced_requests,reported_cost_usd,retry_cost_usd,error_cost_usd\r\n",
    );
  });
});

describe("FOCUS row mapping", () => {
  it("maps a priced row, the billing period being the calendar month (December to January)", () => {
    expect(focusRecord(ROW, DECEMBER)).toEqual({
      BillingPeriodStart: "2026-12-01T00:00:00Z",
      BillingPeriodEnd: "2027-01-01T00:00:00Z",
      ChargePeriodStart: "2026-12-31T00:00:00Z",
      ChargePeriodEnd: "2027-01-01T00:00:00Z",
      BilledCost: "1.234567890123",
      EffectiveCost: "1.234567890123",
      ListCost: "1.234567890123",
      BillingCurrency: "USD",
      ConsumedQuantity: "1540",
      ConsumedUnit: "Tokens",
      ChargeCategory: "Usage",
      ServiceCategory: "AI and Machine Learning",
      ServiceName: "OpenAI API",
      ServiceProviderName: "OpenAI",
      SkuId: "gpt-4o-mini",
      PricingUnit: "Tokens",
      Tags: '{"team":"search","environment":"production"}',
      x_PricingState: "priced",
      x_ServiceTier: "flex",
      x_InputTokens: "1200",
      x_OutputTokens: "340",
      x_CacheReadInputTokens: "100",
      x_CacheCreationInputTokens: "20",
      x_ReasoningOutputTokens: "40",
      x_Requests: "3",
      x_Retries: "1",
      x_UnpricedRequests: "0",
    });
  });

  it("names the known providers' services and keeps unknown providers as sent", () => {
    const name = (provider: string) => {
      const record = focusRecord({ ...ROW, provider }, DECEMBER);
      return [record.ServiceName, record.ServiceProviderName];
    };
    expect(name("anthropic")).toEqual(["Anthropic API", "Anthropic"]);
    expect(name("google")).toEqual(["Google Gemini API", "Google"]);
    expect(name("my-gateway")).toEqual(["my-gateway", "my-gateway"]);
  });

  it("leaves every cost empty for unpriced usage and keeps the priced part of a mixed row", () => {
    const unpriced = focusRecord({ ...ROW, cost_usd: "0.000000000000", unpriced_requests: 3 }, DECEMBER);
    expect([unpriced.BilledCost, unpriced.EffectiveCost, unpriced.ListCost, unpriced.x_PricingState]).toEqual(["", "", "", "unpriced"]);
    const mixed = focusRecord({ ...ROW, unpriced_requests: 1 }, DECEMBER);
    expect([mixed.BilledCost, mixed.x_PricingState, mixed.x_UnpricedRequests]).toEqual(["1.234567890123", "partial", "1"]);
    expect(pricingState({ requests: 2, unpriced_requests: 0 })).toBe("priced");
  });

  it("writes {} for an untagged row", () => {
    expect(focusRecord({ ...ROW, team: null, environment: null }, DECEMBER).Tags).toBe("{}");
  });

  it("clips the charge period to the window, keeping milliseconds only when there are some", () => {
    const record = focusRecord({ ...ROW, day: "2026-12-01" }, {
      from: new Date("2026-12-01T10:15:00.250Z"),
      to: new Date("2026-12-01T18:00:00Z"),
    });
    expect([record.ChargePeriodStart, record.ChargePeriodEnd]).toEqual(["2026-12-01T10:15:00.250Z", "2026-12-01T18:00:00Z"]);
    expect(record.BillingPeriodStart).toBe("2026-12-01T00:00:00Z");
  });

  it("adds token counts exactly even past 2^53", () => {
    const big = focusRecord({ ...ROW, input_tokens: Number.MAX_SAFE_INTEGER, output_tokens: 2 }, DECEMBER);
    expect(big.ConsumedQuantity).toBe("9007199254740993");
  });

  it("neutralizes a hostile model and provider in a FOCUS record, costs stay numbers", () => {
    const line = focusCsvLine(focusRecord({ ...ROW, provider: "+cmd|' /C calc'!A0", model: "@SUM(1)", cost_usd: "-0.5" }, DECEMBER));
    const cells = line.trimEnd().split(",");
    expect(cells.slice(4, 7)).toEqual(["-0.5", "-0.5", "-0.5"]);
    expect(cells.slice(12, 15)).toEqual(["'+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0", "'@SUM(1)"]);
  });

  it("writes a record in FOCUS_COLUMNS order, JSON tags quoted", () => {
    const line = focusCsvLine(focusRecord(ROW, DECEMBER));
    expect(line.endsWith("\r\n")).toBe(true);
    expect(line).toContain(',"{""team"":""search"",""environment"":""production""}",priced,flex,');
    expect(line.split(",").slice(0, 8)).toEqual([
      "2026-12-01T00:00:00Z",
      "2027-01-01T00:00:00Z",
      "2026-12-31T00:00:00Z",
      "2027-01-01T00:00:00Z",
      "1.234567890123",
      "1.234567890123",
      "1.234567890123",
      "USD",
    ]);
    expect(FOCUS_COLUMNS).toHaveLength(27);
  });
});

describe("export windows and file names", () => {
  it("cuts a window at UTC midnights", () => {
    const chunks = utcDayChunks(new Date("2026-11-01T22:00:00Z"), new Date("2026-11-03T05:00:00Z"));
    expect(chunks.map((c) => [c.from.toISOString(), c.to.toISOString()])).toEqual([
      ["2026-11-01T22:00:00.000Z", "2026-11-02T00:00:00.000Z"],
      ["2026-11-02T00:00:00.000Z", "2026-11-03T00:00:00.000Z"],
      ["2026-11-03T00:00:00.000Z", "2026-11-03T05:00:00.000Z"],
    ]);
    expect(utcDayChunks(new Date("2026-11-01T00:00:00Z"), new Date("2026-12-01T00:00:00Z"))).toHaveLength(30);
  });

  it("names the window in the file name", () => {
    expect(exportFilename("csv", new Date("2026-11-01T00:00:00Z"), new Date("2026-12-01T00:00:00Z"))).toBe(
      "burnrate-spend-2026-11-01-to-2026-12-01.csv",
    );
    expect(exportFilename("focus", new Date("2026-11-01T10:15:00Z"), new Date("2026-11-02T00:00:00Z"))).toBe(
      "burnrate-focus-20261101T101500Z-to-2026-11-02.csv",
    );
  });
});
