import type { Metadata } from "next";
import { listTeams } from "@/lib/access/teams";
import { can, canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { BudgetsManager } from "@/components/budgets/budgets-manager";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Budgets" };

export default async function BudgetsPage() {
  const user = await requireUser("/budgets");
  if (!canSee(user, "budgets")) return <AccessDenied what="budgets" />;
  const teams = (await listTeams(user)).map((t) => t.slug);
  return (
    <>
      <PageHeader title="Budgets" description="Monthly budgets, spend so far and where each month will end (UTC)." />
      <BudgetsManager canWrite={can(user, "budgets:write")} teams={teams} />
    </>
  );
}
