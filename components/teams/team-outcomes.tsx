import Link from "next/link";
import type { OutcomeReport } from "@/lib/analytics/outcome-report";
import { formatCount, formatMoney, formatPercent } from "@/lib/format";
import { Panel } from "@/components/ui/panel";
import { withQuery } from "@/components/queries/query-string";

/** Cost per successful outcome of the team's workflows (last 30 days). */
export function TeamOutcomes({ report, slug }: { report: OutcomeReport; slug: string }) {
  return (
    <Panel title="Cost per outcome" titleId="team-outcomes-title" description="Last 30 days; retries and failed attempts included">
      {report.types.length === 0 ? (
        <p className="text-sm text-zinc-600">
          No outcomes for this team yet. Send <code className="rounded bg-zinc-100 px-1">POST /api/v1/outcomes</code> with the
          workflow&apos;s <code className="rounded bg-zinc-100 px-1">trace_id</code> and <code className="rounded bg-zinc-100 px-1">tags.team</code>.
        </p>
      ) : (
        <table aria-labelledby="team-outcomes-title" data-testid="team-outcomes" className="w-full text-sm">
          <thead>
            <tr className="text-left text-xs text-zinc-500">
              <th scope="col" className="pb-2 font-medium">Outcome</th>
              <th scope="col" className="pb-2 text-right font-medium">Successful</th>
              <th scope="col" className="pb-2 text-right font-medium">Cost</th>
              <th scope="col" className="pb-2 text-right font-medium">Per success</th>
              <th scope="col" className="pb-2 text-right font-medium">Retry share</th>
            </tr>
          </thead>
          <tbody className="tabular">
            {report.types.map((t) => (
              <tr key={t.type} className="border-t border-zinc-100">
                <th scope="row" className="py-2 text-left font-medium text-zinc-900">
                  <Link href={withQuery("/outcomes", { type: t.type })} className="hover:underline">{t.type}</Link>
                </th>
                <td className="py-2 text-right">{formatCount(t.successful)} of {formatCount(t.outcomes)}</td>
                <td className="py-2 text-right">{formatMoney(t.cost_usd)}</td>
                <td className="py-2 text-right font-medium text-zinc-900">{t.cost_per_success_usd ? formatMoney(t.cost_per_success_usd) : "—"}</td>
                <td className="py-2 text-right">{t.retry_share ? formatPercent(t.retry_share) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="mt-2 text-xs text-zinc-500">Team {slug}: outcomes tagged with the team, and the calls of their traces.</p>
    </Panel>
  );
}
