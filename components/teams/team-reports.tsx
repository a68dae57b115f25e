import type { OutcomeReport } from "@/lib/analytics/outcome-report";
import type { CacheReport } from "@/lib/analytics/cache";
import type { SpendOverview } from "@/lib/analytics/overview";
import type { BudgetView } from "@/lib/budgets/budgets";
import { formatChange, formatCount, formatMoney } from "@/lib/format";
import { ChangeBadge } from "@/components/overview/change-badge";
import { DailySpendPanel } from "@/components/overview/daily-spend-panel";
import { StatCard } from "@/components/overview/stat-card";
import { TopFeatures } from "@/components/overview/top-features";
import { Panel } from "@/components/ui/panel";
import { StatBlocks } from "@/components/ui/skeleton";
import { Failed, type Settled } from "./settled";
import { TeamBudgets } from "./team-budgets";
import { TeamCache } from "./team-cache";
import { TeamOutcomes } from "./team-outcomes";

/**
 * The team page's spend, outcome, cache and budget panels: async server components, each
 * awaiting its report (started by the page beside the others, see ./settled.tsx) inside its
 * own <Suspense>. The month's figures, the daily chart and the top features share one
 * overview report and appear together when it answers.
 */

/** Month to date against last month, requests and unpriced requests. */
export async function TeamStats({ report }: { report: Promise<Settled<SpendOverview>> }) {
  const result = await report;
  if (!result.ok) return <Failed what="The month's spend" message={result.message} />;
  const overview = result.value;
  const mtd = overview.monthToDate;
  const change = mtd.requests > 0 ? formatChange(mtd.costUsd, overview.lastMonthSamePeriodCostUsd) : null;
  return (
    <dl className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
      <StatCard
        label="Spend, month to date"
        value={formatMoney(mtd.costUsd)}
        testId="team-mtd-spend"
        detail={
          <span className="flex flex-wrap items-center gap-1.5">
            {change ? <ChangeBadge change={change} /> : null}
            vs {formatMoney(overview.lastMonthSamePeriodCostUsd)} last month so far
          </span>
        }
      />
      <StatCard label="Last month" value={formatMoney(overview.lastMonthCostUsd)} testId="team-last-month" detail={`${formatCount(overview.lastMonthRequests)} requests`} />
      <StatCard label="Requests, month to date" value={formatCount(mtd.requests)} testId="team-mtd-requests" />
      <StatCard
        label="Unpriced requests"
        value={formatCount(mtd.unpricedRequests)}
        testId="team-unpriced"
        tone={mtd.unpricedRequests > 0 ? "warning" : "default"}
        detail={mtd.unpricedRequests > 0 ? "not in spend until priced" : "everything priced"}
      />
    </dl>
  );
}

export function TeamStatsSkeleton() {
  return (
    <div role="status" aria-busy="true" aria-live="polite">
      <span className="sr-only">Loading the month&apos;s spend…</span>
      <StatBlocks count={4} />
    </div>
  );
}

/** Daily spend of the last 30 days by model. */
export async function TeamDailySpend({ report }: { report: Promise<Settled<SpendOverview>> }) {
  const result = await report;
  if (!result.ok) return <Panel title="Daily spend by model" titleId="daily-spend-title"><Failed what="Daily spend" message={result.message} /></Panel>;
  return <DailySpendPanel days={result.value.daily} byModel={result.value.dailyByModel} models={result.value.models} />;
}

/** The team's most expensive features this month. */
export async function TeamTopFeatures({ report }: { report: Promise<Settled<SpendOverview>> }) {
  const result = await report;
  if (!result.ok) return <Panel title="Top features" titleId="top-features-title"><Failed what="The top features" message={result.message} /></Panel>;
  return <TopFeatures features={result.value.topFeatures} totalCostUsd={result.value.monthToDate.costUsd} />;
}

/** The budgets that cover the team, this month. */
export async function TeamBudgetsPanel({ report, slug }: { report: Promise<Settled<BudgetView[]>>; slug: string }) {
  const result = await report;
  if (!result.ok) return <Panel title="Budgets" titleId="team-budgets-title" description="This month"><Failed what="The budgets" message={result.message} /></Panel>;
  return <TeamBudgets budgets={result.value.filter((b) => b.scope.team === slug)} />;
}

/** Cost per successful outcome of the team's workflows, last 30 days. */
export async function TeamOutcomesPanel({ report, slug }: { report: Promise<Settled<OutcomeReport>>; slug: string }) {
  const result = await report;
  if (!result.ok) return <Panel title="Cost per outcome" titleId="team-outcomes-title"><Failed what="Cost per outcome" message={result.message} /></Panel>;
  return <TeamOutcomes report={result.value} slug={slug} />;
}

/** The team's prompt-cache hit rate, last 30 days. */
export async function TeamCachePanel({ report, slug }: { report: Promise<Settled<CacheReport>>; slug: string }) {
  const result = await report;
  if (!result.ok) return <Panel title="Prompt cache" titleId="team-cache-title"><Failed what="The prompt cache figures" message={result.message} /></Panel>;
  return <TeamCache report={result.value} slug={slug} />;
}
