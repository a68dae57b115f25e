import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/server-session";
import { ComingSoon } from "@/components/ui/coming-soon";

export const metadata: Metadata = { title: "Alerts" };

export default async function AlertsPage() {
  await requireUser("/alerts");
  return (
    <ComingSoon title="Alerts" summary="Notifications when spend does something unexpected.">
      Alert rules for budget thresholds and forecasts, spend spikes, cache hit-rate drops, jumps in tokens per request, and unpriced or untagged spend, delivered to signed webhooks or Slack, each firing once per period, with acknowledgement and history.
    </ComingSoon>
  );
}
