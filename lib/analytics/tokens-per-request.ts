import "server-only";
import { dbOf, teamScopeOf, type Ctx } from "@/lib/context";
import type { TeamScope } from "@/lib/auth/permissions";
import { Money } from "@/lib/money";
import { BUCKET_MS, type Bucket, type TokensGroupBy, type TokensPerRequestQuery } from "@/lib/schemas/cache";
import { bucketSql, bucketStarts, floorToBucket, rollupFilterSql } from "@/lib/db/rollup-sql";
import { hourlySourceSql } from "@/lib/db/tag-rollup-sql";
import { reportTagOf } from "@/lib/schemas/cache";
import { isTagDimension } from "@/lib/schemas/spend";
import { iso, rows, SqlParams, toCount, type Queryable } from "@/lib/db/sql";

/**
 * Average input and output tokens per request, from the hourly rollups, per bucket and
 * group: a prompt that grew (a new version stuffing more context, an agent looping
 * longer) shows up here before it shows up on the bill.
 *
 * Sums and counts are exact integers; an average is tokens / requests (every request,
 * errors and response-cache hits included) as a decimal string with 1 decimal
 * (half-even), null without requests.
 *
 * The jump rule, per group and overall, independent of `from` and of the bucket size:
 * - recent = the 7 days before `to`, prior = the 28 days before that;
 * - each needs at least JUMP_MIN_REQUESTS requests, else no jump is flagged;
 * - input_jump when recent avg input tokens/request >= 1.25 × prior's (and above it),
 *   compared exactly in integers; output_jump likewise; jump = either.
 * - *_change_pct = (recent avg / prior avg − 1) × 100 with 1 decimal, null when either
 *   average is missing or the prior one is 0.
 *
 * group_by=prompt_version groups by feature AND prompt_version (a "v2" only means
 * something within its feature): the group's `key` is the version, `feature` its feature.
 */

export const JUMP_RECENT_DAYS = 7;
export const JUMP_PRIOR_DAYS = 28;
export const JUMP_THRESHOLD_PCT = 25;
export const JUMP_MIN_REQUESTS = 50;

export interface TokensMetrics {
  requests: number;
  input_tokens: number;
  output_tokens: number;
  /** input_tokens / requests, 1 decimal; null without requests. */
  avg_input_tokens: string | null;
  avg_output_tokens: string | null;
}

export interface TokensPoint extends TokensMetrics {
  /** Start of the bucket (UTC hour or day); the first and last may be partial. */
  bucket: string;
}

export interface TokensJump {
  recent: TokensMetrics;
  prior: TokensMetrics;
  input_change_pct: string | null;
  output_change_pct: string | null;
  input_jump: boolean;
  output_jump: boolean;
  jump: boolean;
}

export interface TokensGroup {
  /** The feature, prompt version or model; null = untagged. */
  key: string | null;
  /** Only with group_by=prompt_version: the feature the version belongs to. */
  feature?: string | null;
  totals: TokensMetrics;
  series: TokensPoint[];
  jump: TokensJump;
}

export interface TokensPerRequestReport {
  from: string;
  to: string;
  bucket: Bucket;
  group_by: TokensGroupBy;
  jump_rule: {
    recent_days: number;
    prior_days: number;
    threshold_pct: number;
    min_requests: number;
    recent: { from: string; to: string };
    prior: { from: string; to: string };
  };
  totals: TokensMetrics;
  series: TokensPoint[];
  jump: TokensJump;
  /** Groups with requests in the window, most requests first. */
  groups: TokensGroup[];
}

interface Sums {
  requests: bigint;
  input: bigint;
  output: bigint;
}

const zero = (): Sums => ({ requests: 0n, input: 0n, output: 0n });

function addInto(target: Sums, source: Sums): void {
  target.requests += source.requests;
  target.input += source.input;
  target.output += source.output;
}

function average(tokens: bigint, requests: bigint): string | null {
  if (requests <= 0n) return null;
  return new Money(tokens.toString()).div(requests.toString()).toFixed(1);
}

function metrics(sums: Sums): TokensMetrics {
  return {
    requests: toCount(sums.requests.toString()),
    input_tokens: toCount(sums.input.toString()),
    output_tokens: toCount(sums.output.toString()),
    avg_input_tokens: average(sums.input, sums.requests),
    avg_output_tokens: average(sums.output, sums.requests),
  };
}

