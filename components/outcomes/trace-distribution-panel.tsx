import type { TraceCostDistribution } from "@/lib/analytics/outcome-report";
import { histogramBars, histogramSummary, percentileMarkers } from "@/lib/view/outcomes";
import { formatCount, formatMoney } from "@/lib/format";
import { OutcomeHistogramChart } from "@/components/charts/outcome-histogram-chart";
import { Panel } from "@/components/ui/panel";

function Figure({ label, value, testId }: { label: string; value: string | null; testId: string }) {
  return (
    <div className="rounded-md bg-zinc-50 px-3 py-2">
      <dt className="text-xs font-medium text-zinc-500">{label}</dt>
      <dd data-testid={testId} className="tabular mt-0.5 text-lg font-semibold text-zinc-900">
        {value === null ? "—" : formatMoney(value)}
      </dd>
    </div>
  );
}

/** Cost per trace: percentiles as figures and the log-bucket histogram, with what was left out and why. */
export function TraceDistributionPanel({ distribution }: { distribution: TraceCostDistribution }) {
  const d = distribution;
  const excluded = d.traces_without_calls + d.traces_with_unpriced_calls;
  return (
    <Panel
      title="Cost per trace"
      titleId="trace-distribution-title"
      description={`${formatCount(d.traces)} traces with an outcome in the window; percentiles by nearest rank over the ${formatCount(d.count)} priced ones.`}
      className="min-w-0"
    >
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-6" aria-label="Cost per trace figures">
        <Figure label="Median (p50)" value={d.p50_usd} testId="trace-p50" />
        <Figure label="p95" value={d.p95_usd} testId="trace-p95" />
        <Figure label="p99" value={d.p99_usd} testId="trace-p99" />
        <Figure label="Max" value={d.max_usd} testId="trace-max" />
        <Figure label="Mean" value={d.mean_usd} testId="trace-mean" />
        <Figure label="Total" value={d.total_usd} testId="trace-total" />
      </dl>
      {excluded > 0 ? (
        <p className="mt-2 text-xs text-amber-800" data-testid="distribution-excluded">
          Left out, their cost being unknown:{" "}
          {d.traces_with_unpriced_calls > 0 ? `${formatCount(d.traces_with_unpriced_calls)} with unpriced calls` : null}
          {d.traces_with_unpriced_calls > 0 && d.traces_without_calls > 0 ? " and " : null}
          {d.traces_without_calls > 0 ? `${formatCount(d.traces_without_calls)} without any recorded call` : null}.
        </p>
      ) : null}
      <div className="mt-4">
        {d.count === 0 ? (
          <p className="py-6 text-center text-sm text-zinc-600">No priced traces to chart.</p>
        ) : (
          <OutcomeHistogramChart bars={histogramBars(d.histogram)} markers={percentileMarkers(d)} summary={histogramSummary(d)} />
        )}
      </div>
    </Panel>
  );
}
