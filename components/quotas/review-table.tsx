"use client";

import { useSearchParams } from "next/navigation";
import { useId, useOptimistic } from "react";
import { QuotaUtilizationChart, type QuotaUtilizationPoint } from "@/components/charts/quota-utilization-chart";
import { Button } from "@/components/ui/button";
import { Panel } from "@/components/ui/panel";
import { formatPercent } from "@/lib/format";
import { StatusChip, type ChipTone } from "@/components/ui/status-chip";
import { Money } from "@/lib/money";
import { formatQuotaAmount, formatUtilization, monthLabel, monthOptions, shiftMonth } from "@/lib/quotas/view";
import type { ReviewTeamView } from "./quota-types";
import { reviewMonthParam } from "./quota-params";
import { useQuotaReview } from "./use-quotas";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { cn } from "@/components/ui/cn";
import { useUrlNavigation } from "@/components/ui/url-navigation";

const KIND_TONES = { cut: "warn", raise: "bad", keep: "good" } as const satisfies Record<string, ChipTone>;
const KIND_LABELS = { cut: "Cut", raise: "Raise", keep: "Keep" } as const;

const unitOf = (row: ReviewTeamView) => row.unit;

function Suggestion({ row }: { row: ReviewTeamView }) {
  const { kind, amount, reason } = row.suggestion;
  return (
    <div className="space-y-0.5">
      <p className="flex flex-wrap items-center gap-2">
        <StatusChip tone={KIND_TONES[kind]} testId="suggestion-kind">{KIND_LABELS[kind]}</StatusChip>
        {amount !== null ? <span className="tabular text-sm font-medium text-zinc-900">to {formatQuotaAmount(amount, unitOf(row))}</span> : null}
      </p>
      <p className="text-xs text-zinc-600">{reason}</p>
    </div>
  );
}

/** M−2, M−1 and M, oldest first: what the suggestion was made from. */
function History({ row }: { row: ReviewTeamView }) {
  return (
    <ul className="space-y-0.5 text-xs text-zinc-600">
      {row.history.map((m) => (
        <li key={m.month} className="whitespace-nowrap">
          <span className="text-zinc-500">{monthLabel(m.month).replace(/ \d{4}$/, "")}</span>{" "}
          {m.utilization === null ? "no allocation" : formatUtilization(m.utilization)}
          {m.bursts_approved > 0 ? ` · ${m.bursts_approved} burst${m.bursts_approved === 1 ? "" : "s"}` : ""}
        </li>
      ))}
    </ul>
  );
}

function chartPoints(rows: ReviewTeamView[]): QuotaUtilizationPoint[] {
  return rows.flatMap((row) => {
    if (row.utilization === null) return [];
    const share = new Money(row.utilization);
    return [{
      team: row.team,
      percent: Number(share.mul(100).toFixed(1)),
      percentLabel: formatPercent(share),
      detail: `${formatQuotaAmount(row.used, unitOf(row))} of ${formatQuotaAmount(row.allocation, unitOf(row))}`,
      tone: share.gt(1) ? "over" : share.lt("0.5") ? "low" : "ok",
    }];
  });
}

