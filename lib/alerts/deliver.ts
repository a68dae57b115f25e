import "server-only";
import { createHmac } from "node:crypto";
import type pg from "pg";
import { getPool } from "@/lib/db";
import { iso, withTransactionIfUnlocked, type Queryable } from "@/lib/db/sql";
import type { AlertChannelType } from "@/lib/generated/prisma/client";
import { getSecret } from "@/lib/secrets";
import { describeScope } from "@/lib/alerts/rules";
import { sendEmail, smtpUrl } from "@/lib/alerts/email";
import type { AlertScope } from "@/lib/schemas/alerts";
import { recordAlertDelivery, type DeliveryOutcomeLabel } from "@/lib/ops/metrics";
import { outboundFetch, OutboundRefusedError, type Resolver } from "@/lib/http/outbound";

/**
 * The delivery worker: sends the queued alert_deliveries whose next_attempt_at has come.
 *
 * - webhook: POST of the alert's JSON body (exactly what POST /api/v1/alerts/evaluate lists
 *   in `fired`) with `X-Burnrate-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, keyed
 *   with the channel's secret, or the installation's webhook signing secret
 *   (getSecret("webhookSigning"), BURNRATE_WEBHOOK_SECRET) when the channel has none; also
 *   X-Burnrate-Event (the type) and X-Burnrate-Delivery (the delivery id, stable across retries).
 * - slack: a Slack incoming-webhook message, `{text, blocks}` (mrkdwn).
 * - email: a plain-text mail over SMTP (lib/alerts/email.ts), only when BURNRATE_SMTP_URL is set.
 *
 * Webhook and Slack URLs go through the outbound guard (lib/http/outbound.ts): only
 * public addresses, or loopback/private ones listed in BURNRATE_OUTBOUND_ALLOW, never
 * link-local or metadata, checked after DNS at connect time and on every redirect (307/308
 * followed, at most 3; a 301/302/303 would turn the POST into a GET and is a failed attempt).
 *
 * A 2xx answer is delivered; anything else (another status, a redirect not followed, a
 * network error, no answer within REQUEST_TIMEOUT_MS) is a failed attempt, retried after
 * RETRY_DELAYS_MS (30 s, 2 min, 10 min, 1 h, 1 h); after MAX_ATTEMPTS (6) attempts the
 * delivery is `failed`. Each attempt records response_status and last_error — the status
 * only, never the receiver's body (that would make a channel a probe of whatever it
 * points at). A destination the guard refuses fails the delivery at once with the reason,
 * no retries. A delivery whose channel was disabled meanwhile is marked failed ("channel
 * disabled") without being sent.
 *
 * One worker at a time across app instances (pg_try_advisory_xact_lock(DELIVER_LOCK)); a
 * second caller returns {skipped: true}. Delivery is at least once: a crash between
 * sending and committing sends again, with the same X-Burnrate-Delivery and alert id.
 */

export const DELIVER_LOCK = 7_406_102;
export const MAX_ATTEMPTS = 6;
/** Wait after failed attempt n (1-based) before attempt n + 1. */
export const RETRY_DELAYS_MS = [30_000, 120_000, 600_000, 3_600_000, 3_600_000] as const;
export const REQUEST_TIMEOUT_MS = 5_000;
/** Deliveries sent per run (the rest wait for the next run) and at the same time. */
export const BATCH_SIZE = 100;
const CONCURRENCY = 10;
const MAX_ERROR_LENGTH = 500;

/** What a channel needs to be sent to. */
export interface ChannelTarget {
  type: AlertChannelType;
  /** URL (webhook, slack) or email address. */
  target: string;
  secret: string | null;
}

/** The fields of an alert's body that messages are made of (webhooks get the whole body). */
export interface DeliverableAlert {
  id?: string;
  type: string;
  scope: AlertScope;
  period_start: string;
  message: string;
  url: string;
}

