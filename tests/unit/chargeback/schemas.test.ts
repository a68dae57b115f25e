import { describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  addMonths,
  chargebackQuerySchema,
  closeMonthSchema,
  createAllocationRuleSchema,
  monthKey,
  monthSchema,
  monthStart,
  previewAllocationRuleSchema,
  reopenMonthQuerySchema,
  ruleMatchSchema,
  statementQuerySchema,
  updateAllocationRuleSchema,
} from "@/lib/schemas/chargeback";

/** Chargeback's request schemas: what they accept, what they normalize, and the path each refusal names. */

const VALID_FIXED = {
  name: "Shared platform",
  match: { team: "platform" },
  method: "fixed",
  targets: [
    { team: "search", percent: "33.3" },
    { team: "chat", percent: "33.3" },
    { team: "ads", percent: "33.4" },
  ],
  effective_from: "2026-11",
};

const VALID_PROPORTIONAL = { name: "Untagged", match: { team: null }, method: "proportional", effective_from: "2026-11" };

type Issue = { path: PropertyKey[]; code: string; message: string };

function issues(result: z.ZodSafeParseResult<unknown>): Issue[] {
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((i) => ({ path: i.path, code: i.code, message: i.message }));
}

function paths(result: z.ZodSafeParseResult<unknown>): PropertyKey[][] {
  return issues(result).map((i) => i.path);
}

describe("monthSchema", () => {
  it("accepts real months from 2015-01 to 2099-12", () => {
    for (const month of ["2015-01", "2026-11", "2026-12", "2099-12"]) expect(monthSchema.parse(month)).toBe(month);
  });

  it("refuses impossible, out-of-range and badly written months", () => {
    for (const month of ["2026-13", "2026-00", "2014-12", "2100-01", "2026-1", "26-11", "2026-11-01", "2026/11", " 2026-11", ""]) {
      expect(monthSchema.safeParse(month).success, month).toBe(false);
    }
    expect(monthSchema.safeParse(202611).success).toBe(false);
    expect(monthSchema.safeParse(undefined).success).toBe(false);
  });

  it("names the field in a rule", () => {
    for (const month of ["2026-13", "2014-12", "2026-1"]) {
      expect(paths(createAllocationRuleSchema.safeParse({ ...VALID_PROPORTIONAL, effective_from: month }))).toEqual([["effective_from"]]);
    }
  });
});

