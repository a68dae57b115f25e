import "server-only";
import { dbOf, nowOf, teamScopeOf, type Ctx } from "@/lib/context";
import { formatUsd, Money } from "@/lib/money";
import { buildPriceIndex, STANDARD_TIER } from "@/lib/pricing/match-price";
import { PRICE_COLUMNS, priceFromRow, type PriceRow, type StoredPrice } from "@/lib/pricing/price-store";
import {
  BUCKET_MS,
  DEFAULT_BASELINE_BUCKETS,
  DEFAULT_MIN_BUCKETS,
  type Bucket,
  type CacheGroupBy,
  type CacheQuery,
  reportTagOf,
} from "@/lib/schemas/cache";
import { bucketSql, bucketStarts, floorToBucket, rollupFilterSql } from "@/lib/db/rollup-sql";
import { hourlySourceSql } from "@/lib/db/tag-rollup-sql";
import { isTagDimension } from "@/lib/schemas/spend";
import { iso, rows, SqlParams, toCount, type Queryable } from "@/lib/db/sql";
import { findHitRateDrops, formatHitRate, type DropEpisode, type DropRule, type HitRatePoint } from "./cache-drops";

/**
 * The Cache page's figures, from the hourly rollups: prompt-cache hit rate
 * (cache_read_input_tokens / input_tokens, where input_tokens is ALL input including
 * cache reads and writes), the tokens behind it, response-cache hits, and what the
 * cache saved — per bucket, overall and per group, with hit-rate drops found by
 * lib/analytics/cache-drops.ts.
 *
 * Saved money is priced at CURRENT prices, not the prices in effect when the calls were
 * made: per model, cache_read_input_tokens × (input rate − cache-read rate) / 1e6 with
 * the model's standard-tier price in effect now (saved_usd_basis: "current_prices").
 * Models without a current standard price save nothing we can price: their cache reads
 * are counted in unpriced_cache_read_input_tokens and their saved_usd in `models` is null.
 *
 * Number formats: counts are JSON integers; hit rates are fractions as decimal strings
 * with 4 decimals ("0.6523" = 65.23 %), null when there is nothing to divide by; money
 * is a decimal string with 12 decimals (exact for rates with up to 6 decimals, else
 * rounded half-even at 1e-12). Team scoping happens in SQL (SqlParams.teamScope).
 */

export interface CacheMetrics {
  requests: number;
  input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  /** input − cache reads − cache writes: billed at the full input rate. */
  uncached_input_tokens: number;
  /** cache_read_input_tokens / input_tokens, 4 decimals; null without input tokens. */
  hit_rate: string | null;
  response_cache_hits: number;
  /** response_cache_hits / requests, 4 decimals; null without requests. */
  response_cache_hit_rate: string | null;
  /** Saved at current standard prices, models with such a price only; 12 decimals. */
  saved_usd: string;
  /** Cache reads of models without a current standard price (not in saved_usd). */
  unpriced_cache_read_input_tokens: number;
}

export interface CachePoint extends CacheMetrics {
  /** Start of the bucket (UTC hour or UTC day). The first and last may be partial. */
  bucket: string;
}

/** A group's identity: its tag value (null = untagged), or the folded rest. */
export interface CacheGroupRef {
  key: string | null;
  other: boolean;
}

export type CacheDropEpisode = DropEpisode<CacheGroupRef | null>;

export interface CacheGroup extends CacheGroupRef {
  /** For the "other" group: how many groups it holds (0 otherwise). */
  folded_groups: number;
  totals: CacheMetrics;
  series: CachePoint[];
  drops: CacheDropEpisode[];
}

export interface CacheModelPrice {
  id: string;
  effective_from: string;
  input_per_mtok: string;
  cache_read_per_mtok: string;
}

export interface CacheModel {
  provider: string;
  model: string;
  requests: number;
  input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  hit_rate: string | null;
  /** The current standard-tier price used for saved_usd; null when the model has none. */
  price: CacheModelPrice | null;
  /** null for a model without a current standard price. */
  saved_usd: string | null;
}

