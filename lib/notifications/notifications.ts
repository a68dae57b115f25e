import "server-only";
import { randomUUID } from "node:crypto";
import { iso, SqlParams, toCount, type Queryable } from "@/lib/db/sql";
import { can, ledTeamSlugs, notificationAudiences, teamScope, type NotificationAudience, type Principal, type UserPrincipal } from "@/lib/auth/permissions";
import { ApiError } from "@/lib/http/errors";
import type { BadgesJson, NotificationItem, NotificationKind, NotificationPageJson, NotificationsQuery } from "@/lib/schemas/notifications";
import { dbOf, nowOf, type Ctx } from "@/lib/context";

/**
 * The in-app channel: the header's bell. A notification is written in the same
 * transaction as what it reports (an alert firing, a burst request filed or decided), so
 * it exists exactly when that committed, dated when it happened. Who sees one is decided
 * in SQL from the principal (lib/auth/permissions.ts notificationAudiences, ledTeamSlugs and teamScope);
 * read marks are per user. "Unread" counts only what arrived since the account existed.
 */

export interface NewNotification {
  kind: NotificationKind;
  /** The team it concerns (slug); null for the whole organisation. */
  team: string | null;
  audience?: NotificationAudience;
  /** Whose action it reports: they are not notified of it. */
  actorUserId?: string | null;
  title: string;
  message: string;
  /** An app-relative path ("/alerts?state=open"). */
  link: string | null;
  alertEventId?: string | null;
  burstRequestId?: string | null;
  at: Date;
}

// The answers' shapes (and the kinds) are the zod schemas' of lib/schemas/notifications.ts.

/**
 * Creates the built-in in-app channel, on, unless it exists (the unique index allows one).
 * Run by the alert evaluator's setup step, so every installation has it from its first
 * minute; an admin may switch it off, never delete it (lib/alerts/channels.ts).
 */
export async function ensureInAppChannel(db: Queryable, now: Date = new Date()): Promise<void> {
  await db.query(
    `INSERT INTO alert_channels (id, name, type, target, enabled, created_at)
     SELECT gen_random_uuid(), 'In-app notifications', 'in_app', 'in-app', true, $1::timestamptz
     WHERE NOT EXISTS (SELECT 1 FROM alert_channels WHERE type = 'in_app')
     ON CONFLICT DO NOTHING`,
    [iso(now)],
  );
}

/** Whether the built-in in-app channel is on (an admin may switch it off in Alerts → Channels). */
export async function inAppChannelEnabled(db: Queryable): Promise<boolean> {
  const result = await db.query<{ enabled: boolean }>(`SELECT enabled FROM alert_channels WHERE type = 'in_app' LIMIT 1`);
  return result.rows[0]?.enabled === true;
}

/** Writes one notification through the caller's connection or transaction; answers its id. */
export async function recordNotification(db: Queryable, entry: NewNotification): Promise<string> {
  const id = randomUUID();
  await db.query(
    `INSERT INTO notifications (id, kind, team, audience, actor_user_id, title, message, link, alert_event_id, burst_request_id, created_at)
     VALUES ($1::uuid, $2, $3, $4::"NotificationAudience", $5::uuid, $6, $7, $8, $9::uuid, $10::uuid, $11::timestamptz)`,
    [
      id,
      entry.kind,
      entry.team,
      entry.audience ?? "scoped",
      entry.actorUserId ?? null,
      entry.title,
      entry.message,
      entry.link,
      entry.alertEventId ?? null,
      entry.burstRequestId ?? null,
      iso(entry.at),
    ],
  );
  return id;
}

function userOf(principal: Principal): UserPrincipal {
  if (principal.kind !== "user") throw new ApiError("forbidden", "Notifications belong to a signed-in user; an API key has none.");
  return principal;
}

/**
 * What `user` may see, on the statement's parameters: `me` (the user's id, for the
 * `JOIN users u ON u.id = me` that UNREAD needs) and the WHERE clause.
 */