export interface SendResult {
  ok: boolean;
  /** The HTTP status (webhook, slack), 250 for a mail the SMTP server took; null without an answer. */
  status: number | null;
  /** Why it failed: "HTTP 503", a network error, the guard's refusal; never the receiver's body. */
  error: string | null;
  durationMs: number;
  /** The outbound guard refused the destination: retrying cannot help. */
  refused?: boolean;
}

export interface SendOptions {
  timeoutMs?: number;
  /** BURNRATE_OUTBOUND_ALLOW (the outbound guard's allow-list), BURNRATE_SMTP_URL, the webhook secret. */
  env?: Record<string, string | undefined>;
  /** DNS for the outbound guard (tests). */
  resolver?: Resolver;
  /** Sent as X-Burnrate-Delivery. */
  deliveryId?: string;
}

/** "sha256=<hex>": HMAC-SHA256 of the raw body. */
export function signatureOf(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

const TITLES: Record<string, string> = {
  "budget.threshold": "Budget threshold crossed",
  "budget.forecast": "Budget forecast over amount",
  "spend.spike": "Spend spike",
  "cache.hit_rate_drop": "Prompt-cache hit rate dropped",
  "tokens.per_request_jump": "Tokens per request jumped",
  "spend.unpriced": "Unpriced spend",
  "spend.untagged": "Untagged spend",
  test: "Test message",
};

export function alertTitle(type: string): string {
  return TITLES[type] ?? type;
}

/** Slack's mrkdwn escapes: &, < and > (everything else is literal). */
function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export interface SlackMessage {
  text: string;
  blocks: (
    | { type: "section"; text: { type: "mrkdwn"; text: string } }
    | { type: "context"; elements: { type: "mrkdwn"; text: string }[] }
  )[];
}

/** The Slack incoming-webhook body of an alert: `text` (notifications, fallback) and blocks. */
export function slackMessage(alert: DeliverableAlert): SlackMessage {
  const title = alertTitle(alert.type);
  const message = slackEscape(alert.message);
  return {
    text: `${title}: ${message}`,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${slackEscape(title)}*\n${message}\n<${alert.url}|Open in Burnrate>` } },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: slackEscape(`${alert.type} · ${describeScope(alert.scope ?? {})} · period from ${alert.period_start.slice(0, 10)}`),
          },
        ],
      },
    ],
  };
}

/** Subject and text of an alert's email. */
export function emailMessage(alert: DeliverableAlert): { subject: string; text: string } {
  return {
    subject: `[Burnrate] ${alertTitle(alert.type)}: ${describeScope(alert.scope ?? {})}`,
    text: `${alert.message}\n\n${alert.url}\n\nType: ${alert.type}\nScope: ${describeScope(alert.scope ?? {})}\nPeriod from: ${alert.period_start}\n`,
  };
}

function truncate(text: string): string {
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError" || error.name === "AbortError") return `no answer within ${timeoutMs} ms`;
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    return truncate(cause?.code ? `${error.message} (${cause.code})` : cause?.message ? `${error.message}: ${cause.message}` : error.message);
  }
  return truncate(String(error));
}

async function post(url: string, body: string, headers: Record<string, string>, options: SendOptions): Promise<SendResult> {
  const timeoutMs = options.timeoutMs ?? REQUEST_TIMEOUT_MS;
  const started = Date.now();
  try {
    const response = await outboundFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Burnrate-Alerts/1", ...headers },
      body,
      timeoutMs,
      env: options.env,
      resolver: options.resolver,
    });
    // The body is never read, recorded or answered: only the status counts.
    await response.body?.cancel().catch(() => {});
    const ok = response.status >= 200 && response.status < 300;
    const redirect = response.status >= 300 && response.status < 400 ? " (redirect not followed: only 307 and 308 keep the POST)" : "";
    return { ok, status: response.status, error: ok ? null : `HTTP ${response.status}${redirect}`, durationMs: Date.now() - started };
  } catch (error) {
    if (error instanceof OutboundRefusedError) {
      return { ok: false, status: null, error: truncate(`refused: ${error.message}`), durationMs: Date.now() - started, refused: true };
    }
    return { ok: false, status: null, error: describeError(error, timeoutMs), durationMs: Date.now() - started };
  }
}

/** Sends one alert body to one channel, now; never throws. */
export async function sendToChannel(channel: ChannelTarget, alert: DeliverableAlert, options: SendOptions = {}): Promise<SendResult> {
  const env = options.env ?? process.env;
  // Written as a notification by whoever reports the event, in its own transaction
  // (lib/notifications): nothing to send.
  if (channel.type === "in_app") return { ok: true, status: null, error: null, durationMs: 0 };
  if (channel.type === "webhook") {
    const body = JSON.stringify(alert);
    let secret: string;
    try {
      secret = channel.secret ?? getSecret("webhookSigning", env);
    } catch (error) {
      return { ok: false, status: null, error: describeError(error, 0), durationMs: 0 };
    }
    return post(channel.target, body, {
      "x-burnrate-signature": signatureOf(body, secret),
      "x-burnrate-event": alert.type,
      ...(options.deliveryId ? { "x-burnrate-delivery": options.deliveryId } : {}),
    }, options);
  }
  if (channel.type === "slack") return post(channel.target, JSON.stringify(slackMessage(alert)), {}, options);
  const url = smtpUrl(env);
  if (!url) return { ok: false, status: null, error: "email is not configured: set BURNRATE_SMTP_URL", durationMs: 0 };
  const started = Date.now();
  try {
    const { subject, text } = emailMessage(alert);
    await sendEmail(url, { to: channel.target, subject, text, from: env.BURNRATE_SMTP_FROM }, options.timeoutMs ?? REQUEST_TIMEOUT_MS);
    return { ok: true, status: 250, error: null, durationMs: Date.now() - started };
  } catch (error) {
    const code = (error as { responseCode?: unknown }).responseCode;
    return {
      ok: false,
      status: typeof code === "number" ? code : null,
      error: describeError(error, options.timeoutMs ?? REQUEST_TIMEOUT_MS),
      durationMs: Date.now() - started,
    };
  }
}

/** The "send test" button: a test message (type "test") to the channel, now, recorded nowhere. */
export async function sendTestMessage(channel: ChannelTarget, options: SendOptions & { baseUrl?: string; now?: Date } = {}): Promise<SendResult> {
  const now = options.now ?? new Date();
  const baseUrl = options.baseUrl ?? "http://localhost:3000";
  return sendToChannel(
    channel,
    {
      type: "test",
      scope: {},
      period_start: now.toISOString(),
      message: "Test message from Burnrate: this channel receives alerts.",
      url: `${baseUrl}/alerts`,
    },
    { ...options, deliveryId: options.deliveryId ?? "test" },
  );
}

/** The wait before the next attempt after `attempts` failed ones, or null when there is none left. */
export function retryDelayMs(attempts: number): number | null {
  if (attempts >= MAX_ATTEMPTS) return null;
  return RETRY_DELAYS_MS[Math.min(attempts, RETRY_DELAYS_MS.length) - 1] ?? null;
}

export interface DeliveryOutcome {
  id: string;
  channel_id: string;
  alert_id: string;
  status: "delivered" | "pending" | "failed";
  attempts: number;
  response_status: number | null;
  error: string | null;
  next_attempt_at: string | null;
}

export interface DeliveryRun {
  skipped: boolean;
  attempted: number;
  delivered: number;
  retrying: number;
  failed: number;
  deliveries: DeliveryOutcome[];
}

interface DueRow {
  id: string;
  attempts: number;
  alert_id: string;
  channel_id: string;
  channel_type: AlertChannelType;
  target: string;
  secret: string | null;
  enabled: boolean;
  payload: DeliverableAlert;
}

async function record(db: Queryable, row: DueRow, result: SendResult, now: Date): Promise<DeliveryOutcome> {
  const attempts = row.attempts + 1;
  // A refused destination stays refused: failed at once, no retry storm.
  const delay = result.ok || result.refused ? null : retryDelayMs(attempts);
  const status = result.ok ? "delivered" : delay === null ? "failed" : "pending";
  const next = delay === null ? null : new Date(now.getTime() + delay);
  await db.query(
    `UPDATE alert_deliveries
     SET status = $2::"DeliveryStatus", attempts = $3, response_status = $4, last_error = $5,
         next_attempt_at = $6::timestamptz, delivered_at = $7::timestamptz
     WHERE id = $1::uuid`,
    [row.id, status, attempts, result.status, result.error, next ? iso(next) : null, result.ok ? iso(now) : null],
  );
  return {
    id: row.id,
    channel_id: row.channel_id,
    alert_id: row.alert_id,
    status,
    attempts,
    response_status: result.status,
    error: result.error,
    next_attempt_at: next ? next.toISOString() : null,
  };
}

/** A delivery that will not be sent (its channel was disabled): failed at once, attempts unchanged. */
async function giveUp(db: Queryable, row: DueRow, reason: string): Promise<DeliveryOutcome> {
  await db.query(
    `UPDATE alert_deliveries SET status = 'failed', last_error = $2, next_attempt_at = NULL WHERE id = $1::uuid`,
    [row.id, reason],
  );
  return {
    id: row.id,
    channel_id: row.channel_id,
    alert_id: row.alert_id,
    status: "failed",
    attempts: row.attempts,
    response_status: null,
    error: reason,
    next_attempt_at: null,
  };
}

const DELIVERY_OUTCOME: Record<DeliveryOutcome["status"], DeliveryOutcomeLabel> = { delivered: "sent", pending: "retry", failed: "failed" };

/** Sends every pending delivery due at `now` (at most BATCH_SIZE), records each attempt. */
export async function deliverPendingAlerts(
  pool: pg.Pool = getPool(),
  now: Date = new Date(),
  options: SendOptions & { limit?: number } = {},
): Promise<DeliveryRun> {
  const run: DeliveryRun = { skipped: false, attempted: 0, delivered: 0, retrying: 0, failed: 0, deliveries: [] };
  const locked = await withTransactionIfUnlocked(pool, DELIVER_LOCK, async (client) => {
    const due = await client.query<DueRow>(
      `SELECT d.id::text AS id, d.attempts, e.id::text AS alert_id, c.id::text AS channel_id, c.type::text AS channel_type,
              c.target, c.secret, c.enabled, e.payload
       FROM alert_deliveries d
       JOIN alert_channels c ON c.id = d.channel_id
       JOIN alert_events e ON e.id = d.alert_event_id
       WHERE d.status = 'pending' AND (d.next_attempt_at IS NULL OR d.next_attempt_at <= $1::timestamptz)
       ORDER BY d.next_attempt_at NULLS FIRST, d.created_at, d.id
       LIMIT $2
       FOR UPDATE OF d SKIP LOCKED`,
      [iso(now), options.limit ?? BATCH_SIZE],
    );
    const results: { row: DueRow; result: SendResult | null }[] = [];
    for (let i = 0; i < due.rows.length; i += CONCURRENCY) {
      const chunk = due.rows.slice(i, i + CONCURRENCY);
      results.push(
        ...(await Promise.all(
          chunk.map(async (row) => ({
            row,
            result: row.enabled
              ? await sendToChannel({ type: row.channel_type, target: row.target, secret: row.secret }, row.payload, { ...options, deliveryId: row.id })
              : null,
          })),
        )),
      );
    }
    const recorded: { row: DueRow; status: DeliveryOutcome["status"] }[] = [];
    for (const { row, result } of results) {
      const outcome = result ? await record(client, row, result, now) : await giveUp(client, row, "channel disabled");
      recorded.push({ row, status: outcome.status });
      run.deliveries.push(outcome);
      run.attempted += row.enabled ? 1 : 0;
      if (outcome.status === "delivered") run.delivered++;
      else if (outcome.status === "pending") run.retrying++;
      else run.failed++;
    }
    return recorded;
  });
  if (!locked.ran) return { ...run, skipped: true };
  // Counted once committed: a rolled-back run delivered nothing for good.
  for (const { row, status } of locked.value) recordAlertDelivery(row.channel_type, DELIVERY_OUTCOME[status]);
  return run;
}
