import type { Metadata } from "next";
import { Suspense } from "react";
import { can, canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { urlSearchParamsOf, type SearchParams } from "@/lib/schemas/pages/search-params";
import { chargebackMonth } from "@/lib/view/chargeback";
import { AllocationRulesPanel } from "@/components/chargeback/allocation-rules-panel";
import { ChargebackMonth } from "@/components/chargeback/chargeback-month";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { PanelBlock } from "@/components/ui/skeleton";
import { UrlNavigationProvider } from "@/components/ui/url-navigation";
import { Prefetch } from "../_prefetch/prefetch";
import { serverQueries } from "../_prefetch/server-queries";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Chargeback" };

/** What each team pays for a month: direct spend, shared spend allocated by rule, adjustments, the month close. */
export default async function ChargebackPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/chargeback");
  if (!canSee(user, "chargeback")) return <AccessDenied what="chargeback" />;
  const month = chargebackMonth(urlSearchParamsOf(await searchParams), new Date());
  const server = serverQueries(user);
  return (
    <>
      <PageHeader
        title="Chargeback"
        description="Monthly statements: each team's own spend, its share of shared and untagged spend by the allocation rules, and the adjustments for months already closed."
      />
      <UrlNavigationProvider>
        <div className="space-y-4">
          <Suspense fallback={<PanelBlock rows={6} />}>
            <Prefetch queries={[server.chargeback(month), server.closedMonths()]}>
              <ChargebackMonth canClose={can(user, "chargeback:close")} />
            </Prefetch>
          </Suspense>
          {can(user, "allocation:manage") ? (
            <Suspense fallback={<PanelBlock rows={4} />}>
              <Prefetch queries={[server.allocationRules(), server.teams()]}>
                <AllocationRulesPanel canManage month={month} />
              </Prefetch>
            </Suspense>
          ) : null}
        </div>
      </UrlNavigationProvider>
    </>
  );
}
