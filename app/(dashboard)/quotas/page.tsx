import type { Metadata } from "next";
import { listTeams } from "@/lib/access/teams";
import { can, canActOnTeam, canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { QuotaTabs } from "@/components/quotas/quota-tabs";
import { QuotasOverview } from "@/components/quotas/quotas-overview";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Quotas" };

export default async function QuotasPage() {
  const user = await requireUser("/quotas");
  if (!canSee(user, "quotas")) return <AccessDenied what="quotas" />;
  const teams = (await listTeams(user)).map((t) => t.slug);
  return (
    <>
      <PageHeader
        title="Quotas"
        description="Monthly allocations per team (UTC), bursts on top of them, and the check your gateway calls before each model request."
      />
      <QuotaTabs />
      <QuotasOverview
        userId={user.userId}
        teams={teams}
        requestTeams={teams.filter((slug) => canActOnTeam(user, "quota:request", slug))}
        canAllocate={can(user, "quota:allocate")}
        canDecide={can(user, "quota:decide")}
      />
    </>
  );
}
