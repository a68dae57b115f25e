import { describe, expect, it } from "vitest";
import { z } from "zod";
import { JUMP_MIN_REQUESTS, JUMP_THRESHOLD_PCT } from "@/lib/analytics/tokens-per-request";
import {
  RULE_FIELDS,
  TOKENS_JUMP_MIN_REQUESTS,
  TOKENS_JUMP_PCT,
  changedParams,
  defaultParams,
  describeRule,
  formValuesOf,
  formatUsdShort,
  paramsFromForm,
  tryDescribeRule,
} from "@/lib/alerts/rule-describe";
import { ALERT_RULE_TYPES, RULE_PARAMS_SCHEMAS } from "@/lib/schemas/alerts";

describe("describeRule: the sentence of every type, with its defaults", () => {
  it.each([
    ["budget_threshold", "Fires when spend under a budget reaches one of the budget's thresholds this month."],
    ["budget_forecast", "Fires when the month-end forecast of a budget exceeds its amount, once the forecast rests on at least 1 complete day."],
    ["spend_spike", "Fires when a team's hourly or daily spend is more than 100% above its 7-day baseline and at least $5 above it."],
    [
      "cache_hit_rate_drop",
      "Fires when a feature's prompt-cache hit rate is at least 15 percentage points below its median over the previous 24 hours for 3 hours or more (counting hours with at least 50 requests).",
    ],
    [
      "tokens_per_request_jump",
      "Fires when the average input or output tokens per request of a feature rise at least 25% in the last 7 days against the 28 days before (with at least 50 requests in each).",
    ],
    ["unpriced_spend", "Fires when any request this month has no price."],
    ["untagged_spend", "Fires when spend without a team tag is at least 5% of this month's spend and at least $1."],
  ] as const)("%s", (type, sentence) => {
    expect(describeRule(type, {})).toBe(sentence);
  });
});

