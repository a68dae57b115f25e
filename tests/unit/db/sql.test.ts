import { describe, expect, it } from "vitest";
import { bucketSql, bucketStarts, ceilToUtcDay, floorToBucket, rollupFilterSql, rollupWindowSql } from "@/lib/db/rollup-sql";
import { iso, SqlParams, toCount } from "@/lib/db/sql";

describe("SqlParams", () => {
  it("numbers placeholders in the order values are added, with an optional cast", () => {
    const p = new SqlParams();
    expect(p.add("a")).toBe("$1");
    expect(p.add(["x", "y"], "text[]")).toBe("$2::text[]");
    expect(p.add(null, "uuid")).toBe("$3::uuid");
    expect(p.values).toEqual(["a", ["x", "y"], null]);
  });

  it("lets fragments built by different helpers share one numbering", () => {
    const p = new SqlParams();
    const first = `a = ${p.add(1)}`;
    const filters = rollupFilterSql({ team: "search" }, p);
    const last = `b = ${p.add(2)}`;
    expect(`${first}${filters} AND ${last}`).toBe("a = $1 AND r.team = $2 AND b = $3");
    expect(p.values).toEqual([1, "search", 2]);
  });

  it("teamScope adds nothing for a principal who sees all, and one array parameter for one limited to teams", () => {
    const p = new SqlParams();
    expect(p.teamScope({ kind: "all" })).toBe("");
    expect(p.values).toEqual([]);
    expect(p.teamScope({ kind: "teams", slugs: ["search", "ads"] })).toBe(" AND team = ANY($1::text[])");
    expect(p.teamScope({ kind: "teams", slugs: [] }, "n.team")).toBe(" AND n.team = ANY($2::text[])");
    expect(p.values).toEqual([["search", "ads"], []]);
  });
});

describe("toCount and iso", () => {
  it("reads bigint text as a number and refuses what a number cannot hold exactly", () => {
    expect(toCount("0")).toBe(0);
    expect(toCount("9007199254740991")).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => toCount("9007199254740993")).toThrow(/out of range/);
    expect(() => toCount("1.5")).toThrow(/out of range/);
  });

  it("sends instants as UTC ISO strings", () => {
    expect(iso(new Date(Date.UTC(2026, 11, 6, 10, 30)))).toBe("2026-12-06T10:30:00.000Z");
  });
});

describe("rollupFilterSql", () => {
  it("adds one bound condition per filter given, in a fixed column order, on the alias asked for", () => {
    const p = new SqlParams();
    p.add("first");
    const sql = rollupFilterSql({ model: "gpt", team: "search", environment: "prod", tenant: undefined }, p, "x");
    expect(sql).toBe(" AND x.team = $2 AND x.environment = $3 AND x.model = $4");
    expect(p.values).toEqual(["first", "search", "prod", "gpt"]);
  });

  it("is empty, and adds no parameter, without filters", () => {
    const p = new SqlParams();
    expect(rollupFilterSql({}, p)).toBe("");
    expect(p.values).toEqual([]);
  });

  it("binds values, never interpolates them", () => {
    const p = new SqlParams();
    const sql = rollupFilterSql({ feature: "x' OR true --" }, p);
    expect(sql).toBe(" AND r.feature = $1");
    expect(p.values).toEqual(["x' OR true --"]);
  });
});

describe("buckets", () => {
  it("bucketSql reads the rollup's hour, or its UTC day, as epoch milliseconds", () => {
    expect(bucketSql("hour")).toBe("(extract(epoch FROM r.hour) * 1000)::bigint::text");
    expect(bucketSql("day", "h")).toBe("(extract(epoch FROM date_trunc('day', h.hour, 'UTC')) * 1000)::bigint::text");
  });

  it("floorToBucket and bucketStarts cut time into aligned UTC hours and days", () => {
    const at = new Date("2026-12-06T10:45:00Z");
    expect(new Date(floorToBucket(at, "hour")).toISOString()).toBe("2026-12-06T10:00:00.000Z");
    expect(new Date(floorToBucket(at, "day")).toISOString()).toBe("2026-12-06T00:00:00.000Z");
    const starts = bucketStarts(Date.parse("2026-12-05T00:00:00Z"), new Date("2026-12-07T00:00:00Z"), "day");
    expect(starts.map((t) => new Date(t).toISOString())).toEqual(["2026-12-05T00:00:00.000Z", "2026-12-06T00:00:00.000Z"]);
    expect(bucketStarts(Date.parse("2026-12-05T00:00:00Z"), new Date("2026-12-05T00:00:00Z"), "hour")).toEqual([]);
  });
});

describe("rollupWindowSql", () => {
  it("reads a window within one day from the hourly rollups only", () => {
    const p = new SqlParams();
    const sql = rollupWindowSql(new Date("2026-10-01T02:00:00Z"), new Date("2026-10-01T06:00:00Z"), p);
    expect(sql).toMatch(/^\(SELECT .* FROM usage_rollup_hourly_all WHERE hour >= \$1::timestamptz AND hour < \$2::timestamptz\) AS r$/);
    expect(sql).not.toContain("usage_rollup_daily_all");
    expect(p.values).toEqual(["2026-10-01T02:00:00.000Z", "2026-10-01T06:00:00.000Z"]);
  });

  it("reads whole days from the daily rollups and the edges from the hourly ones, after parameters already added", () => {
    const p = new SqlParams();
    p.add("earlier");
    const sql = rollupWindowSql(new Date("2026-09-30T23:00:00Z"), new Date("2026-10-03T11:00:00Z"), p, "w");
    expect(sql).toContain("FROM usage_rollup_daily_all WHERE hour >= $2::timestamptz AND hour < $3::timestamptz");
    expect(sql).toContain("WHERE (hour >= $4::timestamptz AND hour < $5::timestamptz) OR (hour >= $6::timestamptz AND hour < $7::timestamptz)");
    expect(sql.endsWith(") AS w")).toBe(true);
    expect(p.values).toEqual([
      "earlier",
      "2026-10-01T00:00:00.000Z",
      "2026-10-03T00:00:00.000Z",
      "2026-09-30T23:00:00.000Z",
      "2026-10-01T00:00:00.000Z",
      "2026-10-03T00:00:00.000Z",
      "2026-10-03T11:00:00.000Z",
    ]);
  });

  it("ceilToUtcDay rounds up to the next UTC midnight, and leaves a midnight as it is", () => {
    expect(ceilToUtcDay(new Date("2026-10-01T00:00:00Z")).toISOString()).toBe("2026-10-01T00:00:00.000Z");
    expect(ceilToUtcDay(new Date("2026-10-01T01:00:00Z")).toISOString()).toBe("2026-10-02T00:00:00.000Z");
  });
});
