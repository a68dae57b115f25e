import type { CacheDropEpisode, CacheGroup } from "@/lib/analytics/cache";
import { formatDayKey, formatDayRange, formatDayTime, formatPercent, groupThousands, plural } from "@/lib/format";
import { Money } from "@/lib/money";
import { BUCKET_MS, type Bucket, type CacheGroupBy, type TokensGroupBy } from "@/lib/schemas/cache";

/**
 * How the Cache page writes its figures: every one formatted from the API's exact decimal
 * strings (hit rates, average tokens, changes, prices per million tokens), drop episodes
 * in prose, and the names of groups.
 */

const PLURALS: Record<Exclude<CacheGroupBy, `tag.${string}`>, string> = {
  tenant: "tenants",
  feature: "features",
  prompt_version: "prompt versions",
  team: "teams",
  model: "models",
};

/** A hit rate fraction ("0.6347") as "63.5%"; "—" when there is none. */
export function formatHitRate(rate: string | null, fractionDigits = 1): string {
  return rate === null ? "—" : formatPercent(rate, fractionDigits);
}

/** An average token count ("15638.5") as "15,638.5", exactly as the API wrote it; "—" for null. */
export function formatAverageTokens(average: string | null): string {
  return average === null ? "—" : groupThousands(average);
}

/** A change in percent ("12.5", "-6.0") as "+12.5%" / "-6.0%"; "—" for null. */
export function formatChangePct(pct: string | null): string {
  if (pct === null) return "—";
  const value = new Money(pct);
  if (value.isZero()) return "0.0%";
  return `${value.isNegative() ? "-" : "+"}${groupThousands(value.abs().toFixed(1))}%`;
}

/** A price per million tokens, with as many decimals as it has (at least two): "$0.075", "$3.00". */
export function formatPerMtok(rate: string): string {
  const value = new Money(rate);
  const places = Math.max(2, value.decimalPlaces());
  return `$${groupThousands(value.toFixed(places))}`;
}

/** A drop in percentage points ("61.14") for a chart band: "−61 pp" (rounded half up). */
export function formatDropLabel(dropPp: string): string {
  return `−${new Money(dropPp).toFixed(0, Money.ROUND_HALF_UP)} pp`;
}

/** A drop in points for prose: "61.1 points". */
export function formatDropPoints(dropPp: string): string {
  return `${new Money(dropPp).toFixed(1, Money.ROUND_HALF_UP)} points`;
}

/** A bucket's start as shown: "Nov 3" for days, "Nov 3, 14:00 UTC" for hours. */
export function formatBucket(bucket: string, size: Bucket): string {
  return size === "day" ? formatDayKey(bucket.slice(0, 10)) : formatDayTime(new Date(bucket));
}

/** When an episode ran, in UTC: "Nov 9–10 (2 days)", or "Nov 9, 09:00 – Nov 11, 05:00 UTC (44 hours)". */
export function formatEpisodeRange(episode: Pick<CacheDropEpisode, "start" | "end">, size: Bucket): string {
  const start = new Date(episode.start);
  const end = new Date(episode.end);
  const span = Math.round((end.getTime() - start.getTime()) / BUCKET_MS[size]);
  if (size === "day") return `${formatDayRange(start, new Date(end.getTime() - 1))} (${plural(span, "day", "days")})`;
  return `${formatDayTime(start).replace(/ UTC$/, "")} – ${formatDayTime(end)} (${plural(span, "hour", "hours")})`;
}

/** "68.8% → 7.6%, a drop of 61.1 points" */
export function formatEpisodeDrop(episode: Pick<CacheDropEpisode, "baseline" | "lowest" | "drop_pp">): string {
  return `${formatHitRate(episode.baseline)} → ${formatHitRate(episode.lowest)}, a drop of ${formatDropPoints(episode.drop_pp)}`;
}

/** A cache group's name: its tag value, "untagged", or "Other (3 tenants)". */
export function cacheGroupName(group: Pick<CacheGroup, "key" | "other" | "folded_groups">, by: CacheGroupBy): string {
  if (group.other) return `Other (${group.folded_groups} ${group.folded_groups === 1 ? groupPlural(by).replace(/s$/, "") : groupPlural(by)})`;
  return group.key ?? "untagged";
}

/** "tenants", or "language values" for an extra tag. */
export function groupPlural(by: CacheGroupBy): string {
  if (by.startsWith("tag.")) return `${by.slice(4)} values`;
  return (PLURALS as Record<string, string>)[by] ?? by;
}

export function tokensGroupName(group: { key: string | null; feature?: string | null }, by: TokensGroupBy): string {
  const key = group.key ?? "untagged";
  return by === "prompt_version" ? `${group.feature ?? "untagged"} · ${key}` : key;
}
