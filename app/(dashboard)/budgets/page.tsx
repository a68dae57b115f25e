import type { Metadata } from "next";
import { Suspense } from "react";
import { listTeams } from "@/lib/access/teams";
import { can, canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import type { BudgetView } from "@/lib/budgets/budgets";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { BudgetsPanel, BudgetsSkeleton, BudgetsWorkspace, NewBudgetPanel } from "@/components/budgets/budgets-manager";
import { Prefetch } from "../_prefetch/prefetch";
import { serverQueries } from "../_prefetch/server-queries";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Budgets" };

/**
 * Budgets, rendered on the server: the form right away, and the budgets with the first
 * one's burn-down (what the page selects) prefetched in their own <Suspense>.
 */
export default async function BudgetsPage() {
  const user = await requireUser("/budgets");
  if (!canSee(user, "budgets")) return <AccessDenied what="budgets" />;
  const teams = (await listTeams({ principal: user })).map((t) => t.slug);
  const canWrite = can(user, "budgets:write");
  const server = serverQueries(user);
  const budgets = server.budgets();
  const withBurndown = async () => {
    const first = ((await budgets.load().catch(() => null)) as { budgets: BudgetView[] } | null)?.budgets[0];
    return [budgets, ...(first ? [server.burndown(first)] : [])];
  };
  return (
    <>
      <PageHeader title="Budgets" description="Monthly budgets, spend so far and where each month will end (UTC)." />
      <BudgetsWorkspace>
        <div className="space-y-4">
          {canWrite ? <NewBudgetPanel teams={teams} /> : null}
          <Suspense fallback={<BudgetsSkeleton />}>
            <Prefetch queries={withBurndown}>
              <BudgetsPanel canWrite={canWrite} teams={teams} />
            </Prefetch>
          </Suspense>
        </div>
      </BudgetsWorkspace>
    </>
  );
}
