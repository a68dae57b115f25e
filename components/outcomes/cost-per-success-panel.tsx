import type { OutcomeTypeReport } from "@/lib/analytics/outcome-report";
import { costPerSuccessSeries, costPerSuccessSummary, type DayWindow } from "@/lib/view/outcomes";
import { formatCount, formatMoney } from "@/lib/format";
import { OutcomeCostPerSuccessChart } from "@/components/charts/outcome-cost-per-success-chart";
import { Panel } from "@/components/ui/panel";
import { ScrollRegion } from "@/components/ui/scroll-region";

/** Cost per success per UTC day for each shown type, with the same figures as a table. */
export function CostPerSuccessPanel({ types, window }: { types: readonly OutcomeTypeReport[]; window: DayWindow }) {
  const { series, days, scale } = costPerSuccessSeries(types);
  const title = types.length === 1 ? `Cost per success per day: ${types[0]?.type}` : "Cost per success per day, by outcome type";
  return (
    <Panel
      title={title}
      titleId="cost-per-success-title"
      description={`UTC days; a trace's cost counts on the day of its first outcome. A gap is a day without a success.${scale === "log" ? " Log scale." : ""}`}
      className="min-w-0"
    >
      <OutcomeCostPerSuccessChart days={days} series={series} scale={scale} summary={costPerSuccessSummary(types, window)} />
      <details className="mt-3 text-sm">
        <summary className="cursor-pointer rounded text-xs font-medium text-zinc-600 hover:text-zinc-900">Show as table</summary>
        <ScrollRegion label="Cost per success per day" className="mt-2 max-h-64 overflow-y-auto">
          <table className="w-full text-xs" aria-label="Cost per success per day">
            <thead className="sticky top-0 bg-white">
              <tr className="text-left text-zinc-500">
                <th scope="col" className="py-1 pr-2 font-medium">Day (UTC)</th>
                {types.map((t) => (
                  <th key={t.type} scope="col" className="py-1 pl-2 text-right font-medium">
                    {t.type}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="tabular">
              {days.map((d, index) => (
                <tr key={d.day} className="border-t border-zinc-100">
                  <th scope="row" className="py-1 pr-2 text-left font-normal text-zinc-700">{d.day}</th>
                  {types.map((t) => {
                    const day = t.daily[index];
                    return (
                      <td key={t.type} className="py-1 pl-2 text-right text-zinc-700">
                        {day?.cost_per_success_usd ? formatMoney(day.cost_per_success_usd) : "—"}
                        <span className="block text-[11px] text-zinc-500">
                          {formatCount(day?.successful ?? 0)} of {formatCount(day?.outcomes ?? 0)}
                        </span>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </details>
    </Panel>
  );
}
