import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { getSpendOverview, weekTrend } from "@/lib/analytics/overview";
import { formatChange, formatDayKey, formatMoney, formatPercent, ratio } from "@/lib/format";
import { ChangeBadge } from "@/components/overview/change-badge";
import { TopFeatures } from "@/components/overview/top-features";
import { canSee, teamScope } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { formatDayRange, formatDayTime, formatMonth, plural } from "@/lib/format";
import { can } from "@/lib/auth/permissions";
import { PageHeader } from "@/components/ui/page-header";
import { Callout } from "@/components/ui/callout";
import { OverviewStats } from "@/components/overview/overview-stats";
import { DailySpendPanel } from "@/components/overview/daily-spend-panel";
import { TopTeams } from "@/components/overview/top-teams";
import { GettingStarted } from "@/components/overview/getting-started";
import { MonthForecastPanel, MonthForecastSkeleton } from "@/components/overview/month-forecast-panel";
import { Prefetch } from "./_prefetch/prefetch";
import { serverQueries } from "./_prefetch/server-queries";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const user = await requireUser("/");
  if (!canSee(user, "overview")) return <AccessDenied what="the overview" />;
  const scope = teamScope(user);
  const overview = await getSpendOverview({ principal: user });
  const { monthToDate: mtd, periods, latestHour } = overview;
  const month = formatMonth(periods.monthToDate.start);
  const untaggedShare = scope.kind === "all" ? ratio(mtd.untaggedCostUsd, mtd.costUsd) : null;
  const trend = weekTrend(overview.daily);
  const trendChange = trend ? formatChange(trend.lastSevenDaysCostUsd, trend.priorSevenDaysCostUsd) : null;
  const forecastScope = scope.kind === "all" ? "all spend" : "your teams' spend";

  if (!latestHour) {
    return (
      <>
        <PageHeader
          title="Overview"
          description={scope.kind === "all" ? "Spend on LLM inference across your organisation." : `Spend of your teams: ${scope.slugs.join(", ") || "none yet"}.`}
        />
        <GettingStarted now={overview.now} />
      </>
    );
  }

  return (
    <>
      <PageHeader
        title="Overview"
        description={
          <>
            {scope.kind === "teams" ? <span data-testid="team-scope">Your teams ({scope.slugs.join(", ")}) · </span> : null}
            {month} to date ({formatDayRange(periods.monthToDate.start, overview.now)}, UTC) · latest usage{" "}
            <time dateTime={latestHour.toISOString()}>{formatDayTime(latestHour)}</time>
          </>
        }
      />

      {mtd.requests === 0 ? (
        <Callout title={`No usage recorded in ${month} yet`} testId="no-usage-this-month">
          This month&apos;s figures are zero. Last month&apos;s totals are shown for reference; the newest usage is from{" "}
          {formatDayTime(latestHour)}.
        </Callout>
      ) : null}

      {mtd.unpricedRequests > 0 ? (
        <Callout tone="warning" title="Some usage has no price" testId="unpriced-callout">
          {plural(mtd.unpricedRequests, "request", "requests")} from {plural(mtd.unpricedModels, "model", "models")}{" "}
          {mtd.unpricedRequests === 1 ? "is" : "are"} unpriced — they are not counted as $0. Add prices for{" "}
          {mtd.unpricedModels === 1 ? "that model" : "those models"} and they are re-costed automatically.{" "}
          <Link href="/prices" className="font-medium underline underline-offset-2">
            {can(user, "prices:write") ? "Add prices" : "See the price catalog"}
          </Link>
        </Callout>
      ) : null}

      {untaggedShare && untaggedShare.gte("0.01") ? (
        <Callout tone="warning" title="Some spend has no team" testId="untagged-callout">
          {formatMoney(mtd.untaggedCostUsd)} ({formatPercent(untaggedShare)}) of this month&apos;s spend carries no{" "}
          <code>tags.team</code>, so nobody is charged for it.{" "}
          <Link href="/showback?by=feature&then=none" className="font-medium underline underline-offset-2">
            Find it by feature in Showback
          </Link>{" "}
          and add the tag where those calls are made.
        </Callout>
      ) : null}

      <OverviewStats overview={overview} />

      {trend ? (
        <p className="mt-4 flex flex-wrap items-center gap-2 text-sm text-zinc-600" data-testid="week-trend">
          <span>
            Last 7 days ({formatDayKey(trend.firstDay)}–{formatDayKey(trend.lastDay)}):{" "}
            <span className="tabular font-semibold text-zinc-900">{formatMoney(trend.lastSevenDaysCostUsd)}</span> vs{" "}
            <span className="tabular">{formatMoney(trend.priorSevenDaysCostUsd)}</span> the week before
          </span>
          {trendChange ? <ChangeBadge change={trendChange} /> : null}
        </p>
      ) : null}

      <div className="mt-4">
        <Suspense fallback={<MonthForecastSkeleton scopeLabel={forecastScope} />}>
          <Prefetch queries={[serverQueries(user).forecast()]}>
            <MonthForecastPanel scopeLabel={forecastScope} />
          </Prefetch>
        </Suspense>
      </div>

      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-3">
        <div className="min-w-0 lg:col-span-2">
          <DailySpendPanel days={overview.daily} byModel={overview.dailyByModel} models={overview.models} />
        </div>
        <div className="space-y-4">
          <TopTeams teams={overview.topTeams} teamCount={overview.teamCount} totalCostUsd={mtd.costUsd} />
          <TopFeatures features={overview.topFeatures} totalCostUsd={mtd.costUsd} />
        </div>
      </div>
    </>
  );
}
