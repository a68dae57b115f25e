import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { anthropicCostPageSchema, anthropicUsagePageSchema, exactAmounts, openaiCostsPageSchema, openaiUsagePageSchema } from "@/lib/reconciliation/provider-shapes";

/** The providers' report pages, read as the pull reads them: JSON.parse(exactAmounts(text)), then the page schema. */

const FIXTURES = path.resolve("tests/fixtures/reconciliation");
const text = (file: string) => readFileSync(path.join(FIXTURES, file), "utf8");
const read = (file: string): unknown => JSON.parse(exactAmounts(text(file)));

describe("exactAmounts", () => {
  it("keeps OpenAI's cost values as the exact digits sent", () => {
    const page = read("openai-costs.json") as { data: { results: { amount: { value: unknown } }[] }[] };
    expect(page.data.map((bucket) => bucket.results.map((result) => result.amount.value))).toEqual([["5.79781825", "0.32"], ["4.6934078"]]);
  });

  it('turns numbers after "value" and "amount" into strings, and nothing else', () => {
    expect(exactAmounts('{"amount": {"value": 5.79781825, "currency": "usd"}, "quantity": 7979295}')).toBe(
      '{"amount": {"value": "5.79781825", "currency": "usd"}, "quantity": 7979295}',
    );
    expect(exactAmounts('{"amount":12,"value":-0.5}')).toBe('{"amount":"12","value":"-0.5"}');
    expect(exactAmounts('{"value": 1e-7 }')).toBe('{"value": "1e-7" }');
    expect(exactAmounts('{"value": 2.5E+3,\n"x": 1}')).toBe('{"value": "2.5E+3",\n"x": 1}');
    // Already strings, objects, other keys that end in value: untouched.
    expect(exactAmounts('{"amount": "361.3011"}')).toBe('{"amount": "361.3011"}');
    expect(exactAmounts('{"amount": {"value": "12.50"}}')).toBe('{"amount": {"value": "12.50"}}');
    expect(exactAmounts('{"total_value": 1.5, "amounts": 2}')).toBe('{"total_value": 1.5, "amounts": 2}');
  });

  it("keeps digits a double cannot hold", () => {
    const body = '{"value": 12345678901234567.891234567891}';
    expect(JSON.parse(body)).toEqual({ value: 12345678901234568 });
    expect(JSON.parse(exactAmounts(body))).toEqual({ value: "12345678901234567.891234567891" });
  });

  it("changes nothing in a body without amounts", () => {
    const body = text("openai-usage-completions-page1.json");
    expect(exactAmounts(body)).toBe(body);
  });
});

