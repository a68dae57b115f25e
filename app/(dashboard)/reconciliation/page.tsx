import type { Metadata } from "next";
import { Suspense } from "react";
import { can, canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { urlSearchParamsOf, type SearchParams } from "@/lib/schemas/pages/search-params";
import { reconciliationPageState } from "@/lib/view/reconciliation";
import { ConnectionsPanel } from "@/components/reconciliation/connections-panel";
import { ReconciliationReport } from "@/components/reconciliation/reconciliation-report";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { PanelBlock } from "@/components/ui/skeleton";
import { UrlNavigationProvider } from "@/components/ui/url-navigation";
import { Prefetch } from "../_prefetch/prefetch";
import { serverQueries } from "../_prefetch/server-queries";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Reconciliation" };

/** Burnrate's numbers against the providers' own usage and cost reports (finance, admins). */
export default async function ReconciliationPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/reconciliation");
  if (!canSee(user, "reconciliation")) return <AccessDenied what="reconciliation" />;
  const state = reconciliationPageState(urlSearchParamsOf(await searchParams), new Date());
  const server = serverQueries(user);
  return (
    <>
      <PageHeader
        title="Reconciliation"
        description="What Burnrate counted against what OpenAI and Anthropic billed, per UTC day and model, and the usual reasons they differ."
      />
      <UrlNavigationProvider>
        <div className="space-y-4">
          <Suspense fallback={<PanelBlock rows={6} chart />}>
            <Prefetch queries={[server.reconciliation({ from: state.from, to: state.to, provider: state.provider })]}>
              <ReconciliationReport />
            </Prefetch>
          </Suspense>
          {can(user, "reconciliation:manage") ? <ConnectionsPanel /> : null}
        </div>
      </UrlNavigationProvider>
    </>
  );
}
