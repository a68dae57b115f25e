import type { SpendOverview } from "@/lib/analytics/overview";
import { Money } from "@/lib/money";
import { formatChange, formatCount, formatDayRange, formatMoney, formatMonth, formatPercent, formatTokens, plural, ratio } from "@/lib/format";
import { ChangeBadge } from "./change-badge";
import { StatCard } from "./stat-card";

export function OverviewStats({ overview }: { overview: SpendOverview }) {
  const { monthToDate: mtd, periods } = overview;
  // With nothing recorded yet this month, "-100%" would describe missing data, not savings.
  const change = mtd.requests > 0 ? formatChange(mtd.costUsd, overview.lastMonthSamePeriodCostUsd) : null;
  const untaggedShare = ratio(mtd.untaggedCostUsd, mtd.costUsd);
  const pricedRequests = mtd.requests - mtd.unpricedRequests;
  const perRequest = pricedRequests > 0 ? new Money(mtd.costUsd).div(pricedRequests) : null;
  // The same-period window ends on an hour boundary; name the last day it touches.
  const samePeriodLastDay = new Date(periods.lastMonthSamePeriod.end.getTime() - 1);

  return (
    <dl className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 2xl:grid-cols-6">
      <StatCard
        label="Spend, month to date"
        value={formatMoney(mtd.costUsd)}
        testId="mtd-spend"
        detail={
          <span className="flex flex-wrap items-center gap-1.5">
            {change ? <ChangeBadge change={change} testId="mtd-spend-change" /> : null}
            <span>
              vs <span data-testid="last-month-same-period-spend">{formatMoney(overview.lastMonthSamePeriodCostUsd)}</span>{" "}
              {formatDayRange(periods.lastMonthSamePeriod.start, samePeriodLastDay)}
            </span>
          </span>
        }
      />
      <StatCard
        label={`Last month, ${formatMonth(periods.lastMonth.start)}`}
        value={formatMoney(overview.lastMonthCostUsd)}
        testId="last-month-spend"
        detail={plural(overview.lastMonthRequests, "request", "requests")}
      />
      <StatCard
        label="Requests, month to date"
        value={formatCount(mtd.requests)}
        testId="mtd-requests"
        detail={perRequest ? `${formatMoney(perRequest)} per priced request` : "No priced requests yet"}
      />
      <StatCard
        label="Tokens, month to date"
        value={formatTokens(mtd.inputTokens + mtd.outputTokens)}
        testId="mtd-tokens"
        detail={`${formatTokens(mtd.inputTokens)} in · ${formatTokens(mtd.outputTokens)} out`}
      />
      <StatCard
        label="Unpriced requests"
        value={formatCount(mtd.unpricedRequests)}
        testId="unpriced-requests"
        tone={mtd.unpricedRequests > 0 ? "warning" : "default"}
        detail={
          mtd.unpricedRequests > 0
            ? `from ${plural(mtd.unpricedModels, "model", "models")}, not in spend`
            : "Every request this month has a price"
        }
      />
      <StatCard
        label="Untagged spend"
        value={untaggedShare ? formatPercent(untaggedShare) : "—"}
        testId="untagged-share"
        detail={
          untaggedShare ? `${formatMoney(mtd.untaggedCostUsd)} without a team tag` : "No spend this month"
        }
      />
    </dl>
  );
}
