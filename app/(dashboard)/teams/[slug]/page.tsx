import type { Metadata } from "next";
import { MonthForecastPanel } from "@/components/overview/month-forecast-panel";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { getPool, prisma } from "@/lib/db";
import { getCacheReport } from "@/lib/analytics/cache";
import { listBudgets } from "@/lib/budgets/budgets";
import { listAlerts } from "@/lib/alerts/alerts";
import { listAllocations } from "@/lib/quotas/allocations";
import { listBurstRequests } from "@/lib/quotas/bursts";
import { alertsQuerySchema } from "@/lib/schemas/alerts";
import { getSpendOverview } from "@/lib/analytics/overview";
import { outcomeReport } from "@/lib/analytics/outcome-report";
import { can, canActOnTeam, type TeamScope } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { cacheQuerySchema } from "@/lib/schemas/cache";
import { formatChange, formatCount, formatMoney } from "@/lib/format";
import { ChangeBadge } from "@/components/overview/change-badge";
import { DailySpendPanel } from "@/components/overview/daily-spend-panel";
import { StatCard } from "@/components/overview/stat-card";
import { TopFeatures } from "@/components/overview/top-features";
import { PageHeader } from "@/components/ui/page-header";
import { TeamBudgets } from "@/components/teams/team-budgets";
import { TeamCache } from "@/components/teams/team-cache";
import { TeamOutcomes } from "@/components/teams/team-outcomes";
import { PanelSkeleton, TeamAllocations, TeamBursts, TeamOpenAlerts, settle } from "@/components/teams/team-quota-alerts";

export const dynamic = "force-dynamic";

type Params = Promise<{ slug: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Team ${(await params).slug}` };
}

const DAY_MS = 86_400_000;

/** One team's page: what a team lead opens. Another team's page is simply not found. */
export default async function TeamPage({ params }: { params: Params }) {
  const { slug } = await params;
  const user = await requireUser(`/teams/${encodeURIComponent(slug)}`);
  const team = await prisma.team.findUnique({ where: { slug }, select: { slug: true, name: true, origin: true } });
  if (!team || !canActOnTeam(user, "spend:read", slug)) notFound();

  const scope: TeamScope = { kind: "teams", slugs: [slug] };
  const now = new Date();
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const from = new Date(today.getTime() - 29 * DAY_MS);
  const to = new Date(today.getTime() + DAY_MS);
  // Started now, awaited by their own panels inside <Suspense>: they run beside the reports
  // below and never hold the page (every one is team-scoped by the caller's principal).
  const allocations = settle(listAllocations(user, { team: slug }, { now }));
  const bursts = settle(listBurstRequests(user, { team: slug, status: "pending" }, { now }));
  const alerts = settle(listAlerts(user, alertsQuerySchema.parse({ state: "open", team: slug, limit: 20 })));
  const [overview, outcomes, cache, budgets] = await Promise.all([
    getSpendOverview(now, getPool(), scope),
    outcomeReport(getPool(), { from, to }, scope),
    getCacheReport(cacheQuerySchema.parse({ from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10), bucket: "day", team: slug }), { scope, now }),
    listBudgets(user),
  ]);
  const mtd = overview.monthToDate;
  const change = mtd.requests > 0 ? formatChange(mtd.costUsd, overview.lastMonthSamePeriodCostUsd) : null;

  return (
    <>
      <PageHeader
        title={team.name}
        description={<>Team <code>{team.slug}</code>{team.origin === "discovered" ? " · seen in usage tags" : team.origin === "planned" ? " · planned before its first usage" : ""} · UTC</>}
        actions={
          <Link href={`/showback?${new URLSearchParams({ team: slug, by: "feature" }).toString()}`} className="rounded-md border border-zinc-300 bg-white px-3.5 py-2 text-sm font-medium text-zinc-800 hover:bg-zinc-50">
            Showback for {team.slug}
          </Link>
        }
      />
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
      <div className="mt-4">
        <MonthForecastPanel team={slug} scopeLabel={slug} />
      </div>
      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-3">
        <Suspense fallback={<PanelSkeleton title="Quota" titleId="team-quota-title" testId="team-allocations-loading" />}>
          <TeamAllocations report={allocations} slug={slug} />
        </Suspense>
        <Suspense fallback={<PanelSkeleton title="Open burst requests" titleId="team-bursts-title" testId="team-bursts-loading" />}>
          <TeamBursts report={bursts} canDecide={can(user, "quota:decide")} canRequest={canActOnTeam(user, "quota:request", slug)} />
        </Suspense>
        <Suspense fallback={<PanelSkeleton title="Open alerts" titleId="team-alerts-title" testId="team-alerts-loading" />}>
          <TeamOpenAlerts report={alerts} />
        </Suspense>
      </div>
      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-3">
        <div className="min-w-0 lg:col-span-2">
          <DailySpendPanel days={overview.daily} byModel={overview.dailyByModel} models={overview.models} />
        </div>
        <div className="space-y-4">
          <TopFeatures features={overview.topFeatures} totalCostUsd={mtd.costUsd} />
          <TeamBudgets budgets={budgets.filter((b) => b.scope.team === slug)} />
        </div>
      </div>
      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-2">
        <TeamOutcomes report={outcomes} slug={slug} />
        <TeamCache report={cache} slug={slug} />
      </div>
    </>
  );
}