/** (recent avg / prior avg − 1) × 100, and whether it is a jump; exact integer comparison. */
function compareAverages(
  recentTokens: bigint,
  recentRequests: bigint,
  priorTokens: bigint,
  priorRequests: bigint,
): { change: string | null; jump: boolean } {
  if (recentRequests <= 0n || priorRequests <= 0n) return { change: null, jump: false };
  // recent/prior averages as fractions over the common denominator recentRequests × priorRequests
  const recent = recentTokens * priorRequests;
  const prior = priorTokens * recentRequests;
  const enough = recentRequests >= BigInt(JUMP_MIN_REQUESTS) && priorRequests >= BigInt(JUMP_MIN_REQUESTS);
  const jump = enough && recent > prior && recent * 100n >= prior * BigInt(100 + JUMP_THRESHOLD_PCT);
  const change = prior === 0n ? null : new Money(recent.toString()).div(prior.toString()).sub(1).mul(100).toFixed(1);
  return { change, jump };
}

function jumpOf(recent: Sums, prior: Sums): TokensJump {
  const input = compareAverages(recent.input, recent.requests, prior.input, prior.requests);
  const output = compareAverages(recent.output, recent.requests, prior.output, prior.requests);
  return {
    recent: metrics(recent),
    prior: metrics(prior),
    input_change_pct: input.change,
    output_change_pct: output.change,
    input_jump: input.jump,
    output_jump: output.jump,
    jump: input.jump || output.jump,
  };
}

const GROUP_COLUMNS: Record<Exclude<TokensGroupBy, `tag.${string}`>, [string, string]> = {
  feature: ["r.feature", "NULL::text"],
  prompt_version: ["r.prompt_version", "r.feature"],
  model: ["r.model", "NULL::text"],
};

interface SeriesRow {
  bucket_ms: string;
  g1: string | null;
  g2: string | null;
  requests: string;
  input_tokens: string;
  output_tokens: string;
}

interface JumpRow {
  g1: string | null;
  g2: string | null;
  recent_requests: string;
  recent_input: string;
  recent_output: string;
  prior_requests: string;
  prior_input: string;
  prior_output: string;
}

const groupId = (g1: string | null, g2: string | null) => JSON.stringify([g1, g2]);

/** GET /api/v1/tokens-per-request in the caller's team scope. */
export async function getTokensPerRequest(ctx: Ctx, query: TokensPerRequestQuery): Promise<TokensPerRequestReport> {
  return tokensPerRequestReport(dbOf(ctx), query, teamScopeOf(ctx));
}

