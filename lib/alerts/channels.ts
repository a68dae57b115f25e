import "server-only";
import { getPool, prisma } from "@/lib/db";
import { writeAudit, type AuditActor } from "@/lib/audit/audit-log";
import { ApiError } from "@/lib/http/errors";
import type { AlertChannel, AlertDelivery, Prisma } from "@/lib/generated/prisma/client";
import type { CreateChannelInput, UpdateChannelInput } from "@/lib/schemas/alerts";
import { alertTitle, sendTestMessage, type SendResult } from "@/lib/alerts/deliver";
import { ensureInAppChannel, recordNotification } from "@/lib/notifications/notifications";
import { smtpUrl } from "@/lib/alerts/email";
import { publicBaseUrl } from "@/lib/env";
import { outboundUrlRefusal } from "@/lib/http/outbound";
import { dbOf, ipOf, type Ctx } from "@/lib/context";

/**
 * Alert channels (POST/GET /api/v1/alert-channels, PATCH/DELETE …/{id}, …/{id}/test,
 * …/{id}/deliveries). A channel's secret is never answered (`has_secret` says whether it
 * has one), and a Slack webhook URL — itself a credential — is answered masked.
 * Every change is written to the audit log in the same transaction. A webhook or Slack URL
 * must pass the outbound guard (lib/http/outbound.ts): a refused one is a 400 naming `url`
 * with the reason; deliveries check again at connect time.
 */

export interface ChannelView {
  id: string;
  name: string;
  type: "webhook" | "slack" | "email" | "in_app";
  /** webhook: the URL; slack: the URL with its secret part masked; email, in_app: null. */
  url: string | null;
  /** email channels: the recipient. */
  email: string | null;
  has_secret: boolean;
  enabled: boolean;
  created_at: string;
  /** Rules linked to this channel (a rule with none linked delivers to every enabled channel). */
  rule_ids: string[];
}

export interface DeliveryView {
  id: string;
  alert_id: string;
  alert_type: string;
  alert_message: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  next_attempt_at: string | null;
  response_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

export interface TestResult {
  ok: boolean;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

const CHANNEL_SELECT = {
  id: true,
  name: true,
  type: true,
  target: true,
  secret: true,
  enabled: true,
  createdAt: true,
  rules: { select: { id: true }, orderBy: { createdAt: "asc" } },
} as const satisfies Prisma.AlertChannelSelect;

type ChannelRow = Prisma.AlertChannelGetPayload<{ select: typeof CHANNEL_SELECT }>;

/** "https://hooks.slack.com/services/T0/B0/…wxyz": the last path segment (the token) hidden but its last 4 characters. */
export function maskSlackUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const segments = parsed.pathname.split("/");
    const last = segments.pop() ?? "";
    const masked = last.length > 4 ? `…${last.slice(-4)}` : "…";
    return `${parsed.origin}${[...segments, masked].join("/")}`;
  } catch {
    return "…";
  }
}

function channelView(row: ChannelRow): ChannelView {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    url: row.type === "email" || row.type === "in_app" ? null : row.type === "slack" ? maskSlackUrl(row.target) : row.target,
    email: row.type === "email" ? row.target : null,
    has_secret: row.secret !== null,
    enabled: row.enabled,
    created_at: row.createdAt.toISOString(),
    rule_ids: row.rules.map((rule) => rule.id),
  };
}

/** What the audit log keeps of a channel: never the secret, a Slack URL masked. */
function auditShape(row: Pick<AlertChannel, "name" | "type" | "target" | "secret" | "enabled">) {
  return {
    name: row.name,
    type: row.type,
    target: row.type === "slack" ? maskSlackUrl(row.target) : row.target,
    has_secret: row.secret !== null,
    enabled: row.enabled,
  };
}

// The AUDIT_ACTIONS list (lib/audit/audit-log.ts) does not name these yet.

function defaultName(input: CreateChannelInput): string {
  if (input.type === "email") return `Email ${input.to}`;
  const host = new URL(input.url).host;
  return `${input.type === "slack" ? "Slack" : "Webhook"} ${host}`;
}

/** 400 naming `url` when the outbound guard refuses it (checked after DNS; a name that does not resolve yet passes). */
async function requireAllowedUrl(url: string): Promise<void> {
  const refusal = await outboundUrlRefusal(url);
  if (refusal === null) return;
  throw new ApiError("invalid_request", `The URL is not allowed: ${refusal}.`, { details: [{ path: "url", message: refusal }] });
}

function requireSmtp(path: string): void {
  if (smtpUrl()) return;
  throw new ApiError("invalid_request", "Email channels need an SMTP server: set BURNRATE_SMTP_URL.", {
    details: [{ path, message: "email is not configured (BURNRATE_SMTP_URL is not set)" }],
  });
}

