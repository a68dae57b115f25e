import type { DailySpend, ModelDaySpend } from "@/lib/analytics/overview";
import { Money } from "@/lib/money";
import { formatCount, formatDayKey, formatMoney } from "@/lib/format";
import { StackedDailySpendChart, type StackedDay } from "@/components/charts/stacked-daily-spend-chart";
import { Panel } from "@/components/ui/panel";
import { ScrollRegion } from "@/components/ui/scroll-region";

function toStackedDays(days: DailySpend[], byModel: ModelDaySpend[]): StackedDay[] {
  const perDay = new Map<string, ModelDaySpend[]>();
  for (const row of byModel) perDay.set(row.day, [...(perDay.get(row.day) ?? []), row]);
  return days.map((day) => {
    const rows = perDay.get(day.day) ?? [];
    return {
      label: formatDayKey(day.day),
      // Only the bar heights are floats; every figure shown is formatted from the exact decimal.
      values: Object.fromEntries(rows.map((r) => [r.model, new Money(r.costUsd).toNumber()])),
      costLabels: Object.fromEntries(rows.map((r) => [r.model, formatMoney(r.costUsd)])),
      totalLabel: `${formatMoney(day.costUsd)} · ${formatCount(day.requests)} requests${day.unpricedRequests > 0 ? ` · ${formatCount(day.unpricedRequests)} unpriced` : ""}`,
    };
  });
}

function summarize(days: DailySpend[]): string {
  const total = days.reduce((sum, day) => sum.plus(day.costUsd), new Money(0));
  const peak = days.reduce<DailySpend | undefined>(
    (best, day) => (!best || new Money(day.costUsd).gt(best.costUsd) ? day : best),
    undefined,
  );
  const first = days[0];
  const last = days[days.length - 1];
  if (!first || !last || !peak) return "Daily spend chart: no days to show.";
  const peakText = new Money(peak.costUsd).isZero()
    ? "no spend on any day"
    : `highest ${formatMoney(peak.costUsd)} on ${formatDayKey(peak.day)}`;
  return `Stacked bar chart of daily spend by model from ${formatDayKey(first.day)} to ${formatDayKey(last.day)} (UTC): total ${formatMoney(total)}, ${peakText}.`;
}

export function DailySpendPanel({ days, byModel, models }: { days: DailySpend[]; byModel: ModelDaySpend[]; models: string[] }) {
  return (
    <Panel title="Daily spend by model" titleId="daily-spend-title" description="Last 30 days, UTC; today so far" className="min-w-0">
      <StackedDailySpendChart days={toStackedDays(days, byModel)} series={models} summary={summarize(days)} />
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer rounded text-xs font-medium text-zinc-600 hover:text-zinc-900">
          Show as table
        </summary>
        <ScrollRegion label="Daily spend, last 30 days" className="mt-2 max-h-64 overflow-y-auto">
          <table className="w-full text-xs" aria-label="Daily spend, last 30 days">
            <thead className="sticky top-0 bg-white">
              <tr className="text-left text-zinc-500">
                <th scope="col" className="py-1 font-medium">Day (UTC)</th>
                <th scope="col" className="py-1 text-right font-medium">Spend</th>
                <th scope="col" className="py-1 text-right font-medium">Requests</th>
                <th scope="col" className="py-1 text-right font-medium">Unpriced</th>
              </tr>
            </thead>
            <tbody className="tabular">
              {days.map((day) => (
                <tr key={day.day} className="border-t border-zinc-100">
                  <th scope="row" className="py-1 text-left font-normal text-zinc-700">{day.day}</th>
                  <td className="py-1 text-right">{formatMoney(day.costUsd)}</td>
                  <td className="py-1 text-right">{formatCount(day.requests)}</td>
                  <td className="py-1 text-right">{formatCount(day.unpricedRequests)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </details>
    </Panel>
  );
}
