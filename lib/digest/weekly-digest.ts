import "server-only";
import type pg from "pg";
import { getPool } from "@/lib/db";
import { rollupWindowSql } from "@/lib/db/rollup-sql";
import { iso, rows, SqlParams, toCount, withTransactionIfUnlocked, type Queryable } from "@/lib/db/sql";
import { alertTitle } from "@/lib/alerts/deliver";
import { sendEmail, smtpUrl } from "@/lib/alerts/email";
import { budgetStatuses } from "@/lib/budgets/status";
import { publicBaseUrl } from "@/lib/env";
import { logger } from "@/lib/log";
import { ensureInAppChannel, inAppChannelEnabled, recordNotification } from "@/lib/notifications/notifications";
import {
  FINANCE_RECIPIENT,
  TOP_ALERTS,
  composeFinanceDigest,
  composeTeamDigest,
  digestDue,
  digestEmail,
  digestWeekOf,
  hasSpend,
  teamRecipient,
  teamsWithSpend,
  type DigestAlerts,
  type DigestBudgetInput,
  type DigestSpendRow,
  type DigestSummary,
  type DigestWeek,
} from "./compose";

/**
 * The weekly digest (docs/DIGEST.md): every Monday from 06:00 UTC, one summary of last
 * week per team lead's team and one for finance (./compose.ts writes them).
 *
 * sendWeeklyDigests(pool, now) is called by the alert scheduler every minute
 * (lib/alerts/scheduler.ts). From Monday 06:00 UTC to the end of that week it sends each
 * of this week's digests not sent yet; a week the server missed entirely is never sent
 * later. When every digest of the week is sent, a run is one small query; recipients
 * with nothing to report are looked at again hourly, not every minute. Recipients:
 * - each team with at least one lead (an enabled team_lead user with a lead membership of
 *   it) and spend in either of the two weeks: an in-app notification (kind "digest",
 *   audience "leads": only the leads of that team see it) and, when SMTP is configured
 *   (BURNRATE_SMTP_URL, lib/alerts/email.ts), one email to each of those leads;
 * - finance, when the organisation had spend in either week: an in-app notification
 *   about no team (audience "scoped": finance and admins see it) and, with SMTP, one
 *   email to each enabled finance user. Nobody else is mailed.
 *
 * Once per week and recipient, however many instances run it, however concurrently: the
 * run takes an advisory lock (a second caller skips), and each digest is the insert of its
 * weekly_digests row (UNIQUE (week, recipient), ON CONFLICT DO NOTHING); only the inserter
 * writes the notification, in the same transaction, and sends the emails, after the commit,
 * once each, best effort (a failure is logged, never retried). While the built-in in-app
 * channel is switched off, like alerts, no notification is written (the digest is still
 * recorded and mailed).
 */

export const DIGEST_LOCK = "burnrate_weekly_digest";
const EMAIL_TIMEOUT_MS = 5_000;
const EMAIL_CONCURRENCY = 5;
const IDLE_RECHECK_MS = 3_600_000;

export interface DigestOptions {
  /** BURNRATE_SMTP_URL and BURNRATE_SMTP_FROM; default process.env. */
  env?: Record<string, string | undefined>;
  /** The emails' links; default NEXTAUTH_URL, else http://localhost:$PORT. */
  baseUrl?: string;
  timeoutMs?: number;
  /** Where a failed mail is reported; default the process log (lib/log.ts) at warn. */
  warn?: (fields: Record<string, unknown>, message: string) => void;
}

export interface SentDigest {
  /** "finance" or "team:<slug>". */
  recipient: string;
  team: string | null;
  /** The in-app notification; null while the in-app channel is off. */
  notification_id: string | null;
  emails: { sent: number; failed: number };
}

export interface DigestRun {
  /** The Monday (UTC) of the week holding `now`. */
  week: string;
  /** False before Monday 06:00 UTC: nothing was looked at. */
  due: boolean;
  /** Another instance held the lock: nothing was done. */
  skipped: boolean;
  sent: SentDigest[];
}

interface Composed {
  digest: DigestSummary;
  notificationId: string | null;
  emails: string[];
}

const dayStart = (day: string) => new Date(`${day}T00:00:00Z`);

/** This week's possible recipients (finance, every team with a lead) that have no digest yet, sorted. */
async function pendingRecipients(db: Queryable, week: string): Promise<string[]> {
  const result = await db.query<{ recipient: string }>(
    `SELECT c.recipient FROM (
       SELECT $2::text AS recipient
       UNION
       SELECT 'team:' || t.slug FROM team_memberships m
       JOIN teams t ON t.id = m.team_id JOIN users u ON u.id = m.user_id
       WHERE m.role = 'lead' AND u.role = 'team_lead' AND u.disabled_at IS NULL
     ) c
     WHERE NOT EXISTS (SELECT 1 FROM weekly_digests d WHERE d.week = $1::date AND d.recipient = c.recipient)
     ORDER BY c.recipient`,
    [week, FINANCE_RECIPIENT],
  );
  return result.rows.map((row) => row.recipient);
}