describe("createAllocationRuleSchema", () => {
  it("accepts a fixed rule and keeps the percents as exact decimal strings", () => {
    expect(createAllocationRuleSchema.parse(VALID_FIXED)).toEqual(VALID_FIXED);
  });

  it("parses a percent given as a number to its exact decimal text (33.3 → \"33.3\")", () => {
    const parsed = createAllocationRuleSchema.parse({
      ...VALID_FIXED,
      targets: [
        { team: "search", percent: 33.3 },
        { team: "chat", percent: 33.3 },
        { team: "ads", percent: 33.4 },
      ],
    });
    expect(parsed.targets).toEqual(VALID_FIXED.targets);
  });

  it("normalizes percents written with trailing zeros or an exponent", () => {
    const parsed = createAllocationRuleSchema.parse({
      ...VALID_FIXED,
      targets: [
        { team: "search", percent: "050.000" },
        { team: "chat", percent: "2.5e1" },
        { team: "ads", percent: 25 },
      ],
    });
    expect(parsed.targets?.map((t) => t.percent)).toEqual(["50", "25", "25"]);
  });

  it("accepts team null (untagged spend) and normalizes a provider name (\"OpenAI\" → \"openai\")", () => {
    expect(createAllocationRuleSchema.parse(VALID_PROPORTIONAL).match).toEqual({ team: null });
    expect(createAllocationRuleSchema.parse({ ...VALID_PROPORTIONAL, match: { provider: "OpenAI" } }).match).toEqual({ provider: "openai" });
    expect(createAllocationRuleSchema.parse({ ...VALID_PROPORTIONAL, match: { provider: "openai.chat", model: "gpt-4o" } }).match).toEqual({
      provider: "openai",
      model: "gpt-4o",
    });
  });

  it("a fixed rule without targets: refused at [\"targets\"]", () => {
    const { targets: _targets, ...withoutTargets } = VALID_FIXED;
    expect(paths(createAllocationRuleSchema.safeParse(withoutTargets))).toEqual([["targets"]]);
    expect(paths(createAllocationRuleSchema.safeParse({ ...VALID_FIXED, targets: [] }))).toEqual([["targets"]]);
    expect(paths(createAllocationRuleSchema.safeParse({ ...VALID_FIXED, targets: null }))).toEqual([["targets"]]);
  });

  it("percents summing to 99.9 (or 100.1): refused at [\"targets\"], the message giving the sum", () => {
    const low = issues(
      createAllocationRuleSchema.safeParse({
        ...VALID_FIXED,
        targets: [
          { team: "search", percent: "33.3" },
          { team: "chat", percent: "33.3" },
          { team: "ads", percent: "33.3" },
        ],
      }),
    );
    expect(low.map((i) => i.path)).toEqual([["targets"]]);
    expect(low[0]?.message).toContain("99.9");
    expect(
      paths(
        createAllocationRuleSchema.safeParse({
          ...VALID_FIXED,
          targets: [
            { team: "search", percent: "50" },
            { team: "chat", percent: "50.1" },
          ],
        }),
      ),
    ).toEqual([["targets"]]);
  });

  it("a target team named twice: refused at [\"targets\", i, \"team\"] for the second mention", () => {
    expect(
      paths(
        createAllocationRuleSchema.safeParse({
          ...VALID_FIXED,
          targets: [
            { team: "search", percent: "25" },
            { team: "chat", percent: "25" },
            { team: "search", percent: "50" },
          ],
        }),
      ),
    ).toEqual([["targets", 2, "team"]]);
  });

  it("targets on an even or proportional rule: refused at [\"targets\"] (an empty list or null is fine)", () => {
    for (const method of ["even", "proportional"]) {
      expect(paths(createAllocationRuleSchema.safeParse({ ...VALID_FIXED, method }))).toEqual([["targets"]]);
      expect(createAllocationRuleSchema.safeParse({ ...VALID_FIXED, method, targets: [] }).success).toBe(true);
      expect(createAllocationRuleSchema.safeParse({ ...VALID_FIXED, method, targets: null }).success).toBe(true);
    }
  });

  it("a percent out of range, not a number, or with more than 6 decimals: refused at its own path", () => {
    for (const percent of ["0", 0, "-10", -10, "100.5", 101, "abc", "", "1,5", Number.NaN, Number.POSITIVE_INFINITY, "12.1234567", 0.1 + 0.2, 1e-7]) {
      const result = createAllocationRuleSchema.safeParse({
        ...VALID_FIXED,
        targets: [
          { team: "search", percent },
          { team: "chat", percent: "50" },
        ],
      });
      expect(paths(result), String(percent)).toContainEqual(["targets", 0, "percent"]);
    }
    // Six decimals are fine.
    expect(
      createAllocationRuleSchema.parse({
        ...VALID_FIXED,
        targets: [
          { team: "search", percent: "33.333333" },
          { team: "chat", percent: "66.666667" },
        ],
      }).targets?.map((t) => t.percent),
    ).toEqual(["33.333333", "66.666667"]);
  });

  it("an empty match, or one with only undefined keys: refused at [\"match\"]", () => {
    expect(paths(createAllocationRuleSchema.safeParse({ ...VALID_PROPORTIONAL, match: {} }))).toEqual([["match"]]);
    expect(paths(createAllocationRuleSchema.safeParse({ ...VALID_PROPORTIONAL, match: { team: undefined } }))).toEqual([["match"]]);
  });

  it("an unknown key in match: refused at [\"match\"], naming the key", () => {
    const found = createAllocationRuleSchema.safeParse({ ...VALID_PROPORTIONAL, match: { team: "a", colour: "blue" } });
    const all = found.error?.issues ?? [];
    expect(all.map((i) => [i.path, i.code])).toEqual([[["match"], "unrecognized_keys"]]);
    expect((all[0] as { keys?: string[] }).keys).toEqual(["colour"]);
  });

  it("empty match values and unknown top-level keys are refused at their paths", () => {
    expect(paths(createAllocationRuleSchema.safeParse({ ...VALID_PROPORTIONAL, match: { feature: "" } }))).toEqual([["match", "feature"]]);
    expect(paths(createAllocationRuleSchema.safeParse({ ...VALID_PROPORTIONAL, match: { model: "m".repeat(257) } }))).toEqual([["match", "model"]]);
    expect(paths(createAllocationRuleSchema.safeParse({ ...VALID_PROPORTIONAL, priority: 1 }))).toEqual([[]]);
    expect(paths(createAllocationRuleSchema.safeParse({ ...VALID_PROPORTIONAL, method: "weighted" }))).toEqual([["method"]]);
    expect(paths(createAllocationRuleSchema.safeParse({ ...VALID_PROPORTIONAL, name: "   " }))).toEqual([["name"]]);
    expect(paths(createAllocationRuleSchema.safeParse({ ...VALID_FIXED, targets: [{ team: "search", percent: "100", extra: 1 }] }))).toEqual([
      ["targets", 0],
    ]);
  });

  // A blank provider normalizes to "": it would match the lines whose provider is missing, so it is refused.
  it("refuses a blank provider in match (\"   \") at [\"provider\"]", () => {
    expect(paths(ruleMatchSchema.safeParse({ provider: "   " }))).toEqual([["provider"]]);
  });
});

