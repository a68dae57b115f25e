import type { Metadata } from "next";
import { ALERT_TYPES } from "@/lib/schemas/alerts";
import { can, canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { AlertList } from "@/components/alerts/alert-list";
import { ChannelsPanel } from "@/components/alerts/channels-panel";
import { RulesPanel } from "@/components/alerts/rules-panel";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Alerts" };

export default async function AlertsPage() {
  const user = await requireUser("/alerts");
  if (!canSee(user, "alerts")) return <AccessDenied what="alerts" />;
  const manage = can(user, "alerts:manage");
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Budget thresholds and forecasts, spend spikes, cache-hit drops, prompt bloat, unpriced and untagged spend. Evaluated every minute."
      />
      <div className="space-y-4">
        <AlertList canManage={manage} types={ALERT_TYPES} />
        {manage ? (
          <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
            <ChannelsPanel />
            <RulesPanel />
          </div>
        ) : null}
      </div>
    </>
  );
}