/** GET /api/v1/quota/review: last month's allocation vs use per team, and what to do about it. Month in the URL. */
export function ReviewTable({ currentMonth }: { currentMonth: string }) {
  const selectId = useId();
  const { pending, replaceQuery } = useUrlNavigation();
  const params = useSearchParams();
  const requested = reviewMonthParam(params);
  const { data, error, isPending, refetch } = useQuotaReview(requested);
  // The select shows a new month at once; the table follows with the page.
  const [month, show] = useOptimistic(data?.month ?? requested);
  const options = monthOptions(new Date(`${currentMonth}-15T00:00:00Z`), 13, month ?? undefined);

  function go(next: string) {
    replaceQuery({ month: next }, () => show(next));
  }

  const rows = [...(data?.teams ?? [])].sort((a, b) => a.team.localeCompare(b.team));
  const points = chartPoints(rows);
  const summary = `Utilization per team in ${month ? monthLabel(month) : "the month"}: ${points.map((p) => `${p.team} ${p.percentLabel}`).join(", ") || "no allocations"}.`;

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor={selectId} className="block text-sm font-medium text-zinc-800">Month</label>
          <select id={selectId} value={month ?? ""} onChange={(e) => go(e.target.value)} className="mt-1 block rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm">
            {month ? null : <option value="">Last complete month</option>}
            {options.map((o) => (
              <option key={o.value} value={o.value}>{o.label}</option>
            ))}
          </select>
        </div>
        <Button variant="secondary" disabled={!month} onClick={() => month && go(shiftMonth(month, -1))}>Previous month</Button>
        <Button variant="secondary" disabled={!month || month >= currentMonth} onClick={() => month && go(shiftMonth(month, 1))}>Next month</Button>
      </div>

      {isPending ? (
        <div role="status" aria-busy="true" aria-label="Loading the review" className="h-48 animate-pulse rounded-lg bg-zinc-100" />
      ) : error ? (
        <div role="alert" className="rounded-lg border border-rose-200 bg-white p-6 text-center text-sm">
          <p className="text-zinc-900">The review could not be loaded: {error.message}</p>
          <Button className="mt-3" onClick={() => void refetch()}>Try again</Button>
        </div>
      ) : rows.length === 0 ? (
        <p data-testid="review-empty" className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-10 text-center text-sm text-zinc-600">
          No team had a team-wide allocation to review in {month ? monthLabel(month) : "this month"}.
        </p>
      ) : (
        <div aria-busy={pending} className={cn("space-y-4 transition-opacity", pending && "opacity-60")}>
          <ScrollRegion label="Quota review" className="rounded-lg border border-zinc-200 bg-white shadow-xs">
            <table data-testid="review-table" className="w-full text-sm">
              <caption className="sr-only">Quota review for {month ? monthLabel(month) : "the month"}: allocation, use, bursts and the suggestion per team</caption>
              <thead className="bg-zinc-50 text-left text-xs text-zinc-500">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">Team</th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">Allocation</th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">Used</th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">Utilization</th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">Bursts approved / requested</th>
                  <th scope="col" className="px-3 py-2 text-right font-medium" title="Quota checks refused by budget caps in this month">Refused by caps</th>
                  <th scope="col" className="px-3 py-2 font-medium">Last three months</th>
                  <th scope="col" className="px-3 py-2 font-medium">Suggestion</th>
                </tr>
              </thead>
              <tbody className="tabular">
                {rows.map((row) => (
                  <tr key={row.team} data-team={row.team} className="border-t border-zinc-100 align-top">
                    <th scope="row" className="px-3 py-2 text-left font-medium text-zinc-900">{row.team}</th>
                    <td className="px-3 py-2 text-right">{formatQuotaAmount(row.allocation, unitOf(row))}</td>
                    <td className="px-3 py-2 text-right">{formatQuotaAmount(row.used, unitOf(row))}</td>
                    <td className={row.utilization !== null && new Money(row.utilization).gt(1) ? "px-3 py-2 text-right text-rose-700" : "px-3 py-2 text-right"}>{formatUtilization(row.utilization)}</td>
                    <td className="px-3 py-2 text-right">{row.bursts_approved} / {row.bursts_requested}</td>
                    <td className="px-3 py-2 text-right" data-testid="refused-checks">{row.refused_checks > 0 ? row.refused_checks.toLocaleString("en-US") : "—"}</td>
                    <td className="px-3 py-2"><History row={row} /></td>
                    <td className="px-3 py-2"><Suggestion row={row} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
          {points.length > 0 ? (
            <Panel title="Utilization per team" titleId="review-chart-title" description="Used as a share of the allocation; the dashed line is 100%.">
              <QuotaUtilizationChart points={points} summary={summary} />
            </Panel>
          ) : null}
        </div>
      )}
    </div>
  );
}
