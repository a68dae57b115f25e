import "server-only";
import { logger } from "@/lib/log";
import { prisma } from "@/lib/db";
import { principalLabel, type Principal } from "@/lib/auth/permissions";
import { sendToChannel, type DeliverableAlert, type SendOptions, type SendResult } from "@/lib/alerts/deliver";
import { publicBaseUrl } from "@/lib/env";
import { afterResponse } from "@/lib/http/after-response";
import type { Queryable } from "@/lib/db/sql";
import { ensureInAppChannel, inAppChannelEnabled, recordNotification } from "@/lib/notifications/notifications";
import type { NotificationKind } from "@/lib/schemas/notifications";
import { formatCount, formatDayTime, formatMoney } from "@/lib/format";
import type { BurstView } from "./bursts";

/**
 * Burst request notifications through the alert channels (lib/alerts/deliver.ts
 * sendToChannel): every ENABLED channel gets one message when a request is filed, approved
 * or rejected — a webhook the JSON below (signed like alerts, X-Burnrate-Event = the type),
 * Slack its message, email (when SMTP is configured) its mail. Sent once the response is on
 * its way, one attempt, not queued or retried (the audit log is the record); a failure is
 * logged and never fails the request.
 *
 *   {"type": "quota.burst_requested" | "quota.burst_approved" | "quota.burst_rejected",
 *    "scope": {"team": "search"}, "period_start": <starts_at>, "message": "...",
 *    "url": "<base>/quotas", "burst_request": <the request object>, "actor": "lead@example.com"}
 */

export type BurstNotificationType = "quota.burst_requested" | "quota.burst_approved" | "quota.burst_rejected";

export interface BurstNotification extends DeliverableAlert {
  type: BurstNotificationType;
  burst_request: BurstView;
  actor: string;
}

/** "$1,200.00" or "1,500,000 tokens": people read these (Slack, email, the bell); webhooks also get the exact request. */
function unitText(amount: string, unit: BurstView["unit"]): string {
  return unit === "usd" ? formatMoney(amount) : `${formatCount(Number(amount))} tokens`;
}

export function burstMessage(type: BurstNotificationType, request: BurstView, actor: string): string {
  const window = `${formatDayTime(new Date(request.starts_at))} – ${formatDayTime(new Date(request.ends_at))}`;
  switch (type) {
    case "quota.burst_requested":
      return `${actor} requested a burst of ${unitText(request.amount, request.unit)} for team ${request.team} (${window}): ${request.reason}`;
    case "quota.burst_approved": {
      const granted = request.approved_amount ?? request.amount;
      const partial = granted === request.amount ? "" : ` of the ${unitText(request.amount, request.unit)} requested`;
      return `${actor} approved a burst of ${unitText(granted, request.unit)}${partial} for team ${request.team} (${window})${request.decision_comment ? `: ${request.decision_comment}` : ""}`;
    }
    case "quota.burst_rejected":
      return `${actor} rejected the burst of ${unitText(request.amount, request.unit)} for team ${request.team} (${window})${request.decision_comment ? `: ${request.decision_comment}` : ""}`;
  }
}

export function burstNotification(type: BurstNotificationType, request: BurstView, actor: string, baseUrl = publicBaseUrl()): BurstNotification {
  return {
    type,
    scope: { team: request.team },
    period_start: request.starts_at,
    message: burstMessage(type, request, actor),
    url: `${baseUrl}/quotas`,
    burst_request: request,
    actor,
  };
}

const IN_APP_KIND = {
  "quota.burst_requested": "burst_requested",
  "quota.burst_approved": "burst_approved",
  "quota.burst_rejected": "burst_rejected",
} as const satisfies Record<BurstNotificationType, NotificationKind>;

const IN_APP_TITLE: Record<BurstNotificationType, string> = {
  "quota.burst_requested": "Burst request waiting for a decision",
  "quota.burst_approved": "Burst request approved",
  "quota.burst_rejected": "Burst request rejected",
};

/**
 * The in-app channel's part, inside the caller's transaction (dated `at`): a new request
 * reaches the admins who decide it; a decision reaches whoever sees the team (its lead and
 * members, finance), never the admin who made it.
 */
export async function recordBurstNotification(
  db: Queryable,
  type: BurstNotificationType,
  request: BurstView,
  principal: Principal,
  at: Date,
): Promise<void> {
  await ensureInAppChannel(db, at);
  if (!(await inAppChannelEnabled(db))) return;
  await recordNotification(db, {
    kind: IN_APP_KIND[type],
    team: request.team,
    audience: type === "quota.burst_requested" ? "admins" : "scoped",
    actorUserId: principal.kind === "user" ? principal.userId : null,
    title: IN_APP_TITLE[type],
    message: burstMessage(type, request, principalLabel(principal)),
    link: type === "quota.burst_requested" ? `/quotas?request=${request.id}` : `/quotas?team=${encodeURIComponent(request.team)}`,
    burstRequestId: request.id,
    at,
  });
}

/** Sends to every enabled channel now; answers each channel's result (never throws for a channel). */
export async function sendBurstNotification(
  notification: BurstNotification,
  options: SendOptions = {},
): Promise<{ channel_id: string; result: SendResult }[]> {
  const channels = await prisma.alertChannel.findMany({
    // The in-app channel got its notification in the request's own transaction.
    where: { enabled: true, type: { not: "in_app" } },
    select: { id: true, type: true, target: true, secret: true },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return Promise.all(
    channels.map(async (channel) => ({
      channel_id: channel.id,
      result: await sendToChannel(channel, notification, { ...options, deliveryId: `${notification.type}:${notification.burst_request.id}` }),
    })),
  );
}

/** After the response: notify, log failures, never throw. */
export function notifyBurst(type: BurstNotificationType, request: BurstView, principal: Principal): void {
  const notification = burstNotification(type, request, principalLabel(principal));
  afterResponse(async () => {
    try {
      const results = await sendBurstNotification(notification);
      for (const { channel_id, result } of results) {
        if (!result.ok) logger().warn({ channel_id, error: result.error }, `${type} notification failed`);
      }
    } catch (error) {
      logger().warn({ err: error }, `${type} notification failed`);
    }
  });
}
