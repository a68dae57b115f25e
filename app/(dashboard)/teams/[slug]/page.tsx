import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { prisma } from "@/lib/db";
import { getCacheReport } from "@/lib/analytics/cache";
import { listBudgets } from "@/lib/budgets/budgets";
import { listAlerts } from "@/lib/alerts/alerts";
import { listAllocations } from "@/lib/quotas/allocations";
import { listBurstRequests } from "@/lib/quotas/bursts";
import { alertsQuerySchema } from "@/lib/schemas/alerts";
import { getSpendOverview } from "@/lib/analytics/overview";
import { getOutcomeReport } from "@/lib/analytics/outcome-report";
import { can, canActOnTeam } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { cacheQuerySchema } from "@/lib/schemas/cache";
import { DAY_MS, startOfUtcDay, utcDayKey } from "@/lib/time";
import { MonthForecastPanel, MonthForecastSkeleton } from "@/components/overview/month-forecast-panel";
import { withQuery } from "@/components/queries/query-string";
import { PageHeader } from "@/components/ui/page-header";
import { PanelSkeleton, settle } from "@/components/teams/settled";
import { TeamAllocations, TeamBursts, TeamOpenAlerts } from "@/components/teams/team-quota-alerts";
import { TeamBudgetsPanel, TeamCachePanel, TeamDailySpend, TeamOutcomesPanel, TeamStats, TeamStatsSkeleton, TeamTopFeatures } from "@/components/teams/team-reports";
import { TeamChangesPanel, TeamSavingsPanel } from "@/components/teams/team-savings";
import { Prefetch } from "../../_prefetch/prefetch";
import { serverQueries } from "../../_prefetch/server-queries";

export const dynamic = "force-dynamic";

type Params = Promise<{ slug: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  return { title: `Team ${(await params).slug}` };
}

/**
 * One team's page: what a team lead opens. Another team's page is simply not found. Every
 * report starts at once and is awaited by its own panel inside its own <Suspense> (none
 * waits for another); each is team-scoped by the caller's principal.
 */
export default async function TeamPage({ params }: { params: Params }) {
  const { slug } = await params;
  const user = await requireUser(`/teams/${encodeURIComponent(slug)}`);
  const team = await prisma.team.findUnique({ where: { slug }, select: { slug: true, name: true, origin: true } });
  if (!team || !canActOnTeam(user, "spend:read", slug)) notFound();

  const ctx = { principal: user, now: new Date() };
  const today = startOfUtcDay(ctx.now);
  const from = new Date(today.getTime() - 29 * DAY_MS);
  const to = new Date(today.getTime() + DAY_MS);
  const overview = settle(getSpendOverview(ctx, { team: slug }));
  const outcomes = settle(getOutcomeReport(ctx, { from, to, team: slug }));
  const cache = settle(getCacheReport(ctx, cacheQuerySchema.parse({ from: utcDayKey(from), to: utcDayKey(to), bucket: "day", team: slug })));
  const budgets = settle(listBudgets(ctx));
  const allocations = settle(listAllocations(ctx, { team: slug }));
  const bursts = settle(listBurstRequests(ctx, { team: slug, status: "pending" }));
  const alerts = settle(listAlerts(ctx, alertsQuerySchema.parse({ state: "open", team: slug, limit: 20 })));

  return (
    <>
      <PageHeader
        title={team.name}
        description={<>Team <code>{team.slug}</code>{team.origin === "discovered" ? " · seen in usage tags" : team.origin === "planned" ? " · planned before its first usage" : ""} · UTC</>}
        actions={
          <Link href={withQuery("/showback", { team: slug, by: "feature" })} className="rounded-md border border-zinc-300 bg-white px-3.5 py-2 text-sm font-medium text-zinc-800 hover:bg-zinc-50">
            Showback for {team.slug}
          </Link>
        }
      />
      <Suspense fallback={<TeamStatsSkeleton />}>
        <TeamStats report={overview} />
      </Suspense>
      <div className="mt-4">
        <Suspense fallback={<MonthForecastSkeleton scopeLabel={slug} />}>
          <Prefetch queries={[serverQueries(user).forecast({ team: slug })]}>
            <MonthForecastPanel team={slug} scopeLabel={slug} />
          </Prefetch>
        </Suspense>
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
          <Suspense fallback={<PanelSkeleton title="Daily spend by model" titleId="daily-spend-title" testId="team-daily-loading" tall />}>
            <TeamDailySpend report={overview} />
          </Suspense>
        </div>
        <div className="space-y-4">
          <Suspense fallback={<PanelSkeleton title="Top features" titleId="top-features-title" testId="team-features-loading" />}>
            <TeamTopFeatures report={overview} />
          </Suspense>
          <Suspense fallback={<PanelSkeleton title="Budgets" titleId="team-budgets-title" testId="team-budgets-loading" />}>
            <TeamBudgetsPanel report={budgets} slug={slug} />
          </Suspense>
        </div>
      </div>
      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Suspense fallback={<PanelSkeleton title="Cost per outcome" titleId="team-outcomes-title" testId="team-outcomes-loading" />}>
          <TeamOutcomesPanel report={outcomes} slug={slug} />
        </Suspense>
        <Suspense fallback={<PanelSkeleton title="Prompt cache" titleId="team-cache-title" testId="team-cache-loading" />}>
          <TeamCachePanel report={cache} slug={slug} />
        </Suspense>
      </div>
      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-2">
        <Suspense fallback={<PanelSkeleton title="Savings" titleId="team-savings-title" testId="team-savings-loading" />}>
          <Prefetch queries={[serverQueries(user).savings({ from: utcDayKey(from), to: utcDayKey(today), team: slug })]}>
            <TeamSavingsPanel slug={slug} from={utcDayKey(from)} to={utcDayKey(today)} />
          </Prefetch>
        </Suspense>
        <Suspense fallback={<PanelSkeleton title="Did it pay off?" titleId="team-changes-title" testId="team-changes-loading" />}>
          <Prefetch queries={[serverQueries(user).featureChanges(slug)]}>
            <TeamChangesPanel slug={slug} canMark={canActOnTeam(user, "savings:defer", slug)} />
          </Prefetch>
        </Suspense>
      </div>
    </>
  );
}