function visibleTo(user: UserPrincipal, params: SqlParams): { me: string; where: string } {
  const me = params.add(user.userId, "uuid");
  const audiences = params.add(notificationAudiences(user), '"NotificationAudience"[]');
  // A "leads" one (a team's weekly digest) reaches the leads of its team only: whoever else
  // sees the team (its viewers, finance, admins) does not see it.
  const led = params.add(ledTeamSlugs(user), "text[]");
  const where =
    `(n.actor_user_id IS NULL OR n.actor_user_id <> ${me}) AND n.audience = ANY(${audiences})` +
    ` AND (n.audience <> 'leads' OR n.team = ANY(${led}))${params.teamScope(teamScope(user), "n.team")}`;
  return { me, where };
}

const UNREAD = `NOT EXISTS (SELECT 1 FROM notification_reads r WHERE r.notification_id = n.id AND r.user_id = u.id) AND n.created_at >= u.created_at`;

/** A notification as the list query reads it: the answer's fields, with the database's Date and unread flag. */
type Row = Omit<NotificationItem, "created_at" | "read"> & { created_at: Date; unread: boolean };

/** GET /api/v1/notifications: the newest first, with the unread count. */
export async function listNotifications(ctx: Ctx, query: NotificationsQuery): Promise<NotificationPageJson> {
  const user = userOf(ctx.principal);
  const db = dbOf(ctx);
  const params = new SqlParams();
  const { me, where } = visibleTo(user, params);
  const [rows, count] = await Promise.all([
    db.query<Row>(
      `SELECT n.id::text AS id, n.kind, n.team, n.title, n.message, n.link, n.created_at, (${UNREAD}) AS unread
       FROM notifications n JOIN users u ON u.id = ${me}
       WHERE ${where}${query.unread === "true" ? ` AND ${UNREAD}` : ""}
       ORDER BY n.created_at DESC, n.id
       LIMIT ${params.add(query.limit)}`,
      params.values,
    ),
    unreadCount(user, db),
  ]);
  return {
    notifications: rows.rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      team: row.team,
      title: row.title,
      message: row.message,
      link: row.link,
      created_at: row.created_at.toISOString(),
      read: !row.unread,
    })),
    unread_count: count,
  };
}

async function unreadCount(principal: Principal, db: Queryable): Promise<number> {
  const user = userOf(principal);
  const params = new SqlParams();
  const { me, where } = visibleTo(user, params);
  const result = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM notifications n JOIN users u ON u.id = ${me} WHERE ${where} AND ${UNREAD}`,
    params.values,
  );
  return toCount(result.rows[0]?.n ?? "0");
}

/**
 * POST /api/v1/notifications/read: marks the given ids (those the user may see; others are
 * ignored, never revealed) or everything visible as read; answers the new unread count.
 */
export async function markNotificationsRead(
  ctx: Ctx,
  input: { ids?: readonly string[]; all?: boolean; /** Only those older than this (the demo's history). */ createdBefore?: Date },
): Promise<{ marked: number; unread_count: number }> {
  const user = userOf(ctx.principal);
  const db = dbOf(ctx);
  const params = new SqlParams();
  const { me, where } = visibleTo(user, params);
  const at = params.add(iso(nowOf(ctx)), "timestamptz");
  let only = "";
  if (!input.all) only = ` AND n.id = ANY(${params.add(input.ids ?? [], "uuid[]")})`;
  if (input.createdBefore) only += ` AND n.created_at < ${params.add(iso(input.createdBefore), "timestamptz")}`;
  const result = await db.query(
    `INSERT INTO notification_reads (user_id, notification_id, read_at)
     SELECT u.id, n.id, ${at} FROM notifications n JOIN users u ON u.id = ${me}
     WHERE ${where}${only} AND ${UNREAD}
     ON CONFLICT DO NOTHING`,
    params.values,
  );
  return { marked: result.rowCount ?? 0, unread_count: await unreadCount(user, db) };
}

/** The navigation's badges: unread notifications, and burst requests waiting for whoever decides them. */
export async function getBadges(ctx: Ctx): Promise<BadgesJson> {
  const user = userOf(ctx.principal);
  const db = dbOf(ctx);
  const pending = can(user, "quota:decide")
    ? db.query<{ n: string }>(`SELECT count(*)::text AS n FROM burst_requests WHERE status = 'pending' AND ends_at > now()`)
    : null;
  const [unread, waiting] = await Promise.all([unreadCount(user, db), pending]);
  return { unread_notifications: unread, pending_burst_requests: waiting ? toCount(waiting.rows[0]?.n ?? "0") : null };
}