/** The report for an explicit scope: the alert evaluator reads every team on the installation's behalf. */
export async function tokensPerRequestReport(db: Queryable, query: TokensPerRequestQuery, scope: TeamScope): Promise<TokensPerRequestReport> {
  const { bucket, from, to } = query;
  const day = BUCKET_MS.day;
  const recentFrom = new Date(to.getTime() - JUMP_RECENT_DAYS * day);
  const priorFrom = new Date(recentFrom.getTime() - JUMP_PRIOR_DAYS * day);
  // An extra tag (grouped or filtered) reads the tag rollups: tag_value is the group.
  const tag = reportTagOf(query);
  const [g1, g2] = isTagDimension(query.group_by) ? ["r.tag_value", "NULL::text"] : GROUP_COLUMNS[query.group_by];

  const series = new SqlParams();
  const seriesSql = `SELECT ${bucketSql(bucket)} AS bucket_ms, ${g1} AS g1, ${g2} AS g2,
              sum(r.requests)::text AS requests, sum(r.input_tokens)::text AS input_tokens,
              sum(r.output_tokens)::text AS output_tokens
       FROM ${hourlySourceSql(series, tag)}
       WHERE r.hour >= ${series.add(iso(from), "timestamptz")} AND r.hour < ${series.add(iso(to), "timestamptz")}${rollupFilterSql(query, series)}${series.teamScope(scope)}
       GROUP BY 1, 2, 3`;
  const jump = new SqlParams();
  const jumpFrom = jump.add(iso(priorFrom), "timestamptz");
  const jumpTo = jump.add(iso(to), "timestamptz");
  const recent = jump.add(iso(recentFrom), "timestamptz");
  const jumpSql = `SELECT ${g1} AS g1, ${g2} AS g2,
              coalesce(sum(r.requests) FILTER (WHERE r.hour >= ${recent}), 0)::text AS recent_requests,
              coalesce(sum(r.input_tokens) FILTER (WHERE r.hour >= ${recent}), 0)::text AS recent_input,
              coalesce(sum(r.output_tokens) FILTER (WHERE r.hour >= ${recent}), 0)::text AS recent_output,
              coalesce(sum(r.requests) FILTER (WHERE r.hour < ${recent}), 0)::text AS prior_requests,
              coalesce(sum(r.input_tokens) FILTER (WHERE r.hour < ${recent}), 0)::text AS prior_input,
              coalesce(sum(r.output_tokens) FILTER (WHERE r.hour < ${recent}), 0)::text AS prior_output
       FROM ${hourlySourceSql(jump, tag)}
       WHERE r.hour >= ${jumpFrom} AND r.hour < ${jumpTo}${rollupFilterSql(query, jump)}${jump.teamScope(scope)}
       GROUP BY 1, 2`;
  const [seriesRows, jumpRows] = await Promise.all([rows<SeriesRow>(db, seriesSql, series), rows<JumpRow>(db, jumpSql, jump)]);

  const starts = bucketStarts(floorToBucket(from, bucket), to, bucket);
  const bucketIndex = new Map(starts.map((start, index) => [start, index]));
  const dense = () => starts.map(zero);

  const overallSeries = dense();
  const groups = new Map<string, { g1: string | null; g2: string | null; series: Sums[]; total: Sums }>();
  for (const row of seriesRows) {
    const index = bucketIndex.get(Number(row.bucket_ms));
    if (index === undefined) continue; // cannot happen: the WHERE clause keeps rows inside
    const sums = { requests: BigInt(row.requests), input: BigInt(row.input_tokens), output: BigInt(row.output_tokens) };
    addInto(overallSeries[index] as Sums, sums);
    const id = groupId(row.g1, row.g2);
    let entry = groups.get(id);
    if (!entry) groups.set(id, (entry = { g1: row.g1, g2: row.g2, series: dense(), total: zero() }));
    addInto(entry.series[index] as Sums, sums);
    addInto(entry.total, sums);
  }

  const jumps = new Map<string, { recent: Sums; prior: Sums }>();
  const overallRecent = zero();
  const overallPrior = zero();
  for (const row of jumpRows) {
    const recent = { requests: BigInt(row.recent_requests), input: BigInt(row.recent_input), output: BigInt(row.recent_output) };
    const prior = { requests: BigInt(row.prior_requests), input: BigInt(row.prior_input), output: BigInt(row.prior_output) };
    jumps.set(groupId(row.g1, row.g2), { recent, prior });
    addInto(overallRecent, recent);
    addInto(overallPrior, prior);
  }

  const seriesOf = (sums: Sums[]): TokensPoint[] =>
    sums.map((s, i) => ({ bucket: new Date(starts[i] as number).toISOString(), ...metrics(s) }));
  const overallTotal = zero();
  for (const s of overallSeries) addInto(overallTotal, s);

  const ranked = [...groups.entries()].sort(([, a], [, b]) =>
    a.total.requests === b.total.requests
      ? compareKeys([a.g2, a.g1], [b.g2, b.g1])
      : a.total.requests > b.total.requests
        ? -1
        : 1,
  );

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    bucket,
    group_by: query.group_by,
    jump_rule: {
      recent_days: JUMP_RECENT_DAYS,
      prior_days: JUMP_PRIOR_DAYS,
      threshold_pct: JUMP_THRESHOLD_PCT,
      min_requests: JUMP_MIN_REQUESTS,
      recent: { from: recentFrom.toISOString(), to: to.toISOString() },
      prior: { from: priorFrom.toISOString(), to: recentFrom.toISOString() },
    },
    totals: metrics(overallTotal),
    series: seriesOf(overallSeries),
    jump: jumpOf(overallRecent, overallPrior),
    groups: ranked.map(([id, entry]): TokensGroup => {
      const periods = jumps.get(id) ?? { recent: zero(), prior: zero() };
      return {
        key: entry.g1,
        ...(query.group_by === "prompt_version" ? { feature: entry.g2 } : {}),
        totals: metrics(entry.total),
        series: seriesOf(entry.series),
        jump: jumpOf(periods.recent, periods.prior),
      };
    }),
  };
}

/** Lexicographic over the parts, code-point order, untagged (null) last. */
function compareKeys(a: readonly (string | null)[], b: readonly (string | null)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === y) continue;
    if (x === null) return 1;
    if (y === null) return -1;
    return x < y ? -1 : 1;
  }
  return 0;
}
