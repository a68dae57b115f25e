import type { Metadata } from "next";
import { Suspense } from "react";
import { canSee, inTeamScope, teamScope } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { urlSearchParamsOf, type SearchParams } from "@/lib/schemas/pages/search-params";
import { chargebackMonth } from "@/lib/view/chargeback";
import { TeamStatement } from "@/components/chargeback/team-statement";
import { AccessDenied } from "@/components/ui/access-denied";
import { Callout } from "@/components/ui/callout";
import { PageHeader } from "@/components/ui/page-header";
import { PanelBlock } from "@/components/ui/skeleton";
import { Prefetch } from "../../_prefetch/prefetch";
import { serverQueries } from "../../_prefetch/server-queries";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Statement" };

/** One team's statement for a month (?month=YYYY-MM&team=slug), print-friendly. */
export default async function StatementPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/chargeback/statement");
  if (!canSee(user, "chargeback")) return <AccessDenied what="chargeback" />;
  const search = urlSearchParamsOf(await searchParams);
  const month = chargebackMonth(search, new Date());
  const team = search.get("team");
  if (!team) {
    return (
      <>
        <PageHeader title="Statement" />
        <Callout title="Which team?">Open a statement from the Chargeback page&apos;s table.</Callout>
      </>
    );
  }
  if (!inTeamScope(teamScope(user), team)) return <AccessDenied what="this team's statement" />;
  return (
    <>
      <div className="print:hidden">
        <PageHeader title="Statement" description="Direct lines by feature and model, allocated lines naming their rule, and adjustments for closed months." />
      </div>
      <Suspense fallback={<PanelBlock rows={8} />}>
        <Prefetch queries={[serverQueries(user).statement(month, team)]}>
          <TeamStatement month={month} team={team} />
        </Prefetch>
      </Suspense>
    </>
  );
}