export async function listChannels(ctx: Ctx<AuditActor>): Promise<ChannelView[]> {
  await ensureInAppChannel(dbOf(ctx));
  const rows = await prisma.alertChannel.findMany({ select: CHANNEL_SELECT, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return rows.map(channelView);
}

export async function getChannelOrThrow(id: string): Promise<ChannelRow> {
  const row = await prisma.alertChannel.findUnique({ where: { id }, select: CHANNEL_SELECT });
  if (!row) throw new ApiError("not_found", "No such alert channel.");
  return row;
}

export async function createChannel(ctx: Ctx<AuditActor>, input: CreateChannelInput): Promise<ChannelView> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  if (input.type === "email") requireSmtp("type");
  else await requireAllowedUrl(input.url);
  const target = input.type === "email" ? input.to : input.url;
  const secret = input.type === "email" ? null : (input.secret ?? null);
  return prisma.$transaction(async (tx) => {
    const row = await tx.alertChannel.create({
      data: { name: input.name ?? defaultName(input), type: input.type, target, secret, enabled: input.enabled ?? true },
      select: CHANNEL_SELECT,
    });
    await writeAudit(tx, actor, { action: "alert_channel.create", targetType: "alert_channel", targetId: row.id, after: auditShape(row), ip });
    return channelView(row);
  });
}

export async function updateChannel(ctx: Ctx<AuditActor>, { id, changes: input }: { id: string; changes: UpdateChannelInput }): Promise<ChannelView> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  return prisma.$transaction(async (tx) => {
    const current = await tx.alertChannel.findUnique({ where: { id }, select: CHANNEL_SELECT });
    if (!current) throw new ApiError("not_found", "No such alert channel.");
    if (current.type === "in_app") {
      const fixed = (["url", "to", "secret"] as const).find((field) => input[field] !== undefined);
      if (fixed) {
        throw new ApiError("invalid_request", "The in-app channel is built in: only its name and whether it is on can change.", {
          details: [{ path: fixed, message: "not for the in-app channel" }],
        });
      }
    }
    if (current.type === "email" && input.url !== undefined) {
      throw new ApiError("invalid_request", "An email channel has a recipient (`to`), not a URL.", { details: [{ path: "url", message: "not for email channels" }] });
    }
    if (current.type !== "email" && current.type !== "in_app" && input.to !== undefined) {
      throw new ApiError("invalid_request", `A ${current.type} channel has a URL, not a recipient.`, { details: [{ path: "to", message: `not for ${current.type} channels` }] });
    }
    if (current.type === "email" && input.enabled === true) requireSmtp("enabled");
    if (input.url !== undefined) await requireAllowedUrl(input.url);
    const target = input.url ?? input.to;
    const row = await tx.alertChannel.update({
      where: { id },
      data: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(target !== undefined ? { target } : {}),
        ...(input.secret !== undefined ? { secret: input.secret } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      },
      select: CHANNEL_SELECT,
    });
    await writeAudit(tx, actor, {
      action: "alert_channel.update",
      targetType: "alert_channel",
      targetId: id,
      before: auditShape(current),
      after: { ...auditShape(row), ...(input.secret !== undefined ? { secret_changed: true } : {}) },
      ip,
    });
    return channelView(row);
  });
}

/** Deletes the channel with its deliveries (alerts stay). */
export async function deleteChannel(ctx: Ctx<AuditActor>, { id }: { id: string }): Promise<{ id: string; deleted: true }> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  return prisma.$transaction(async (tx) => {
    const current = await tx.alertChannel.findUnique({ where: { id }, select: CHANNEL_SELECT });
    if (!current) throw new ApiError("not_found", "No such alert channel.");
    if (current.type === "in_app") throw new ApiError("conflict", "The in-app channel is built in: switch it off instead of deleting it.");
    await tx.alertChannel.delete({ where: { id } });
    await writeAudit(tx, actor, { action: "alert_channel.delete", targetType: "alert_channel", targetId: id, before: auditShape(current), ip });
    return { id, deleted: true as const };
  });
}

/**
 * Sends a test message now (not queued, no retries) and answers how it went — the status
 * code, or why there was none (a network error, the guard's refusal), never the
 * receiver's body; audited.
 */
export async function testChannel(ctx: Ctx<AuditActor>, { id }: { id: string }): Promise<TestResult> {
  const { principal: actor } = ctx;
  const ip = ipOf(ctx);
  const channel = await getChannelOrThrow(id);
  if (channel.type === "email") requireSmtp("type");
  const result =
    channel.type === "in_app"
      ? await sendInAppTest()
      : await sendTestMessage({ type: channel.type, target: channel.target, secret: channel.secret }, { baseUrl: publicBaseUrl() });
  const answer: TestResult = { ok: result.ok, status_code: result.status, error: result.error, duration_ms: result.durationMs };
  await writeAudit(prisma, actor, {
    action: "alert_channel.test",
    targetType: "alert_channel",
    targetId: id,
    after: { ok: answer.ok, status_code: answer.status_code, error: answer.error },
    ip,
  });
  return answer;
}

/** A test notification in the bell of everyone who sees organisation-wide alerts (finance, admins). */
async function sendInAppTest(): Promise<SendResult> {
  const started = Date.now();
  await recordNotification(getPool(), {
    kind: "test",
    team: null,
    title: alertTitle("test"),
    message: "Test message from Burnrate: this channel receives alerts.",
    link: "/alerts",
    at: new Date(),
  });
  return { ok: true, status: null, error: null, durationMs: Date.now() - started };
}

type DeliveryRow = AlertDelivery & { alertEvent: { type: string; message: string } };

function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    alert_id: row.alertEventId,
    alert_type: row.alertEvent.type,
    alert_message: row.alertEvent.message,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.nextAttemptAt?.toISOString() ?? null,
    response_status: row.responseStatus,
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
    delivered_at: row.deliveredAt?.toISOString() ?? null,
  };
}

/** The channel's most recent deliveries, newest first. */
export async function listChannelDeliveries(_ctx: Ctx<AuditActor>, { id, limit }: { id: string; limit: number }): Promise<DeliveryView[]> {
  await getChannelOrThrow(id);
  const rows = await prisma.alertDelivery.findMany({
    where: { channelId: id },
    include: { alertEvent: { select: { type: true, message: true } } },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: limit,
  });
  return rows.map(deliveryView);
}
