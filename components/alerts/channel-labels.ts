import type { ChannelView } from "@/lib/alerts/channels";

const TYPE_LABELS: Record<ChannelView["type"], string> = { webhook: "webhook", slack: "Slack", email: "email", in_app: "in-app" };

/** How a channel's type reads in the panels: "webhook", "Slack", "email", "in-app". */
export function channelTypeLabel(type: ChannelView["type"]): string {
  return TYPE_LABELS[type] ?? type;
}