export interface CacheReport {
  from: string;
  to: string;
  bucket: Bucket;
  group_by: CacheGroupBy | null;
  saved_usd_basis: "current_prices";
  /** The instant whose prices saved_usd uses. */
  prices_as_of: string;
  drop_rule: { drop_pp: number; baseline_buckets: number; min_requests: number; min_buckets: number };
  totals: CacheMetrics;
  /** Every bucket of the window, oldest first, zeros where nothing happened. */
  series: CachePoint[];
  /** Drop episodes of the overall series (group null). */
  drops: CacheDropEpisode[];
  /** Top groups by input tokens (most first), then "other"; [] without group_by. */
  groups: CacheGroup[];
  /** Every provider/model in the window, most input tokens first. */
  models: CacheModel[];
}

// ------------------------------------------------------------------ accumulation

interface Acc {
  requests: bigint;
  input: bigint;
  read: bigint;
  creation: bigint;
  responseHits: bigint;
  saved: Money;
  unpricedRead: bigint;
}

const emptyAcc = (): Acc => ({
  requests: 0n,
  input: 0n,
  read: 0n,
  creation: 0n,
  responseHits: 0n,
  saved: new Money(0),
  unpricedRead: 0n,
});

function addInto(target: Acc, source: Acc): void {
  target.requests += source.requests;
  target.input += source.input;
  target.read += source.read;
  target.creation += source.creation;
  target.responseHits += source.responseHits;
  target.saved = target.saved.add(source.saved);
  target.unpricedRead += source.unpricedRead;
}

const count = (value: bigint): number => toCount(value.toString());

function metrics(acc: Acc): CacheMetrics {
  return {
    requests: count(acc.requests),
    input_tokens: count(acc.input),
    cache_read_input_tokens: count(acc.read),
    cache_creation_input_tokens: count(acc.creation),
    uncached_input_tokens: count(acc.input - acc.read - acc.creation),
    hit_rate: formatHitRate(acc.read, acc.input),
    response_cache_hits: count(acc.responseHits),
    response_cache_hit_rate: formatHitRate(acc.responseHits, acc.requests),
    saved_usd: formatUsd(acc.saved),
    unpriced_cache_read_input_tokens: count(acc.unpricedRead),
  };
}

function point(acc: Acc, bucketMs: number): HitRatePoint {
  return {
    bucket: new Date(bucketMs).toISOString(),
    requests: count(acc.requests),
    inputTokens: count(acc.input),
    cacheReadInputTokens: count(acc.read),
  };
}

// ------------------------------------------------------------------ queries

interface ModelRow {
  provider: string;
  model: string;
  requests: string;
  input_tokens: string;
  cache_read: string;
  cache_creation: string;
}

interface SeriesRow {
  bucket_ms: string;
  grp: string | null;
  requests: string;
  input_tokens: string;
  cache_read: string;
  cache_creation: string;
  response_hits: string;
  saved: string;
  unpriced_read: string;
}

const GROUP_COLUMNS: Record<Exclude<CacheGroupBy, `tag.${string}`>, string> = {
  tenant: "r.tenant",
  feature: "r.feature",
  prompt_version: "r.prompt_version",
  team: "r.team",
  model: "r.model",
};

/** The standard-tier price in effect at `now` per provider/model (the matcher ingestion uses). */
async function currentStandardPrices(db: Queryable, now: Date): Promise<(provider: string, model: string) => StoredPrice | null> {
  const p = new SqlParams();
  const prices = await rows<PriceRow>(
    db,
    `SELECT ${PRICE_COLUMNS} FROM prices WHERE service_tier = ${p.add(STANDARD_TIER)} AND effective_from <= ${p.add(iso(now), "timestamptz")}`,
    p,
  );
  const lookup = buildPriceIndex(prices.map(priceFromRow));
  return (provider, model) => lookup(provider, model, STANDARD_TIER, now);
}

/** USD saved per million cache-read tokens: input rate − cache-read rate. */
function savingPerMtok(price: StoredPrice): Money {
  return new Money(price.rates.inputPerMtok).sub(price.rates.cacheReadPerMtok);
}

const MILLION = new Money(1_000_000);

