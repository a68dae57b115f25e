import { useId } from "react";
import type { OutcomeTypeReport } from "@/lib/analytics/outcome-report";
import { allUnpriced, successRate } from "@/lib/view/outcomes";
import { formatChange, formatCount, formatMoney, formatPercent, plural, ratio } from "@/lib/format";
import { Button } from "@/components/ui/button";
import { ChangeBadge } from "@/components/overview/change-badge";
import { StatCard } from "@/components/overview/stat-card";

/**
 * One outcome type's figures, as a region named after the type (tests and screen readers
 * find "ticket_resolved" and read its cards). `previous` is the same type in the window
 * just before, for the change badges; absent while loading or when it had no outcomes.
 */
export function OutcomeTypeStats({
  report,
  previous,
  previousLabel,
  onFocus,
}: {
  report: OutcomeTypeReport;
  previous: OutcomeTypeReport | undefined;
  previousLabel: string;
  onFocus?: () => void;
}) {
  const titleId = useId();
  const rate = successRate(report.outcomes, report.successful);
  const failed = report.outcomes - report.successful;
  const failedShare = ratio(report.failed_cost_usd, report.cost_usd);
  const unpriced = report.unpriced_requests;
  const unknown = allUnpriced(report);
  const costChange = previous ? formatChange(report.cost_usd, previous.cost_usd) : null;
  const perSuccessChange =
    previous?.cost_per_success_usd && report.cost_per_success_usd ? formatChange(report.cost_per_success_usd, previous.cost_per_success_usd) : null;

  return (
    <section aria-labelledby={titleId} className="space-y-2" data-testid="outcome-type" data-type={report.type}>
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={titleId} className="font-mono text-sm font-semibold text-zinc-900">
          {report.type}
        </h2>
        <p className="tabular flex flex-wrap items-center gap-3 text-xs text-zinc-600">
          <span>
            {plural(report.requests, "call", "calls")} · {plural(report.retries, "retry", "retries")}
            {unpriced > 0 ? <span className="text-amber-700"> · {plural(unpriced, "unpriced call", "unpriced calls")}</span> : null}
          </span>
          {onFocus ? (
            <Button size="sm" variant="secondary" onClick={onFocus}>
              Only this type<span className="sr-only">: {report.type}</span>
            </Button>
          ) : null}
        </p>
      </div>
      <dl className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 2xl:grid-cols-6">
        <StatCard label="Outcomes" value={formatCount(report.outcomes)} testId="outcome-count" detail={`${formatCount(report.successful)} successful`} />
        <StatCard
          label="Success rate"
          value={rate ? formatPercent(rate) : "—"}
          testId="success-rate"
          detail={failed > 0 ? `${plural(failed, "outcome", "outcomes")} failed` : "No failed outcomes"}
        />
        <StatCard
          label="Total cost"
          value={unknown ? "unpriced" : formatMoney(report.cost_usd)}
          testId="total-cost"
          tone={unpriced > 0 ? "warning" : "default"}
          detail={
            <span className="flex flex-wrap items-center gap-1.5">
              {unknown ? (
                <span data-testid="unpriced-note">no call of these workflows has a price yet</span>
              ) : (
                <>
                  {costChange ? <ChangeBadge change={costChange} /> : null}
                  <span>{previous ? `vs ${formatMoney(previous.cost_usd)} ${previousLabel}` : "every call of these workflows"}</span>
                  {unpriced > 0 ? (
                    <span data-testid="unpriced-note" className="text-amber-800">
                      at least: {plural(unpriced, "unpriced call is", "unpriced calls are")} not included
                    </span>
                  ) : null}
                </>
              )}
            </span>
          }
        />
        <StatCard
          label="Cost per successful outcome"
          value={unknown ? "unpriced" : report.cost_per_success_usd ? formatMoney(report.cost_per_success_usd) : "—"}
          testId="cost-per-success"
          tone={unpriced > 0 && report.cost_per_success_usd ? "warning" : "default"}
          detail={
            !report.cost_per_success_usd ? (
              "Nothing succeeded in this window"
            ) : (
              <span className="flex flex-wrap items-center gap-1.5">
                {perSuccessChange ? <ChangeBadge change={perSuccessChange} testId="cost-per-success-change" /> : null}
                <span>
                  {previous?.cost_per_success_usd ? `vs ${formatMoney(previous.cost_per_success_usd)} ${previousLabel}` : `no ${previousLabel} figure`}
                  {unpriced > 0 ? " · a lower bound" : ""}
                </span>
              </span>
            )
          }
        />
        <StatCard
          label="Failed-workflow cost"
          value={unknown ? "unpriced" : formatMoney(report.failed_cost_usd)}
          testId="failed-cost"
          detail={failedShare ? `${formatPercent(failedShare)} of the cost: traces that never succeeded` : "No cost"}
        />
        <StatCard
          label="Retry share"
          value={report.retry_share === null ? "—" : formatPercent(report.retry_share)}
          testId="retry-share"
          detail={`${formatMoney(report.retry_cost_usd)} on ${plural(report.retries, "retried call", "retried calls")}`}
        />
      </dl>
    </section>
  );
}