describe("describeRule: tuned params", () => {
  it("spend_spike: the issue's example, one window, no floor, all spend together", () => {
    expect(describeRule("spend_spike", { windows: ["hour"], relative: 1, floor_usd: "5" })).toBe(
      "Fires when a team's hourly spend is more than 100% above its 7-day baseline and at least $5 above it.",
    );
    expect(describeRule("spend_spike", { windows: ["day"], relative: 0.5, floor_usd: "0", baseline_days: 14, group_by: "none" })).toBe(
      "Fires when total daily spend is more than 50% above its 14-day baseline.",
    );
    expect(describeRule("spend_spike", { relative: 0, floor_usd: "12.5" })).toBe(
      "Fires when a team's hourly or daily spend is above its 7-day baseline and at least $12.50 above it.",
    );
  });

  it("budget_forecast with a margin, and with no minimum basis", () => {
    expect(describeRule("budget_forecast", { margin_pct: 10, min_basis_days: 3 })).toBe(
      "Fires when the month-end forecast of a budget exceeds its amount by more than 10%, once the forecast rests on at least 3 complete days.",
    );
    expect(describeRule("budget_forecast", { min_basis_days: 0 })).toBe("Fires when the month-end forecast of a budget exceeds its amount.");
  });

  it("cache_hit_rate_drop in daily buckets per tenant, with the bucket-dependent defaults", () => {
    expect(describeRule("cache_hit_rate_drop", { group_by: "tenant", bucket: "day", drop_pp: 1, min_requests: 0 })).toBe(
      "Fires when a tenant's prompt-cache hit rate is at least 1 percentage point below its median over the previous 7 days for 1 day or more.",
    );
    expect(describeRule("cache_hit_rate_drop", { group_by: "team", baseline_buckets: 48, min_buckets: 6, min_requests: 1 })).toBe(
      "Fires when a team's prompt-cache hit rate is at least 15 percentage points below its median over the previous 48 hours for 6 hours or more (counting hours with at least 1 request).",
    );
  });

  it("tokens_per_request_jump on one side; unpriced with a minimum; untagged by another tag", () => {
    expect(describeRule("tokens_per_request_jump", { on: "output" })).toBe(
      "Fires when the average output tokens per request of a feature rise at least 25% in the last 7 days against the 28 days before (with at least 50 requests in each).",
    );
    expect(describeRule("unpriced_spend", { min_requests: 10 })).toBe("Fires when 10 or more requests this month have no price.");
    expect(describeRule("untagged_spend", { tag: "feature", share_pct: 12.5, min_untagged_usd: "0" })).toBe(
      "Fires when spend without a feature tag is at least 12.5% of this month's spend.",
    );
  });

  it("names the problem of params that do not validate", () => {
    expect(describeRule("spend_spike", { relative: -1 })).toMatch(/^Not evaluated: its parameters are not valid \(relative /);
    expect(tryDescribeRule("unpriced_spend", { bogus: 1 })).toMatchObject({ ok: false, problems: [{ path: "" }] });
  });
});

describe("describeRule: scoped rules", () => {
  const team = { scope: { team: "support" } };
  it.each([
    ["budget_threshold", "Fires when spend under a budget of team support reaches one of the budget's thresholds this month."],
    ["budget_forecast", "Fires when the month-end forecast of a budget of team support exceeds its amount, once the forecast rests on at least 1 complete day."],
    ["spend_spike", "Fires when team support's hourly or daily spend is more than 100% above its 7-day baseline and at least $5 above it."],
    [
      "cache_hit_rate_drop",
      "Fires when a feature's prompt-cache hit rate in team support is at least 15 percentage points below its median over the previous 24 hours for 3 hours or more (counting hours with at least 50 requests).",
    ],
    [
      "tokens_per_request_jump",
      "Fires when the average input or output tokens per request of a feature in team support rise at least 25% in the last 7 days against the 28 days before (with at least 50 requests in each).",
    ],
    ["unpriced_spend", "Fires when any request in team support this month has no price."],
    ["untagged_spend", "Fires when spend in team support without a feature tag is at least 5% of this month's spend and at least $1."],
  ] as const)("%s to a team", (type, sentence) => {
    expect(describeRule(type, type === "untagged_spend" ? { tag: "feature" } : {}, team)).toBe(sentence);
  });

  it("budget rules scoped to one budget", () => {
    const budget = { budget: { name: "Support monthly" } };
    expect(describeRule("budget_threshold", {}, budget)).toBe('Fires when spend under budget "Support monthly" reaches one of the budget\'s thresholds this month.');
    expect(describeRule("budget_forecast", { margin_pct: 5 }, budget)).toBe(
      'Fires when the month-end forecast of budget "Support monthly" exceeds its amount by more than 5%, once the forecast rests on at least 1 complete day.',
    );
  });

  it("several tags, the grouping tag fixed by the scope, empty tags ignored", () => {
    expect(describeRule("spend_spike", { group_by: "none" }, { scope: { team: "search", environment: "prod" } })).toBe(
      "Fires when team search's hourly or daily spend in environment prod is more than 100% above its 7-day baseline and at least $5 above it.",
    );
    expect(describeRule("cache_hit_rate_drop", {}, { scope: { team: "search", feature: "triage" } })).toBe(
      "Fires when feature triage's prompt-cache hit rate in team search is at least 15 percentage points below its median over the previous 24 hours for 3 hours or more (counting hours with at least 50 requests).",
    );
    expect(describeRule("unpriced_spend", {}, { scope: { team: "", tenant: "acme" } })).toBe("Fires when any request in tenant acme this month has no price.");
  });
});

describe("RULE_FIELDS: the form follows the params schemas", () => {
  it.each(ALERT_RULE_TYPES)("%s: one field per schema key, bounds and choices from the schema", (type) => {
    const shape = RULE_PARAMS_SCHEMAS[type].shape as Record<string, z.ZodType>;
    expect(RULE_FIELDS[type].map((f) => f.name).sort()).toEqual(Object.keys(shape).sort());
    for (const field of RULE_FIELDS[type]) {
      expect(field.label).not.toBe("");
      expect(field.help).not.toBe("");
      if (field.kind === "select" || field.kind === "checkboxes") expect(field.options?.length).toBeGreaterThan(1);
      if (field.kind === "integer" || field.kind === "number") {
        // The form's bounds are valid params, and one step past them is not.
        const scale = field.scale ?? 1;
        const atMin = { [field.name]: (field.min ?? 0) / scale };
        const belowMin = { [field.name]: (field.min ?? 0) / scale - 1 };
        expect(RULE_PARAMS_SCHEMAS[type].safeParse(atMin).success).toBe(true);
        expect(RULE_PARAMS_SCHEMAS[type].safeParse(belowMin).success).toBe(false);
        expect(RULE_PARAMS_SCHEMAS[type].safeParse({ [field.name]: (field.max ?? 0) / scale }).success).toBe(true);
      }
    }
  });

  it("has the bounds written out for spend_spike (relative shown as a percentage)", () => {
    expect(RULE_FIELDS.spend_spike.map((f) => [f.name, f.kind, f.unit, f.min, f.max])).toEqual([
      ["windows", "checkboxes", undefined, undefined, undefined],
      ["relative", "number", "%", 0, 100000],
      ["floor_usd", "usd", "USD", 0, undefined],
      ["baseline_days", "integer", "days", 1, 28],
      ["group_by", "select", undefined, undefined, undefined],
    ]);
  });

  it("keeps the tokens jump constants equal to the analytics module's", () => {
    expect([TOKENS_JUMP_PCT, TOKENS_JUMP_MIN_REQUESTS]).toEqual([JUMP_THRESHOLD_PCT, JUMP_MIN_REQUESTS]);
  });
});

describe("form values ⇄ params", () => {
  it("shows relative as a percentage and converts it back exactly", () => {
    const values = formValuesOf("spend_spike", { relative: 0.333, windows: ["hour"] });
    expect(values).toEqual({ windows: ["hour"], relative: "33.3", floor_usd: "5", baseline_days: "7", group_by: "team" });
    const { params, problems } = paramsFromForm("spend_spike", { ...values, relative: "150" });
    expect(problems).toEqual([]);
    expect(params).toEqual({ windows: ["hour"], relative: 1.5, floor_usd: "5", baseline_days: 7, group_by: "team" });
  });

  it("reports each field's problem with the schema's message (bounds in the form's unit)", () => {
    const { problems } = paramsFromForm("spend_spike", { windows: [], relative: "200000", floor_usd: "five", baseline_days: "0", group_by: "team" });
    expect(problems).toEqual([
      { field: "windows", message: "name at least one window" },
      { field: "relative", message: "must be from 0 to 100000" },
      { field: "floor_usd", message: 'must be a decimal amount in USD, e.g. "5" or "0.50"' },
      { field: "baseline_days", message: "must be an integer from 1 to 28" },
    ]);
    expect(paramsFromForm("unpriced_spend", { min_requests: "abc" }).problems).toEqual([{ field: "min_requests", message: "must be a number" }]);
    expect(paramsFromForm("unpriced_spend", { min_requests: " " }).problems).toEqual([{ field: "min_requests", message: "must not be empty" }]);
    expect(paramsFromForm("unpriced_spend", { min_requests: "2.5" }).problems).toEqual([{ field: "min_requests", message: "must be an integer from 1 to 1000000000" }]);
  });

  it("leaves an optional field empty for its default, and sends only what changed", () => {
    const values = formValuesOf("cache_hit_rate_drop", { baseline_buckets: 48 });
    expect(values.baseline_buckets).toBe("48");
    expect(values.min_buckets).toBe("");
    const { params, problems } = paramsFromForm("cache_hit_rate_drop", { ...values, baseline_buckets: "", drop_pp: "20" });
    expect(problems).toEqual([]);
    expect(changedParams(params, { ...defaultParams("cache_hit_rate_drop"), baseline_buckets: 48 })).toEqual({ drop_pp: 20, baseline_buckets: null });
    expect(changedParams(paramsFromForm("spend_spike", formValuesOf("spend_spike", {})).params, defaultParams("spend_spike"))).toEqual({});
  });

  it("writes whole dollars without cents", () => {
    expect([formatUsdShort("5"), formatUsdShort("0.5"), formatUsdShort("1000"), formatUsdShort("12.345")]).toEqual(["$5", "$0.50", "$1,000", "$12.35"]);
  });
});
