import type { CacheDropEpisode, CacheReport } from "@/lib/analytics/cache";
import { formatBucket, formatEpisodeDrop, formatEpisodeRange } from "@/lib/view/cache-format";
import type { Bucket } from "@/lib/schemas/cache";
import { Callout } from "@/components/ui/callout";

/** One episode: when (UTC), baseline → lowest, the drop in points, and whether it is still going on. */
export function DropItem({ episode, bucket, testId, prefix }: { episode: CacheDropEpisode; bucket: Bucket; testId: string; prefix?: string }) {
  return (
    <li data-testid={testId} data-start={episode.start} data-end={episode.end} className="tabular">
      {prefix ? <span className="font-medium">{prefix}: </span> : null}
      <time dateTime={episode.start} className="font-medium">{formatEpisodeRange(episode, bucket)}</time>
      {" — "}
      {formatEpisodeDrop(episode)}; lowest {formatBucket(episode.lowest_at, bucket)}
      {episode.ongoing ? (
        <span className="ml-1.5 rounded bg-rose-100 px-1.5 py-px text-xs font-medium text-rose-800 ring-1 ring-rose-200 ring-inset">ongoing</span>
      ) : null}
    </li>
  );
}

function ruleText(report: Pick<CacheReport, "drop_rule" | "bucket">): string {
  const { drop_pp, baseline_buckets, min_requests } = report.drop_rule;
  const unit = report.bucket === "day" ? "days" : "hours";
  return `A drop is a ${report.bucket === "day" ? "day" : "hour"} at least ${drop_pp} points below the median of the previous ${baseline_buckets} ${unit} (buckets with at least ${min_requests} requests).`;
}

/** The overall series' drop episodes, under the hit-rate chart. */
export function OverallDrops({ report }: { report: Pick<CacheReport, "drops" | "drop_rule" | "bucket"> }) {
  const { drops } = report;
  if (drops.length === 0) {
    return (
      <p className="mt-3 text-xs text-zinc-500" data-testid="cache-no-drops">
        No hit-rate drops in this window. {ruleText(report)}
      </p>
    );
  }
  return (
    <div className="mt-3">
      <Callout tone="warning" title={drops.length === 1 ? "1 hit-rate drop in this window" : `${drops.length} hit-rate drops in this window`}>
        <ul data-testid="cache-drops" className="list-disc space-y-1 pl-5">
          {drops.map((episode) => (
            <DropItem key={episode.start} episode={episode} bucket={report.bucket} testId="cache-drop" />
          ))}
        </ul>
        <p className="mt-2">
          A sudden drop usually means a prompt change broke the cacheable prefix: content that varies per call (a tenant name, a timestamp) moved to the start
          of the prompt. Compare prompt versions and features below. {ruleText(report)}
        </p>
      </Callout>
    </div>
  );
}