/**
 * Recipients this process found with nothing to report (no spend in either week): the
 * rollups are not read again for them for an hour, rather than every minute all week.
 */
let idle: { week: string; recipients: string; until: number } | null = null;

/** Each team's leads' addresses: enabled users with the team_lead role and a lead membership (who see a "leads" notification). */
async function leadEmails(db: Queryable): Promise<Map<string, string[]>> {
  const result = await db.query<{ slug: string; email: string }>(
    `SELECT t.slug, u.email FROM team_memberships m
     JOIN teams t ON t.id = m.team_id JOIN users u ON u.id = m.user_id
     WHERE m.role = 'lead' AND u.role = 'team_lead' AND u.disabled_at IS NULL
     ORDER BY t.slug, u.email`,
  );
  const byTeam = new Map<string, string[]>();
  for (const row of result.rows) byTeam.set(row.slug, [...(byTeam.get(row.slug) ?? []), row.email]);
  return byTeam;
}

async function financeEmails(db: Queryable): Promise<string[]> {
  const result = await db.query<{ email: string }>(`SELECT email FROM users WHERE role = 'finance' AND disabled_at IS NULL ORDER BY email`);
  return result.rows.map((row) => row.email);
}

/** Spend per (team, feature, model) of last week and the week before, from the rollups (whole days). */
async function weekSpend(db: Queryable, week: DigestWeek): Promise<DigestSpendRow[]> {
  const params = new SqlParams();
  const source = rollupWindowSql(dayStart(week.previousFrom), dayStart(week.to), params);
  const split = params.add(iso(dayStart(week.from)), "timestamptz");
  const result = await rows<{ team: string | null; feature: string | null; model: string | null; week: "current" | "previous"; cost: string | null }>(
    db,
    `SELECT r.team, r.feature, r.model, CASE WHEN r.hour >= ${split} THEN 'current' ELSE 'previous' END AS week,
            sum(r.cost_usd)::text AS cost
     FROM ${source}
     GROUP BY 1, 2, 3, 4
     HAVING sum(r.requests) > 0
     ORDER BY 1, 2, 3, 4`,
    params,
  );
  return result.map((row) => ({ team: row.team, feature: row.feature, model: row.model, week: row.week, costUsd: row.cost ?? "0" }));
}

/** Open alerts fired by `now`: per team (scope.team) and all of them, each with the newest TOP_ALERTS. */
async function openAlerts(db: Queryable, now: Date): Promise<{ byTeam: Map<string, DigestAlerts>; all: DigestAlerts }> {
  const result = await db.query<{ id: string; type: string; message: string; fired_at: Date; team: string | null; team_open: string; team_rank: string; all_open: string; all_rank: string }>(
    `SELECT id, type, message, fired_at, team, team_open::text, team_rank::text, all_open::text, all_rank::text FROM (
       SELECT id::text AS id, type, message, fired_at, scope->>'team' AS team,
              count(*) OVER (PARTITION BY scope->>'team') AS team_open,
              row_number() OVER (PARTITION BY scope->>'team' ORDER BY fired_at DESC, id) AS team_rank,
              count(*) OVER () AS all_open,
              row_number() OVER (ORDER BY fired_at DESC, id) AS all_rank
       FROM alert_events WHERE state = 'open' AND fired_at <= $1::timestamptz
     ) a
     WHERE team_rank <= $2 OR all_rank <= $2
     ORDER BY fired_at DESC, id`,
    [iso(now), TOP_ALERTS],
  );
  const byTeam = new Map<string, DigestAlerts>();
  const all: DigestAlerts = { open: 0, latest: [] };
  for (const row of result.rows) {
    const alert = { id: row.id, title: alertTitle(row.type), message: row.message, firedAt: row.fired_at.toISOString() };
    all.open = toCount(row.all_open);
    if (toCount(row.all_rank) <= TOP_ALERTS) all.latest.push(alert);
    if (row.team === null) continue;
    const team = byTeam.get(row.team) ?? { open: toCount(row.team_open), latest: [] };
    if (toCount(row.team_rank) <= TOP_ALERTS) team.latest.push(alert);
    byTeam.set(row.team, team);
  }
  return { byTeam, all };
}

/** Every active budget where it stands at `now` (lib/budgets/status.ts: the same forecast as the Budgets page). */
async function budgetLines(db: Queryable, now: Date): Promise<DigestBudgetInput[]> {
  const statuses = await budgetStatuses(db, now, { kind: "all" });
  return statuses.map((status) => ({
    id: status.budget.id,
    name: status.budget.name,
    team: status.budget.scope.team ?? null,
    amountUsd: status.budget.amountUsd,
    spentUsd: status.spentUsd,
    forecastUsd: status.forecast.forecastUsd,
    status: status.status,
  }));
}