describe("updateAllocationRuleSchema and previewAllocationRuleSchema", () => {
  it("an update may name any field alone, but must name one", () => {
    expect(updateAllocationRuleSchema.parse({ name: "New name" })).toEqual({ name: "New name" });
    expect(updateAllocationRuleSchema.parse({ match: { provider: "Anthropic" } })).toEqual({ match: { provider: "anthropic" } });
    expect(updateAllocationRuleSchema.parse({ targets: [{ team: "a", percent: 100 }] })).toEqual({ targets: [{ team: "a", percent: "100" }] });
    expect(paths(updateAllocationRuleSchema.safeParse({}))).toEqual([[]]);
    expect(paths(updateAllocationRuleSchema.safeParse({ effective_from: "2026-13" }))).toEqual([["effective_from"]]);
    expect(paths(updateAllocationRuleSchema.safeParse({ match: {} }))).toEqual([["match"]]);
    // An unknown key is refused (and, naming nothing known, the change is empty too).
    expect(issues(updateAllocationRuleSchema.safeParse({ id: "x" })).map((i) => [i.path, i.code])).toEqual([
      [[], "unrecognized_keys"],
      [[], "custom"],
    ]);
  });

  it("a preview is a whole rule plus an optional month and replace_id", () => {
    const id = "0b7c2f7e-4a51-4c1e-9d3e-6b1f2a3c4d5e";
    expect(previewAllocationRuleSchema.parse({ ...VALID_FIXED, month: "2026-12", replace_id: id })).toEqual({ ...VALID_FIXED, month: "2026-12", replace_id: id });
    expect(paths(previewAllocationRuleSchema.safeParse({ ...VALID_FIXED, replace_id: "not-a-uuid" }))).toEqual([["replace_id"]]);
    expect(paths(previewAllocationRuleSchema.safeParse({ ...VALID_FIXED, month: "2026-13" }))).toEqual([["month"]]);
    expect(paths(previewAllocationRuleSchema.safeParse({ ...VALID_FIXED, targets: [{ team: "a", percent: "99.9" }] }))).toEqual([["targets"]]);
  });
});

describe("query schemas", () => {
  it("chargebackQuerySchema: month required, format json by default", () => {
    expect(chargebackQuerySchema.parse({ month: "2026-11" })).toEqual({ month: "2026-11", format: "json" });
    expect(chargebackQuerySchema.parse({ month: "2026-11", format: "csv" })).toEqual({ month: "2026-11", format: "csv" });
    expect(paths(chargebackQuerySchema.safeParse({}))).toEqual([["month"]]);
    expect(paths(chargebackQuerySchema.safeParse({ month: "2026-11", format: "xml" }))).toEqual([["format"]]);
  });

  it("an unknown query parameter is refused by its name", () => {
    const found = issues(chargebackQuerySchema.safeParse({ month: "2026-11", team: "a" }));
    expect(found.map((i) => i.path)).toEqual([["team"]]);
    expect(found[0]?.message).toContain("unknown query parameter");
    expect(paths(statementQuerySchema.safeParse({ month: "2026-11", team: "a", tenant: "t1" }))).toEqual([["tenant"]]);
    expect(paths(reopenMonthQuerySchema.safeParse({ month: "2026-11", force: "1" }))).toEqual([["force"]]);
  });

  it("statementQuerySchema needs a team; closeMonthSchema a month and nothing else", () => {
    expect(statementQuerySchema.parse({ month: "2026-11", team: "search" })).toEqual({ month: "2026-11", team: "search", format: "json" });
    expect(paths(statementQuerySchema.safeParse({ month: "2026-11" }))).toEqual([["team"]]);
    expect(paths(statementQuerySchema.safeParse({ month: "2026-11", team: "" }))).toEqual([["team"]]);
    expect(closeMonthSchema.parse({ month: "2026-11" })).toEqual({ month: "2026-11" });
    expect(paths(closeMonthSchema.safeParse({ month: "2026-11", note: "x" }))).toEqual([[]]);
  });
});

describe("month helpers", () => {
  it("monthStart is the first UTC instant of the month, or of the month `offset` away", () => {
    expect(monthStart("2026-11")).toEqual(new Date("2026-11-01T00:00:00.000Z"));
    expect(monthStart("2026-11", 1)).toEqual(new Date("2026-12-01T00:00:00.000Z"));
    expect(monthStart("2026-12", 1)).toEqual(new Date("2027-01-01T00:00:00.000Z"));
    expect(monthStart("2026-01", -1)).toEqual(new Date("2025-12-01T00:00:00.000Z"));
    expect(monthStart("2026-03", -13)).toEqual(new Date("2025-02-01T00:00:00.000Z"));
  });

  it("addMonths crosses years both ways", () => {
    expect(addMonths("2026-12", 1)).toBe("2027-01");
    expect(addMonths("2026-01", -1)).toBe("2025-12");
    expect(addMonths("2026-11", 0)).toBe("2026-11");
    expect(addMonths("2026-11", 26)).toBe("2029-01");
  });

  it("monthKey is the UTC month of an instant", () => {
    expect(monthKey(new Date("2026-11-30T23:59:59.999Z"))).toBe("2026-11");
    expect(monthKey(new Date("2026-12-01T00:00:00.000Z"))).toBe("2026-12");
    expect(monthKey(new Date("2026-12-01T00:30:00+01:00"))).toBe("2026-11");
  });
});
