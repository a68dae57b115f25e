import { describe, expect, it } from "vitest";
import { lineItemModel, retryAfterMs } from "@/lib/reconciliation/pull";

/** The pure parts of the pull: which model an OpenAI cost line item names, and how long a 429 asks to wait. */

describe("lineItemModel", () => {
  const models = ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "o1"];

  it("matches a line item that is exactly a model", () => {
    expect(lineItemModel("gpt-4o-2024-08-06", models)).toBe("gpt-4o-2024-08-06");
    expect(lineItemModel("o1", models)).toBe("o1");
  });

  it('matches "model, what" and "model what"', () => {
    expect(lineItemModel("gpt-4o-2024-08-06, input", models)).toBe("gpt-4o-2024-08-06");
    expect(lineItemModel("gpt-4o-mini-2024-07-18, cached input", models)).toBe("gpt-4o-mini-2024-07-18");
    expect(lineItemModel("o1 output", models)).toBe("o1");
  });

  it("does not take a model that is only a prefix of another name", () => {
    // gpt-4o is not gpt-4o-mini: the prefix must be followed by "," or " ".
    expect(lineItemModel("gpt-4o-mini, input", ["gpt-4o", "gpt-4o-mini"])).toBe("gpt-4o-mini");
    expect(lineItemModel("gpt-4o-mini, input", ["gpt-4o"])).toBeNull();
    expect(lineItemModel("gpt-4o, input", ["gpt-4o-mini", "gpt-4o"])).toBe("gpt-4o");
    // A dated snapshot is another model than its alias.
    expect(lineItemModel("gpt-4o-2024-08-06, input", ["gpt-4o"])).toBeNull();
    expect(lineItemModel("o1-pro, input", ["o1"])).toBeNull();
  });

  it("takes the longest of several models that match", () => {
    // "o1 pro, input" starts with both "o1 " and "o1 pro,".
    expect(lineItemModel("o1 pro, input", ["o1", "o1 pro"])).toBe("o1 pro");
    expect(lineItemModel("o1 pro, input", ["o1 pro", "o1"])).toBe("o1 pro");
    expect(lineItemModel("gpt-4o mini batch", ["gpt-4o", "gpt-4o mini"])).toBe("gpt-4o mini");
  });

  it("does not reorder the caller's models", () => {
    const given = ["o1", "o1 pro"];
    lineItemModel("o1 pro, input", given);
    expect(given).toEqual(["o1", "o1 pro"]);
  });

  it("is null when no model is named", () => {
    // The line items of the recorded fixture name none.
    expect(lineItemModel("input_tokens", models)).toBeNull();
    expect(lineItemModel("Image models", models)).toBeNull();
    expect(lineItemModel("Text tokens", models)).toBeNull();
    expect(lineItemModel("gpt-4o-2024-08-06, input", [])).toBeNull();
    // Not a match in the middle of the text.
    expect(lineItemModel("fine-tuned o1, input", models)).toBeNull();
  });

  it("is null for a missing or empty line item", () => {
    expect(lineItemModel(null, models)).toBeNull();
    expect(lineItemModel(undefined, models)).toBeNull();
    expect(lineItemModel("", models)).toBeNull();
  });
});

describe("retryAfterMs", () => {
  const NOW = Date.parse("2026-11-04T00:00:00Z");
  const headers = (init: Record<string, string>) => new Headers(init);

  it("reads seconds", () => {
    expect(retryAfterMs(headers({ "retry-after": "3" }), NOW)).toBe(3_000);
    expect(retryAfterMs(headers({ "retry-after": "0" }), NOW)).toBe(0);
    expect(retryAfterMs(headers({ "retry-after": "120" }), NOW)).toBe(120_000);
    expect(retryAfterMs(headers({ "Retry-After": " 7 " }), NOW)).toBe(7_000);
  });

  it("reads an HTTP date, as the time left until it", () => {
    // 2026-11-04 is a Wednesday; 10 s after NOW.
    expect(retryAfterMs(headers({ "retry-after": "Wed, 04 Nov 2026 00:00:10 GMT" }), NOW)).toBe(10_000);
    expect(retryAfterMs(headers({ "retry-after": "Wed, 04 Nov 2026 00:01:30 GMT" }), NOW)).toBe(90_000);
    // A date already past: no wait.
    expect(retryAfterMs(headers({ "retry-after": "Tue, 03 Nov 2026 23:59:00 GMT" }), NOW)).toBe(0);
  });

  it("prefers retry-after-ms when sent", () => {
    expect(retryAfterMs(headers({ "retry-after-ms": "1500", "retry-after": "3" }), NOW)).toBe(1_500);
    // Fractions of a millisecond round up.
    expect(retryAfterMs(headers({ "retry-after-ms": "12.3" }), NOW)).toBe(13);
    // Not a number: falls back to retry-after.
    expect(retryAfterMs(headers({ "retry-after-ms": "soon", "retry-after": "2" }), NOW)).toBe(2_000);
  });

  it("is null for garbage", () => {
    expect(retryAfterMs(headers({ "retry-after": "soon" }), NOW)).toBeNull();
    expect(retryAfterMs(headers({ "retry-after": "" }), NOW)).toBeNull();
    expect(retryAfterMs(headers({ "retry-after": "120s" }), NOW)).toBeNull();
    expect(retryAfterMs(headers({ "retry-after-ms": "soon" }), NOW)).toBeNull();
  });

  it("is null when absent", () => {
    expect(retryAfterMs(new Headers(), NOW)).toBeNull();
    expect(retryAfterMs(headers({ "content-type": "application/json" }), NOW)).toBeNull();
  });

  it("does not read fractional seconds as a date in 2001", () => {
    // fixtures README §5: Anthropic's SDK reads retry-after as (float) seconds: "1.5" is 1,500 ms, never "retry right now".
    expect(retryAfterMs(headers({ "retry-after": "1.5" }), NOW)).toBe(1_500);
  });

  it("is null for garbage that V8's Date.parse happens to accept", () => {
    // Neither delay-seconds nor an HTTP-date (RFC 9110 §10.2.3): the bounded backoff, not "retry at once".
    expect(retryAfterMs(headers({ "retry-after": "-1" }), NOW)).toBeNull();
    expect(retryAfterMs(headers({ "retry-after": "later 12" }), NOW)).toBeNull();
  });
});
