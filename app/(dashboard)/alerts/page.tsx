import { urlSearchParamsOf, type SearchParams } from "@/lib/schemas/pages/search-params";
import type { Metadata } from "next";
import { Suspense } from "react";
import { ALERT_TYPES } from "@/lib/schemas/alerts";
import { can, canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { Panel } from "@/components/ui/panel";
import { UrlNavigationProvider } from "@/components/ui/url-navigation";
import { AlertList, AlertsPanelSkeleton } from "@/components/alerts/alert-list";
import { alertListParams, alertsRequest } from "@/components/alerts/alert-params";
import { ChannelsPanel } from "@/components/alerts/channels-panel";
import { PanelRowsSkeleton } from "@/components/alerts/panel-rows-skeleton";
import { RulesPanel } from "@/components/alerts/rules-panel";
import { Prefetch } from "../_prefetch/prefetch";
import { serverQueries } from "../_prefetch/server-queries";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Alerts" };


/**
 * Alerts, rendered on the server: the list (its filters are the URL's), and for those who
 * manage alerts the channels and the rules (with what rules can watch and send to), each
 * prefetched in its own <Suspense>.
 */
export default async function AlertsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/alerts");
  if (!canSee(user, "alerts")) return <AccessDenied what="alerts" />;
  const manage = can(user, "alerts:manage");
  const search = urlSearchParamsOf(await searchParams);
  const server = serverQueries(user);
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Budget thresholds and forecasts, spend spikes, cache-hit drops, prompt bloat, unpriced and untagged spend. Evaluated every minute."
      />
      <UrlNavigationProvider>
        <div className="space-y-4">
          <Suspense fallback={<AlertsPanelSkeleton />}>
            <Prefetch queries={[server.alerts(alertsRequest(alertListParams(search)))]}>
              <AlertList canManage={manage} types={ALERT_TYPES} />
            </Prefetch>
          </Suspense>
          {manage ? (
            <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
              <Suspense fallback={<Panel title="Channels" titleId="channels-title"><PanelRowsSkeleton label="Loading channels…" /></Panel>}>
                <Prefetch queries={[server.alertChannels()]}>
                  <ChannelsPanel />
                </Prefetch>
              </Suspense>
              <Suspense fallback={<Panel title="Rules" titleId="rules-title"><PanelRowsSkeleton label="Loading rules…" /></Panel>}>
                <Prefetch queries={[server.alertRules(), server.alertChannels(), server.teams(), server.budgets()]}>
                  <RulesPanel />
                </Prefetch>
              </Suspense>
            </div>
          ) : null}
        </div>
      </UrlNavigationProvider>
    </>
  );
}
