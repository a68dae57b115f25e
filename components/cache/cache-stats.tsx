import Link from "next/link";
import type { CacheReport } from "@/lib/analytics/cache";
import { formatHitRate } from "@/lib/view/cache-format";
import { formatCount, formatDayTime, formatMoney, formatTokens } from "@/lib/format";
import { StatCard } from "@/components/overview/stat-card";

/** The window's headline figures, each formatted from the API's exact values. */
export function CacheStats({ report }: { report: CacheReport }) {
  const { totals, models, drops } = report;
  const unpricedModels = models.filter((m) => m.price === null && m.cache_read_input_tokens > 0).length;
  const ongoing = drops.some((d) => d.ongoing);
  return (
    <dl className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 2xl:grid-cols-6">
      <StatCard
        label="Prompt-cache hit rate"
        value={formatHitRate(totals.hit_rate)}
        testId="cache-hit-rate"
        detail="Cache-read input tokens ÷ all input tokens"
      />
      <StatCard
        label="Cache-read tokens"
        value={formatTokens(totals.cache_read_input_tokens)}
        testId="cache-read-tokens"
        detail={`of ${formatTokens(totals.input_tokens)} input · ${formatTokens(totals.cache_creation_input_tokens)} written to cache`}
      />
      <StatCard
        label="Saved by prompt caching"
        value={formatMoney(totals.saved_usd)}
        testId="cache-saved"
        detail={
          <>
            At current prices (as of <time dateTime={report.prices_as_of}>{formatDayTime(new Date(report.prices_as_of))}</time>), not the prices when the calls were made
          </>
        }
      />
      <StatCard
        label="Response-cache hits"
        value={formatCount(totals.response_cache_hits)}
        testId="response-cache-hits"
        detail={`${formatHitRate(totals.response_cache_hit_rate)} of ${formatCount(totals.requests)} requests answered from cache`}
      />
      <StatCard
        label="Unpriced cache reads"
        value={formatTokens(totals.unpriced_cache_read_input_tokens)}
        testId="unpriced-cache-reads"
        tone={totals.unpriced_cache_read_input_tokens > 0 ? "warning" : "default"}
        detail={
          totals.unpriced_cache_read_input_tokens > 0 ? (
            <>
              tokens from {unpricedModels} {unpricedModels === 1 ? "model" : "models"} without a current price, not in the saving.{" "}
              <Link href="/prices" className="font-medium underline underline-offset-2">Prices</Link>
            </>
          ) : (
            "Every cache read has a current price"
          )
        }
      />
      <StatCard
        label="Hit-rate drops"
        value={formatCount(drops.length)}
        testId="cache-drop-count"
        tone={drops.length > 0 ? "warning" : "default"}
        detail={drops.length === 0 ? "No drop in this window" : ongoing ? "One is still ongoing" : "All recovered; see the chart"}
      />
    </dl>
  );
}