describe("OpenAI pages", () => {
  it("parses both usage pages, following next_page", () => {
    const first = openaiUsagePageSchema.parse(read("openai-usage-completions-page1.json"));
    expect(first.has_more).toBe(true);
    expect(first.next_page).toBe("page_AAAAAGpoCwBvQ3JmAAAAAGpm2YA=");
    expect(first.data).toHaveLength(1);
    expect(first.data[0]?.start_time).toBe(1793577600);
    expect(first.data[0]?.results[0]).toEqual({
      input_tokens: 2551962,
      output_tokens: 284117,
      input_cached_tokens: 612352,
      input_cache_write_tokens: 0,
      num_model_requests: 1204,
      model: "gpt-4o-2024-08-06",
    });
    expect(first.data[0]?.results.map((result) => result.model)).toEqual(["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "gpt-4o-audio-preview-2024-12-17"]);

    const second = openaiUsagePageSchema.parse(read("openai-usage-completions-page2.json"));
    expect(second.has_more).toBe(false);
    expect(second.next_page).toBeNull();
    expect(second.data[0]?.start_time).toBe(1793664000);
  });

  it("parses the costs page with exact amounts", () => {
    const page = openaiCostsPageSchema.parse(read("openai-costs.json"));
    expect(page.has_more).toBe(false);
    expect(page.data.map((bucket) => bucket.results.map((result) => [result.line_item, result.amount.value, result.amount.currency]))).toEqual([
      [
        ["input_tokens", "5.79781825", "usd"],
        ["Image models", "0.32", "usd"],
      ],
      [["input_tokens", "4.6934078", "usd"]],
    ]);
  });

  it("accepts cost values sent as strings (as live answers have been)", () => {
    const page = openaiCostsPageSchema.parse({
      data: [{ start_time: 1, end_time: 2, results: [{ amount: { value: "12.50", currency: "usd" }, line_item: "Text tokens" }] }],
      has_more: false,
      next_page: null,
    });
    expect(page.data[0]?.results[0]?.amount.value).toBe("12.50");
  });

  it("treats missing cache counts as 0 and model as optional", () => {
    const page = openaiUsagePageSchema.parse({
      data: [{ start_time: 1, end_time: 2, results: [{ input_tokens: 10, output_tokens: 5, num_model_requests: 1, input_cached_tokens: null }] }],
      has_more: false,
    });
    expect(page.data[0]?.results[0]).toEqual({ input_tokens: 10, output_tokens: 5, num_model_requests: 1, input_cached_tokens: 0, input_cache_write_tokens: 0 });
  });

  it("refuses a changed answer, naming the field", () => {
    const page = JSON.parse(exactAmounts(text("openai-usage-completions-page1.json"))) as { data: { results: Record<string, unknown>[] }[] };
    delete page.data[0]?.results[0]?.output_tokens;
    const parsed = openaiUsagePageSchema.safeParse(page);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["data", 0, "results", 0, "output_tokens"]);

    const costs = openaiCostsPageSchema.safeParse({
      data: [{ start_time: 1, end_time: 2, results: [{ amount: { value: "twelve", currency: "usd" } }] }],
      has_more: false,
    });
    expect(costs.success).toBe(false);
    expect(costs.error?.issues[0]?.path).toEqual(["data", 0, "results", 0, "amount", "value"]);
    expect(costs.error?.issues[0]?.message).toBe("must be a decimal number");

    const negative = openaiUsagePageSchema.safeParse({ data: [{ start_time: 1, end_time: 2, results: [{ input_tokens: -1, output_tokens: 0, num_model_requests: 0 }] }], has_more: false });
    expect(negative.success).toBe(false);
  });
});

describe("Anthropic pages", () => {
  it("parses both usage pages, following next_page", () => {
    const first = anthropicUsagePageSchema.parse(read("anthropic-usage-messages-page1.json"));
    expect(first.has_more).toBe(true);
    expect(first.next_page).toBe("page_MjAyNi0xMS0wM1QwMDowMDowMFo=");
    expect(first.data[0]?.starting_at).toBe("2026-11-02T00:00:00Z");
    expect(first.data[0]?.results[0]).toEqual({
      uncached_input_tokens: 1204337,
      cache_creation: { ephemeral_1h_input_tokens: 120448, ephemeral_5m_input_tokens: 845120 },
      cache_read_input_tokens: 9873552,
      output_tokens: 412908,
      model: "claude-sonnet-4-5-20250929",
    });
    expect(first.data[0]?.results.map((result) => result.model)).toEqual(["claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"]);

    const second = anthropicUsagePageSchema.parse(read("anthropic-usage-messages-page2.json"));
    expect(second.has_more).toBe(false);
    expect(second.next_page).toBeNull();
    expect(second.data[0]?.starting_at).toBe("2026-11-03T00:00:00Z");
  });

  it("parses the cost report, amounts (cents) kept as the strings sent", () => {
    const page = anthropicCostPageSchema.parse(read("anthropic-cost-report.json"));
    expect(page.has_more).toBe(false);
    expect(page.data).toHaveLength(2);
    const [first, second] = page.data;
    expect(first?.results[0]).toEqual({
      amount: "361.3011",
      currency: "USD",
      model: "claude-sonnet-4-5-20250929",
      description: "Claude Sonnet 4.5 Usage - Input Tokens",
    });
    expect(first?.results.at(-1)).toEqual({ amount: "14", currency: "USD", model: null, description: "Web Search Usage" });
    expect(second?.results.at(-1)).toEqual({ amount: "5", currency: "USD", model: null, description: "Code Execution Usage" });
    expect(page.data.flatMap((bucket) => bucket.results).every((result) => typeof result.amount === "string")).toBe(true);
  });

  it("accepts a result without cache_creation or cache reads", () => {
    const page = anthropicUsagePageSchema.parse({
      data: [{ starting_at: "2026-11-02T00:00:00Z", ending_at: "2026-11-03T00:00:00Z", results: [{ uncached_input_tokens: 5, output_tokens: 1, cache_creation: null }] }],
      has_more: false,
      next_page: null,
    });
    expect(page.data[0]?.results[0]).toEqual({ uncached_input_tokens: 5, output_tokens: 1, cache_creation: null, cache_read_input_tokens: 0 });
  });

  it("refuses an amount that is not a decimal number", () => {
    const parsed = anthropicCostPageSchema.safeParse({
      data: [{ starting_at: "2026-11-02T00:00:00Z", ending_at: "2026-11-03T00:00:00Z", results: [{ amount: "$1.00", currency: "USD" }] }],
      has_more: false,
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["data", 0, "results", 0, "amount"]);
  });
});