/** Inside the locked transaction: compose the digests still due, record each with its notification. */
async function recordDueDigests(db: Queryable, week: DigestWeek, now: Date): Promise<Composed[]> {
  const sent = new Set((await db.query<{ recipient: string }>(`SELECT recipient FROM weekly_digests WHERE week = $1::date`, [week.week])).rows.map((r) => r.recipient));
  const leads = await leadEmails(db);
  const spend = await weekSpend(db, week);
  const teams = teamsWithSpend(spend).filter((team) => leads.has(team) && !sent.has(teamRecipient(team)));
  const finance = !sent.has(FINANCE_RECIPIENT) && hasSpend(spend);
  if (teams.length === 0 && !finance) return [];

  const alerts = await openAlerts(db, now);
  const budgets = await budgetLines(db, now);
  const due: { digest: DigestSummary; emails: string[] }[] = teams.map((team) => ({
    digest: composeTeamDigest(team, { week, spend, alerts: alerts.byTeam.get(team) ?? { open: 0, latest: [] }, budgets }),
    emails: leads.get(team) ?? [],
  }));
  if (finance) due.push({ digest: composeFinanceDigest({ week, spend, alerts: alerts.all, budgets }), emails: await financeEmails(db) });

  await ensureInAppChannel(db, now);
  const inApp = await inAppChannelEnabled(db);
  const recorded: Composed[] = [];
  for (const { digest, emails } of due) {
    const inserted = await db.query(
      `INSERT INTO weekly_digests (id, week, recipient, sent_at, summary)
       VALUES (gen_random_uuid(), $1::date, $2, $3::timestamptz, $4::jsonb)
       ON CONFLICT (week, recipient) DO NOTHING`,
      [week.week, digest.recipient, iso(now), JSON.stringify(digest)],
    );
    // Another run recorded it first: it sends it, not this one.
    if (!inserted.rowCount) continue;
    const notificationId = inApp
      ? await recordNotification(db, {
          kind: "digest",
          team: digest.team,
          audience: digest.team === null ? "scoped" : "leads",
          title: digest.title,
          message: digest.message,
          link: digest.link,
          at: now,
        })
      : null;
    recorded.push({ digest, notificationId, emails });
  }
  return recorded;
}

/** What is logged of a failed mail: the error's codes, never the SMTP server's reply text. */
function emailFailure(error: unknown): Record<string, unknown> {
  const e = error as { code?: unknown; command?: unknown; responseCode?: unknown; response?: unknown; message?: unknown };
  const failure: Record<string, unknown> = {};
  if (typeof e.code === "string") failure.code = e.code;
  if (typeof e.command === "string") failure.command = e.command;
  if (typeof e.responseCode === "number") failure.response_code = e.responseCode;
  // A message without a server reply (a refused connection, a timeout) says what happened.
  if (e.response === undefined && e.responseCode === undefined && typeof e.message === "string") failure.error = e.message.slice(0, 200);
  return failure;
}

/** Mails one digest to each address on its own (no recipient sees another's address); never throws. */
async function mailDigest(url: string, composed: Composed, options: DigestOptions, env: Record<string, string | undefined>): Promise<{ sent: number; failed: number }> {
  const { subject, text } = digestEmail(composed.digest, options.baseUrl ?? publicBaseUrl(env));
  const counts = { sent: 0, failed: 0 };
  for (let i = 0; i < composed.emails.length; i += EMAIL_CONCURRENCY) {
    await Promise.all(
      composed.emails.slice(i, i + EMAIL_CONCURRENCY).map(async (to) => {
        try {
          await sendEmail(url, { to, subject, text, from: env.BURNRATE_SMTP_FROM }, options.timeoutMs ?? EMAIL_TIMEOUT_MS);
          counts.sent++;
        } catch (error) {
          counts.failed++;
          const fields = { recipient: composed.digest.recipient, week: composed.digest.week, ...emailFailure(error) };
          if (options.warn) options.warn(fields, "weekly digest email failed");
          else logger().warn(fields, "weekly digest email failed");
        }
      }),
    );
  }
  return counts;
}

/** This week's digests still due at `now` (see above); answers what it sent. */
export async function sendWeeklyDigests(pool: pg.Pool = getPool(), now: Date = new Date(), options: DigestOptions = {}): Promise<DigestRun> {
  const week = digestWeekOf(now);
  const run: DigestRun = { week: week.week, due: digestDue(now), skipped: false, sent: [] };
  if (!run.due) return run;
  const pending = (await pendingRecipients(pool, week.week)).join("\n");
  if (!pending || (idle?.week === week.week && idle.recipients === pending && now.getTime() < idle.until)) return run;
  const locked = await withTransactionIfUnlocked(pool, DIGEST_LOCK, (client) => recordDueDigests(client, week, now));
  if (!locked.ran) return { ...run, skipped: true };
  idle = locked.value.length === 0 ? { week: week.week, recipients: pending, until: now.getTime() + IDLE_RECHECK_MS } : null;

  const env = options.env ?? process.env;
  const url = smtpUrl(env);
  for (const composed of locked.value) {
    const emails = url && composed.emails.length > 0 ? await mailDigest(url, composed, options, env) : { sent: 0, failed: 0 };
    run.sent.push({ recipient: composed.digest.recipient, team: composed.digest.team, notification_id: composed.notificationId, emails });
  }
  return run;
}