/** GET /api/v1/cache in the caller's team scope; `ctx.now` is the instant whose prices count as current. */
export async function getCacheReport(ctx: Ctx, query: CacheQuery): Promise<CacheReport> {
  const db = dbOf(ctx);
  const scope = teamScopeOf(ctx);
  const now = nowOf(ctx);
  const { bucket, from, to } = query;
  const size = BUCKET_MS[bucket];
  const rule: DropRule = {
    dropPp: query.drop_pp,
    baselineBuckets: query.baseline_buckets ?? DEFAULT_BASELINE_BUCKETS[bucket],
    minRequests: query.min_requests,
    minBuckets: query.min_buckets ?? DEFAULT_MIN_BUCKETS[bucket],
  };

  // The window's buckets plus 2 × baseline_buckets before it, so that its first buckets
  // are judged against a baseline too (those earlier buckets are not returned).
  const windowStart = floorToBucket(from, bucket);
  const lookbackStart = windowStart - 2 * rule.baselineBuckets * size;
  const starts = bucketStarts(lookbackStart, to, bucket);
  const firstInWindow = starts.indexOf(windowStart);

  // An extra tag (grouped or filtered) reads the tag rollups in the hourly table's shape.
  const tag = reportTagOf(query);

  // 1. Models in the window and the current prices.
  const modelParams = new SqlParams();
  const modelSql = `SELECT r.provider, r.model, sum(r.requests)::text AS requests, sum(r.input_tokens)::text AS input_tokens,
              sum(r.cache_read_input_tokens)::text AS cache_read, sum(r.cache_creation_input_tokens)::text AS cache_creation
       FROM ${hourlySourceSql(modelParams, tag)}
       WHERE r.hour >= ${modelParams.add(iso(from), "timestamptz")} AND r.hour < ${modelParams.add(iso(to), "timestamptz")}${rollupFilterSql(query, modelParams)}${modelParams.teamScope(scope)}
       GROUP BY r.provider, r.model
       ORDER BY sum(r.input_tokens) DESC, r.provider, r.model`;
  const [modelRows, priceOf] = await Promise.all([rows<ModelRow>(db, modelSql, modelParams), currentStandardPrices(db, now)]);

  const models: CacheModel[] = [];
  const rateProviders: string[] = [];
  const rateModels: string[] = [];
  const rateSavings: string[] = [];
  for (const row of modelRows) {
    const price = priceOf(row.provider, row.model);
    const read = toCount(row.cache_read);
    const saving = price ? savingPerMtok(price) : null;
    if (saving) {
      rateProviders.push(row.provider);
      rateModels.push(row.model);
      rateSavings.push(saving.toFixed());
    }
    models.push({
      provider: row.provider,
      model: row.model,
      requests: toCount(row.requests),
      input_tokens: toCount(row.input_tokens),
      cache_read_input_tokens: read,
      cache_creation_input_tokens: toCount(row.cache_creation),
      hit_rate: formatHitRate(BigInt(row.cache_read), BigInt(row.input_tokens)),
      price: price
        ? {
            id: price.id,
            effective_from: price.effectiveFrom.toISOString(),
            input_per_mtok: price.rates.inputPerMtok,
            cache_read_per_mtok: price.rates.cacheReadPerMtok,
          }
        : null,
      saved_usd: saving ? formatUsd(saving.mul(read).div(MILLION)) : null,
    });
  }

  // 2. Per bucket and group, lookback included; savings priced in SQL (numeric, exact).
  const group = query.group_by === null ? "NULL::text" : isTagDimension(query.group_by) ? "r.tag_value" : GROUP_COLUMNS[query.group_by];
  const p = new SqlParams();
  const seriesSql = `WITH rates AS (
       SELECT * FROM unnest(${p.add(rateProviders, "text[]")}, ${p.add(rateModels, "text[]")}, ${p.add(rateSavings, "numeric[]")}) AS t(rate_provider, rate_model, saving_per_mtok)
     )
     SELECT ${bucketSql(bucket)} AS bucket_ms, ${group} AS grp,
            sum(r.requests)::text AS requests, sum(r.input_tokens)::text AS input_tokens,
            sum(r.cache_read_input_tokens)::text AS cache_read,
            sum(r.cache_creation_input_tokens)::text AS cache_creation,
            sum(r.response_cache_hits)::text AS response_hits,
            (coalesce(sum(r.cache_read_input_tokens * rates.saving_per_mtok), 0) * 0.000001)::text AS saved,
            coalesce(sum(r.cache_read_input_tokens) FILTER (WHERE rates.saving_per_mtok IS NULL), 0)::text AS unpriced_read
     FROM ${hourlySourceSql(p, tag)}
     LEFT JOIN rates ON rates.rate_provider = r.provider AND rates.rate_model = r.model
     WHERE ((r.hour >= ${p.add(iso(new Date(lookbackStart)), "timestamptz")} AND r.hour < ${p.add(iso(new Date(windowStart)), "timestamptz")})
         OR (r.hour >= ${p.add(iso(from), "timestamptz")} AND r.hour < ${p.add(iso(to), "timestamptz")}))
       ${rollupFilterSql(query, p)}${p.teamScope(scope)}
     GROUP BY 1, 2`;
  const seriesRows = await rows<SeriesRow>(db, seriesSql, p);

  // grp -> bucket index -> sums
  const byGroup = new Map<string | null, Map<number, Acc>>();
  const bucketIndex = new Map(starts.map((start, index) => [start, index]));
  for (const row of seriesRows) {
    const index = bucketIndex.get(Number(row.bucket_ms));
    if (index === undefined) continue; // cannot happen: the WHERE clause keeps rows inside
    let buckets = byGroup.get(row.grp);
    if (!buckets) byGroup.set(row.grp, (buckets = new Map()));
    buckets.set(index, {
      requests: BigInt(row.requests),
      input: BigInt(row.input_tokens),
      read: BigInt(row.cache_read),
      creation: BigInt(row.cache_creation),
      responseHits: BigInt(row.response_hits),
      saved: new Money(row.saved),
      unpricedRead: BigInt(row.unpriced_read),
    });
  }

  const windowTotals = (buckets: Map<number, Acc>): Acc => {
    const total = emptyAcc();
    for (const [index, acc] of buckets) if (index >= firstInWindow) addInto(total, acc);
    return total;
  };

  /** A dense series (lookback included) summed over some groups. */
  const denseSeries = (groups: readonly (Map<number, Acc> | undefined)[]): Acc[] => {
    const dense = starts.map(emptyAcc);
    for (const buckets of groups) {
      if (!buckets) continue;
      for (const [index, acc] of buckets) addInto(dense[index] as Acc, acc);
    }
    return dense;
  };

  const summarize = (dense: Acc[], ref: CacheGroupRef | null) => ({
    totals: metrics(dense.slice(firstInWindow).reduce((sum, acc) => (addInto(sum, acc), sum), emptyAcc())),
    series: dense.slice(firstInWindow).map((acc, i): CachePoint => ({ bucket: new Date(starts[firstInWindow + i] as number).toISOString(), ...metrics(acc) })),
    drops: findHitRateDrops(
      dense.map((acc, i) => point(acc, starts[i] as number)),
      { rule, bucketMs: size, reportFrom: new Date(windowStart).toISOString(), group: ref },
    ),
  });

  const overall = summarize(denseSeries([...byGroup.values()]), null);

  const groups: CacheGroup[] = [];
  if (query.group_by) {
    const ranked = [...byGroup.entries()]
      .map(([key, buckets]) => ({ key, buckets, total: windowTotals(buckets) }))
      .filter((entry) => entry.total.requests > 0n)
      .sort((a, b) => (a.total.input === b.total.input ? compareKeys(a.key, b.key) : a.total.input > b.total.input ? -1 : 1));
    const top = ranked.slice(0, query.limit);
    const rest = ranked.slice(query.limit);
    for (const entry of top) {
      const ref = { key: entry.key, other: false };
      groups.push({ ...ref, folded_groups: 0, ...summarize(denseSeries([entry.buckets]), ref) });
    }
    if (rest.length > 0) {
      const ref = { key: null, other: true };
      groups.push({ ...ref, folded_groups: rest.length, ...summarize(denseSeries(rest.map((entry) => entry.buckets)), ref) });
    }
  }

  return {
    from: from.toISOString(),
    to: to.toISOString(),
    bucket,
    group_by: query.group_by,
    saved_usd_basis: "current_prices",
    prices_as_of: now.toISOString(),
    drop_rule: { drop_pp: rule.dropPp, baseline_buckets: rule.baselineBuckets, min_requests: rule.minRequests, min_buckets: rule.minBuckets },
    totals: overall.totals,
    series: overall.series,
    drops: overall.drops,
    groups,
    models,
  };
}

/** Tag values in code-point order, untagged (null) last. */
function compareKeys(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
