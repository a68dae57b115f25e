import Link from "next/link";
import type { CacheReport } from "@/lib/analytics/cache";
import { formatDayKey, formatMoney, formatPercent } from "@/lib/format";
import { Money } from "@/lib/money";
import { Sparkline } from "@/components/charts/sparkline";
import { Panel } from "@/components/ui/panel";
import { withQuery } from "@/components/queries/query-string";

/** The team's prompt-cache hit rate, daily, with any drop called out. */
export function TeamCache({ report, slug }: { report: CacheReport; slug: string }) {
  const rate = report.totals.hit_rate;
  const values = report.series.map((point) => (point.hit_rate === null ? 0 : new Money(point.hit_rate).toNumber()));
  return (
    <Panel title="Prompt cache" titleId="team-cache-title" description="Share of input tokens read from the provider's cache, last 30 days">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <p className="tabular text-2xl font-semibold text-zinc-900" data-testid="team-cache-hit-rate">{rate ? formatPercent(rate) : "—"}</p>
        <Sparkline values={values} label={`Daily prompt-cache hit rate of ${slug}`} />
      </div>
      <p className="mt-1 text-xs text-zinc-600">Saved {formatMoney(report.totals.saved_usd)} at current prices.</p>
      {report.drops.length > 0 ? (
        <ul className="mt-2 space-y-1 text-sm text-amber-800">
          {report.drops.map((drop) => (
            <li key={drop.start}>
              Hit rate fell {drop.drop_pp} points from {formatDayKey(drop.start.slice(0, 10))}{drop.ongoing ? " and has not recovered" : ""}.
            </li>
          ))}
        </ul>
      ) : null}
      <Link href={withQuery("/cache", { team: slug })} className="mt-2 inline-block text-sm font-medium underline underline-offset-2">
        Cache details
      </Link>
    </Panel>
  );
}
