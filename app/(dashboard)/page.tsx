import type { Metadata } from "next";
import { getSpendOverview } from "@/lib/analytics/overview";
import { canSee, teamScope } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { formatCount, formatDayRange, formatDayTime, formatMonth } from "@/lib/format";
import { PageHeader } from "@/components/ui/page-header";
import { Callout } from "@/components/ui/callout";
import { OverviewStats } from "@/components/overview/overview-stats";
import { DailySpendPanel } from "@/components/overview/daily-spend-panel";
import { TopTeams } from "@/components/overview/top-teams";
import { GettingStarted } from "@/components/overview/getting-started";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Overview" };

function plural(count: number, one: string, many: string): string {
  return `${formatCount(count)} ${count === 1 ? one : many}`;
}

export default async function OverviewPage() {
  const user = await requireUser("/");
  if (!canSee(user, "overview")) return <AccessDenied what="the overview" />;
  const scope = teamScope(user);
  const overview = await getSpendOverview(new Date(), undefined, scope);
  const { monthToDate: mtd, periods, latestHour } = overview;
  const month = formatMonth(periods.monthToDate.start);

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
          {mtd.unpricedModels === 1 ? "that model" : "those models"} and they are re-costed automatically.
        </Callout>
      ) : null}

      <OverviewStats overview={overview} />

      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-3">
        <div className="min-w-0 lg:col-span-2">
          <DailySpendPanel days={overview.daily} />
        </div>
        <TopTeams teams={overview.topTeams} teamCount={overview.teamCount} totalCostUsd={mtd.costUsd} />
      </div>
    </>
  );
}
