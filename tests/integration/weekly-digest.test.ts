import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as listNotificationsRoute } from "@/app/api/v1/notifications/route";
import { POST as markReadRoute } from "@/app/api/v1/notifications/read/route";
import { GET as badgesRoute } from "@/app/api/v1/badges/route";
import { getPool, prisma } from "@/lib/db";
import { budgetStatuses } from "@/lib/budgets/status";
import { digestEmail, type DigestSummary } from "@/lib/digest/compose";
import { sendWeeklyDigests, type DigestRun } from "@/lib/digest/weekly-digest";
import { recordNotification } from "@/lib/notifications/notifications";
import type { BadgesJson, NotificationPageJson } from "@/lib/schemas/notifications";
import { createTestKey } from "../factories/api-keys";
import { BASE_URL, createBudget, createPricedModel, ingest, startSmtpServer, type SmtpMessage, type UsageSpec } from "../factories/alerts";
import { createTestUser, read, sessionRequest, uniqueSlug, type TestUser } from "../factories/users";

/**
 * The weekly digest end to end: usage through the real ingest, sendWeeklyDigests at chosen
 * instants, what weekly_digests and the bell hold, who sees which digest, and the emails a
 * stub SMTP server receives. Calendar: 2026-11-16 is a Monday; its digests cover Nov 9–15
 * ("last week") against Nov 2–8.
 */

const A = uniqueSlug("diga");
const B = uniqueSlug("digb");
const C = uniqueSlug("digc"); // led, no spend: no digest
const D = uniqueSlug("digd"); // spend, no lead: no digest

let ingestKey: string;
let m1: string;
let m2: string;
let leadA: TestUser;
let leadA2: TestUser;
let memberLeadA: TestUser; // a team_lead who is only a member of A
let viewerA: TestUser;
let leadB: TestUser;
let leadC: TestUser;
let finance1: TestUser;
let finance2: TestUser;
let admin: TestUser;
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let budgetA: string;
let budgetOrg: string;
const alerts = { a1: "", a2: "", a3: "", a4: "", a5: "" };

const usd = (amount: string) => {
  const [whole, fraction = ""] = amount.replace("-", "").split(".");
  return `${amount.startsWith("-") ? "-" : ""}${whole}.${fraction.padEnd(12, "0")}`;
};
const day = (d: number) => `2026-11-${String(d).padStart(2, "0")}T12:00:00.000Z`;
const MONDAY = new Date("2026-11-16T06:00:00Z");
const run = (at: string | Date, env: Record<string, string | undefined> = {}): Promise<DigestRun> =>
  sendWeeklyDigests(getPool(), new Date(at), { env, baseUrl: BASE_URL });
const withSmtp = () => ({ BURNRATE_SMTP_URL: smtp.url });

async function digestRows(week: string) {
  const result = await getPool().query<{ recipient: string; sent_at: Date; summary: DigestSummary }>(
    `SELECT recipient, sent_at, summary FROM weekly_digests WHERE week = $1::date ORDER BY recipient`,
    [week],
  );
  return result.rows;
}

async function digestNotifications() {
  const result = await getPool().query<{ id: string; team: string | null; audience: string; title: string; message: string; link: string; created_at: Date }>(
    `SELECT id::text, team, audience::text AS audience, title, message, link, created_at FROM notifications WHERE kind = 'digest' ORDER BY created_at, title`,
  );
  return result.rows;
}

async function bell(user: TestUser) {
  return read<NotificationPageJson>(await listNotificationsRoute(sessionRequest("/api/v1/notifications?limit=100", { cookie: user.cookie })));
}

/** The titles of the digests a user's bell lists. */
async function digestTitles(user: TestUser): Promise<string[]> {
  const { status, body } = await bell(user);
  expect(status).toBe(200);
  return body.notifications.filter((n) => n.kind === "digest").map((n) => n.title).sort();
}

/** A mail's body as text: dot-stuffing and quoted-printable (or base64) undone, CRLF as LF. */
function bodyOf(message: SmtpMessage): string {
  const split = message.data.indexOf("\r\n\r\n");
  const headers = message.data.slice(0, split).toLowerCase();
  // SMTP's dot-stuffing: a line starting with "." was sent as "..".
  const raw = message.data.slice(split + 4).replace(/(^|\r\n)\.\./g, "$1.");
  let text = raw;
  if (headers.includes("content-transfer-encoding: quoted-printable")) {
    const bytes: number[] = [];
    const soft = raw.replace(/=\r\n/g, "");
    for (let i = 0; i < soft.length; i++) {
      if (soft[i] === "=" && /^[0-9A-F]{2}$/.test(soft.slice(i + 1, i + 3))) {
        bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
        i += 2;
      } else bytes.push(...Buffer.from(soft[i] ?? "", "utf8"));
    }
    text = Buffer.from(bytes).toString("utf8");
  } else if (headers.includes("content-transfer-encoding: base64")) {
    text = Buffer.from(raw.replace(/\r\n/g, ""), "base64").toString("utf8");
  }
  return text.replace(/\r\n/g, "\n");
}

/** A mail's Subject header, RFC 2047 encoded words (Q or B) decoded. */
function subjectOf(message: SmtpMessage): string {
  const headers = message.data.slice(0, message.data.indexOf("\r\n\r\n")).replace(/\r\n[ \t]+/g, " ");
  const line = headers.split("\r\n").find((h) => h.toLowerCase().startsWith("subject: ")) ?? "";
  return line
    .slice("subject: ".length)
    .replace(/\?=\s+=\?/g, "?==?")
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_all, encoding: string, word: string) =>
      encoding.toUpperCase() === "B"
        ? Buffer.from(word, "base64").toString("utf8")
        : Buffer.from(word.replace(/_/g, " ").replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), "latin1").toString("utf8"),
    );
}

/** Each recipient's mails since `from`, by address. */
function mailsSince(from: number): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const message of smtp.messages.slice(from)) {
    expect(message.to).toHaveLength(1);
    const to = (message.to[0] ?? "").replace(/^<|>$/g, "");
    (out[to] ??= []).push(bodyOf(message));
  }
  return out;
}

beforeAll(async () => {
  smtp = await startSmtpServer();
  ingestKey = await createTestKey(["ingest"]);
  m1 = await createPricedModel();
  m2 = await createPricedModel();
  leadA = await createTestUser({ role: "team_lead", teams: [{ slug: A, role: "lead" }] });
  leadA2 = await createTestUser({ role: "team_lead", teams: [{ slug: A, role: "lead" }, { slug: C, role: "member" }] });
  // Disabled accounts: never mailed.
  await createTestUser({ role: "team_lead", teams: [{ slug: A, role: "lead" }], disabled: true });
  memberLeadA = await createTestUser({ role: "team_lead", teams: [{ slug: A, role: "member" }] });
  viewerA = await createTestUser({ role: "viewer", teams: [{ slug: A, role: "member" }] });
  leadB = await createTestUser({ role: "team_lead", teams: [{ slug: B, role: "lead" }] });
  leadC = await createTestUser({ role: "team_lead", teams: [{ slug: C, role: "lead" }] });
  finance1 = await createTestUser({ role: "finance" });
  finance2 = await createTestUser({ role: "finance" });
  await createTestUser({ role: "finance", disabled: true });
  admin = await createTestUser({ role: "admin" });

  const usage: UsageSpec[] = [];
  // Team A: $15 a day, Nov 2–15; search on m1 falls from $10 to $6 a day, chat on m2 rises from $5 to $9.
  for (let d = 2; d <= 15; d++) {
    const before = d <= 8;
    usage.push({ at: day(d), usd: before ? "10" : "6", model: m1, tags: { team: A, feature: "search" } });
    usage.push({ at: day(d), usd: before ? "5" : "9", model: m2, tags: { team: A, feature: "chat" } });
  }
  // Team B: $20 (no feature) on Nov 3, $50 (rank) on Nov 10. Team D: $7 on Nov 12.
  usage.push({ at: day(3), usd: "20", model: m1, tags: { team: B } });
  usage.push({ at: day(10), usd: "50", model: m1, tags: { team: B, feature: "rank" } });
  usage.push({ at: day(12), usd: "7", model: m2, tags: { team: D, feature: "f" } });
  // No team: $3 on Nov 13 (last week), $2 on Nov 1 and $1 on Nov 16 01:00 (outside both weeks).
  usage.push({ at: day(13), usd: "3", model: m2 });
  usage.push({ at: day(1), usd: "2", model: m1 });
  usage.push({ at: "2026-11-16T01:00:00.000Z", usd: "1", model: m1 });
  await ingest(ingestKey, m1, usage);

  budgetA = await createBudget({ name: "A monthly", team: A, amountUsd: "400" });
  budgetOrg = await createBudget({ name: "Org monthly", amountUsd: "250" });

  const alert = async (name: keyof typeof alerts, type: string, scope: Record<string, string>, firedAt: string, state: "open" | "resolved" = "open") => {
    const created = await prisma.alertEvent.create({
      data: { type, dedupeKey: `digest-${randomUUID()}`, scope, state, periodStart: new Date("2026-11-01T00:00:00Z"), message: `${name} happened`, payload: {}, firedAt: new Date(firedAt) },
    });
    alerts[name] = created.id;
  };
  await alert("a1", "spend.spike", { team: A }, "2026-11-14T10:00:00Z");
  await alert("a2", "budget.threshold", { team: A }, "2026-11-15T10:00:00Z");
  await alert("a3", "spend.spike", { team: A }, "2026-11-15T11:00:00Z", "resolved");
  await alert("a4", "spend.unpriced", {}, "2026-11-13T10:00:00Z");
  // Fired after the Monday run: not in it.
  await alert("a5", "spend.spike", { team: B }, "2026-11-17T10:00:00Z");
});

afterAll(async () => {
  await smtp?.close();
});

describe("sendWeeklyDigests", () => {
  it("sends nothing on Monday before 06:00 UTC", async () => {
    expect(await run("2026-11-16T05:59:59.999Z", withSmtp())).toEqual({ week: "2026-11-16", due: false, skipped: false, sent: [] });
    expect(await digestRows("2026-11-16")).toEqual([]);
    expect(smtp.messages).toHaveLength(0);
  });

  it("on Monday at 06:00 sends one digest per led team with spend and one for finance, with exact numbers", async () => {
    const result = await run(MONDAY, withSmtp());
    expect(result).toEqual({
      week: "2026-11-16",
      due: true,
      skipped: false,
      sent: [
        { recipient: `team:${A}`, team: A, notification_id: expect.any(String), emails: { sent: 2, failed: 0 } },
        { recipient: `team:${B}`, team: B, notification_id: expect.any(String), emails: { sent: 1, failed: 0 } },
        { recipient: "finance", team: null, notification_id: expect.any(String), emails: { sent: 2, failed: 0 } },
      ],
    });

    const rows = await digestRows("2026-11-16");
    expect(rows.map((r) => r.recipient)).toEqual(["finance", `team:${A}`, `team:${B}`]);
    for (const r of rows) expect(r.sent_at.toISOString()).toBe(MONDAY.toISOString());
    const [finance, a, b] = rows.map((r) => r.summary) as [DigestSummary, DigestSummary, DigestSummary];

    // A: $105 both weeks (search 70 → 42, chat 35 → 63). Forecast of "A monthly" ($400): $210 spent
    // (Nov 2–15 at $15) + the rest of today (18 h of $15 = 11.25) + Nov 17–30 (14 × $15 = 210) = 431.25.
    expect(a).toEqual({
      recipient: `team:${A}`,
      team: A,
      week: "2026-11-16",
      from: "2026-11-09",
      to: "2026-11-16",
      spend: { currentUsd: usd("105"), previousUsd: usd("105"), changeUsd: usd("0"), changePct: "0.00" },
      movers: {
        up: [
          { kind: "feature", name: "chat", previousUsd: usd("35"), currentUsd: usd("63"), changeUsd: usd("28"), changePct: "80.00" },
          { kind: "model", name: m2, previousUsd: usd("35"), currentUsd: usd("63"), changeUsd: usd("28"), changePct: "80.00" },
        ],
        down: [
          { kind: "feature", name: "search", previousUsd: usd("70"), currentUsd: usd("42"), changeUsd: usd("-28"), changePct: "-40.00" },
          { kind: "model", name: m1, previousUsd: usd("70"), currentUsd: usd("42"), changeUsd: usd("-28"), changePct: "-40.00" },
        ],
      },
      teams: null,
      alerts: {
        open: 2,
        latest: [
          { id: alerts.a2, title: "Budget threshold crossed", message: "a2 happened", firedAt: "2026-11-15T10:00:00.000Z" },
          { id: alerts.a1, title: "Spend spike", message: "a1 happened", firedAt: "2026-11-14T10:00:00.000Z" },
        ],
      },
      budgets: [{ id: budgetA, name: "A monthly", team: A, amountUsd: usd("400"), spentUsd: usd("210"), forecastUsd: usd("431.25"), status: "at_risk" }],
      title: `Weekly digest: team ${A}, Nov 9–15`,
      message:
        "Spend last week (Nov 9–15): $105.00 vs $105.00 the week before (no change). " +
        "Movers: biggest rise feature chat (+$28.00), biggest drop feature search (-$28.00). 2 open alerts. Budgets this month: 1 at risk.",
      link: `/showback?from=2026-11-09&to=2026-11-16&team=${A}&by=feature`,
    } satisfies DigestSummary);

    // B: $20 (no feature) → $50 (rank), both on m1; its alert a5 fired after the run.
    expect(b).toEqual({
      recipient: `team:${B}`,
      team: B,
      week: "2026-11-16",
      from: "2026-11-09",
      to: "2026-11-16",
      spend: { currentUsd: usd("50"), previousUsd: usd("20"), changeUsd: usd("30"), changePct: "150.00" },
      movers: {
        up: [
          { kind: "feature", name: "rank", previousUsd: usd("0"), currentUsd: usd("50"), changeUsd: usd("50"), changePct: null },
          { kind: "model", name: m1, previousUsd: usd("20"), currentUsd: usd("50"), changeUsd: usd("30"), changePct: "150.00" },
        ],
        down: [{ kind: "feature", name: null, previousUsd: usd("20"), currentUsd: usd("0"), changeUsd: usd("-20"), changePct: "-100.00" }],
      },
      teams: null,
      alerts: { open: 0, latest: [] },
      budgets: [],
      title: `Weekly digest: team ${B}, Nov 9–15`,
      message:
        "Spend last week (Nov 9–15): $50.00 vs $20.00 the week before (+$30.00, +150.0%). " +
        "Movers: biggest rise feature rank (+$50.00), biggest drop no feature (-$20.00). No open alerts.",
      link: `/showback?from=2026-11-09&to=2026-11-16&team=${B}&by=feature`,
    } satisfies DigestSummary);

    // Organisation: 105 + 20 = 125 → 105 + 50 + 7 (D) + 3 (no team) = 165. Features: rank +50, chat +28,
    // f +7, search −28, none 20 → 3 (−17); models: m1 90 → 92 (+2), m2 35 → 73 (+38).
    const [orgStatus] = await budgetStatuses(getPool(), MONDAY, { kind: "all" }, [budgetOrg]);
    expect(orgStatus?.spentUsd).toBe(usd("293")); // 210 + 20 + 50 + 7 + 3 + 2 (Nov 1) + 1 (today)
    expect(finance).toEqual({
      recipient: "finance",
      team: null,
      week: "2026-11-16",
      from: "2026-11-09",
      to: "2026-11-16",
      spend: { currentUsd: usd("165"), previousUsd: usd("125"), changeUsd: usd("40"), changePct: "32.00" },
      movers: {
        up: [
          { kind: "feature", name: "rank", previousUsd: usd("0"), currentUsd: usd("50"), changeUsd: usd("50"), changePct: null },
          { kind: "model", name: m2, previousUsd: usd("35"), currentUsd: usd("73"), changeUsd: usd("38"), changePct: "108.57" },
          { kind: "feature", name: "chat", previousUsd: usd("35"), currentUsd: usd("63"), changeUsd: usd("28"), changePct: "80.00" },
        ],
        down: [
          { kind: "feature", name: "search", previousUsd: usd("70"), currentUsd: usd("42"), changeUsd: usd("-28"), changePct: "-40.00" },
          { kind: "feature", name: null, previousUsd: usd("20"), currentUsd: usd("3"), changeUsd: usd("-17"), changePct: "-85.00" },
        ],
      },
      teams: {
        up: [
          { kind: "team", name: B, previousUsd: usd("20"), currentUsd: usd("50"), changeUsd: usd("30"), changePct: "150.00" },
          { kind: "team", name: D, previousUsd: usd("0"), currentUsd: usd("7"), changeUsd: usd("7"), changePct: null },
          { kind: "team", name: null, previousUsd: usd("0"), currentUsd: usd("3"), changeUsd: usd("3"), changePct: null },
        ],
        down: [],
      },
      alerts: {
        open: 3,
        latest: [
          { id: alerts.a2, title: "Budget threshold crossed", message: "a2 happened", firedAt: "2026-11-15T10:00:00.000Z" },
          { id: alerts.a1, title: "Spend spike", message: "a1 happened", firedAt: "2026-11-14T10:00:00.000Z" },
          { id: alerts.a4, title: "Unpriced spend", message: "a4 happened", firedAt: "2026-11-13T10:00:00.000Z" },
        ],
      },
      budgets: [
        { id: budgetOrg, name: "Org monthly", team: null, amountUsd: usd("250"), spentUsd: usd("293"), forecastUsd: orgStatus?.forecast.forecastUsd ?? "", status: "over" },
        { id: budgetA, name: "A monthly", team: A, amountUsd: usd("400"), spentUsd: usd("210"), forecastUsd: usd("431.25"), status: "at_risk" },
      ],
      title: "Weekly digest: all teams, Nov 9–15",
      message:
        "Spend last week (Nov 9–15): $165.00 vs $125.00 the week before (+$40.00, +32.0%). " +
        `Teams: biggest rise team ${B} (+$30.00). Movers: biggest rise feature rank (+$50.00), biggest drop feature search (-$28.00). ` +
        "3 open alerts. Budgets this month: 1 over, 1 at risk.",
      link: "/showback?from=2026-11-09&to=2026-11-16",
    } satisfies DigestSummary);

    // The bell: one notification each, dated at the run; A's and B's for their leads only.
    expect((await digestNotifications()).map((n) => [n.team, n.audience, n.title, n.message, n.link, n.created_at.toISOString()]).sort()).toEqual(
      [
        [A, "leads", a.title, a.message, a.link, MONDAY.toISOString()],
        [B, "leads", b.title, b.message, b.link, MONDAY.toISOString()],
        [null, "scoped", finance.title, finance.message, finance.link, MONDAY.toISOString()],
      ].sort(),
    );

    // Email: each lead of A and B and each enabled finance user, one mail each; nobody else.
    const mails = mailsSince(0);
    expect(Object.keys(mails).sort()).toEqual([leadA.email, leadA2.email, leadB.email, finance1.email, finance2.email].sort());
    for (const mail of Object.values(mails)) expect(mail).toHaveLength(1);
    expect(mails[leadA.email]?.[0]).toContain(digestEmail(a, BASE_URL).text.trimEnd());
    expect(mails[leadA2.email]?.[0]).toContain(digestEmail(a, BASE_URL).text.trimEnd());
    expect(mails[leadB.email]?.[0]).toContain(digestEmail(b, BASE_URL).text.trimEnd());
    expect(mails[finance1.email]?.[0]).toContain(digestEmail(finance, BASE_URL).text.trimEnd());
    expect(mails[finance2.email]?.[0]?.trimEnd().endsWith(`Open in Burnrate: ${BASE_URL}/showback?from=2026-11-09&to=2026-11-16`)).toBe(true);
    const subjects = smtp.messages.map((m) => [m.to[0], subjectOf(m)]);
    expect(subjects).toContainEqual([`<${leadA.email}>`, `[Burnrate] Weekly digest: team ${A}, Nov 9–15`]);
    expect(subjects).toContainEqual([`<${leadB.email}>`, `[Burnrate] Weekly digest: team ${B}, Nov 9–15`]);
    expect(subjects).toContainEqual([`<${finance1.email}>`, "[Burnrate] Weekly digest: all teams, Nov 9–15"]);
  });

  it("a second run that week, and two at once, send nothing more", async () => {
    const before = smtp.messages.length;
    expect(await run("2026-11-16T06:01:00Z", withSmtp())).toEqual({ week: "2026-11-16", due: true, skipped: false, sent: [] });
    const both = await Promise.all([run("2026-11-17T09:00:00Z", withSmtp()), run("2026-11-17T09:00:00Z", withSmtp())]);
    for (const result of both) expect(result.sent).toEqual([]);
    expect((await digestRows("2026-11-16")).map((r) => r.recipient)).toEqual(["finance", `team:${A}`, `team:${B}`]);
    expect(await digestNotifications()).toHaveLength(3);
    expect(smtp.messages).toHaveLength(before);
  });

  it("two runs at once record and send each digest once (here without SMTP: no mail)", async () => {
    const before = smtp.messages.length;
    // The week of Nov 9 (Nov 2–8 against Oct 26–Nov 1): A, B and finance are due.
    const both = await Promise.all([run("2026-11-09T06:00:00Z"), run("2026-11-09T06:00:00Z")]);
    const sent = both.flatMap((result) => result.sent);
    expect(sent.map((s) => s.recipient).sort()).toEqual(["finance", `team:${A}`, `team:${B}`]);
    for (const s of sent) expect(s.emails).toEqual({ sent: 0, failed: 0 });
    const rows = await digestRows("2026-11-09");
    expect(rows.map((r) => r.recipient)).toEqual(["finance", `team:${A}`, `team:${B}`]);
    expect(rows.map((r) => [r.recipient, r.summary.spend.currentUsd, r.summary.spend.previousUsd])).toEqual([
      ["finance", usd("125"), usd("2")],
      [`team:${A}`, usd("105"), usd("0")],
      [`team:${B}`, usd("20"), usd("0")],
    ]);
    expect(await digestNotifications()).toHaveLength(6);
    expect(smtp.messages).toHaveLength(before);
  });

  it("never sends a missed week later; with the in-app channel off, records and mails but writes no notification", async () => {
    const before = smtp.messages.length;
    // The week of Nov 23 was never run; on Nov 30 before 06:00 nothing is due, not even it.
    expect(await run("2026-11-30T05:00:00Z", withSmtp())).toEqual({ week: "2026-11-30", due: false, skipped: false, sent: [] });
    expect(await digestRows("2026-11-23")).toEqual([]);

    await prisma.alertChannel.updateMany({ where: { type: "in_app" }, data: { enabled: false } });
    try {
      // Nov 23–29 has no spend; Nov 16–22 only the $1 of no team: finance's digest alone.
      const result = await run("2026-11-30T07:00:00Z", withSmtp());
      expect(result.sent).toEqual([{ recipient: "finance", team: null, notification_id: null, emails: { sent: 2, failed: 0 } }]);
    } finally {
      await prisma.alertChannel.updateMany({ where: { type: "in_app" }, data: { enabled: true } });
    }
    expect((await digestRows("2026-11-30")).map((r) => [r.recipient, r.summary.spend.currentUsd, r.summary.spend.previousUsd])).toEqual([
      ["finance", usd("0"), usd("1")],
    ]);
    expect(await digestRows("2026-11-23")).toEqual([]);
    expect(await digestNotifications()).toHaveLength(6);
    expect(Object.keys(mailsSince(before)).sort()).toEqual([finance1.email, finance2.email].sort());
  });

  it("logs a refused mail without the server's reply and carries on", async () => {
    // An SMTP server that refuses every connection in its greeting.
    const sockets = new Set<net.Socket>();
    const rude = net.createServer((socket) => {
      sockets.add(socket);
      socket.end("554 5.7.1 secret-reply-text: no mail from you\r\n");
    });
    await new Promise<void>((resolve) => rude.listen(0, "127.0.0.1", resolve));
    const { port } = rude.address() as net.AddressInfo;
    const warnings: Record<string, unknown>[] = [];
    try {
      // The week of Nov 23: Nov 16–22 (the $1 without a team) against Nov 9–15.
      const failing = await sendWeeklyDigests(getPool(), new Date("2026-11-23T08:00:00Z"), {
        env: { BURNRATE_SMTP_URL: `smtp://127.0.0.1:${port}` },
        baseUrl: BASE_URL,
        warn: (fields) => warnings.push(fields),
      });
      expect(failing.sent.map((s) => [s.recipient, s.emails])).toEqual([
        [`team:${A}`, { sent: 0, failed: 2 }],
        [`team:${B}`, { sent: 0, failed: 1 }],
        ["finance", { sent: 0, failed: 2 }],
      ]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => rude.close(() => resolve()));
    }
    expect(warnings).toHaveLength(5);
    for (const warning of warnings) {
      expect(warning).toMatchObject({ week: "2026-11-23", code: "EPROTOCOL", response_code: 554 });
      expect(JSON.stringify(warning)).not.toContain("secret-reply-text");
    }
    expect(warnings.map((w) => w.recipient).sort()).toEqual(["finance", "finance", `team:${A}`, `team:${A}`, `team:${B}`]);
    expect((await digestRows("2026-11-23")).map((r) => r.recipient)).toEqual(["finance", `team:${A}`, `team:${B}`]);
  });
});

describe("who sees a digest", () => {
  it("a team's digest reaches its leads only; finance's reaches finance and admins, not leads", async () => {
    const titles = digestTitles;
    const aTitles = [`Weekly digest: team ${A}, Nov 9–15`, `Weekly digest: team ${A}, Nov 2–8`, `Weekly digest: team ${A}, Nov 16–22`].sort();
    expect(await titles(leadA)).toEqual(aTitles);
    expect(await titles(leadA2)).toEqual(aTitles);
    expect((await titles(leadB)).every((t) => t.includes(`team ${B}`))).toBe(true);
    expect(await titles(leadB)).toHaveLength(3);
    for (const user of [memberLeadA, viewerA, leadC]) expect(await titles(user)).toEqual([]);
    const financeTitles = ["Weekly digest: all teams, Nov 9–15", "Weekly digest: all teams, Nov 2–8", "Weekly digest: all teams, Nov 16–22"].sort();
    expect(await titles(finance1)).toEqual(financeTitles);
    expect(await titles(admin)).toEqual(financeTitles);
  });

  it("counts a lead's digest as unread for that team's leads only, and lets nobody else mark it read", async () => {
    const at = new Date();
    const id = await recordNotification(getPool(), { kind: "digest", team: A, audience: "leads", title: "fresh", message: "m", link: "/showback", at });
    const unread = async (user: TestUser) => (await read<BadgesJson>(await badgesRoute(sessionRequest("/api/v1/badges", { cookie: user.cookie })))).body.unread_notifications;
    expect({ leadA: await unread(leadA), leadA2: await unread(leadA2), memberLeadA: await unread(memberLeadA), viewerA: await unread(viewerA), leadB: await unread(leadB), finance: await unread(finance1), admin: await unread(admin) }).toEqual({
      leadA: 1,
      leadA2: 1,
      memberLeadA: 0,
      viewerA: 0,
      leadB: 0,
      finance: 0,
      admin: 0,
    });
    expect((await bell(viewerA)).body.unread_count).toBe(0);
    for (const user of [viewerA, finance1, admin, leadB, memberLeadA]) {
      const marked = await read<{ marked: number; unread_count: number }>(
        await markReadRoute(sessionRequest("/api/v1/notifications/read", { cookie: user.cookie, method: "POST", body: { ids: [id] } })),
      );
      expect(marked).toEqual({ status: 200, body: { marked: 0, unread_count: 0 } });
    }
    const own = await read<{ marked: number; unread_count: number }>(
      await markReadRoute(sessionRequest("/api/v1/notifications/read", { cookie: leadA.cookie, method: "POST", body: { all: true } })),
    );
    expect(own).toEqual({ status: 200, body: { marked: 1, unread_count: 0 } });
    expect(await unread(leadA2)).toBe(1);
  });
});

describe("burnrate digest send", () => {
  const cli = (...args: string[]) => {
    const result = spawnSync(process.execPath, ["--import", "./scripts/node-hooks.mjs", "scripts/burnrate.ts", "digest", ...args], {
      env: { ...process.env, BURNRATE_SMTP_URL: "" },
      encoding: "utf8",
      input: "",
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  it("sends the week's digests at --at, once, and refuses bad arguments", async () => {
    // The week of Nov 2 covers Oct 26–Nov 1: only the $2 without a team, finance's digest alone.
    const first = cli("send", "--at", "2026-11-02T07:00:00Z");
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain("Week of 2026-11-02: finance (in-app)\n");
    expect((await digestRows("2026-11-02")).map((r) => [r.recipient, r.summary.spend.currentUsd])).toEqual([["finance", usd("2")]]);
    const again = cli("send", "--at", "2026-11-02T08:00:00Z");
    expect(again.stdout).toContain("Week of 2026-11-02: every digest due is already sent");
    expect(cli("send", "--at", "2026-11-02T05:00:00Z").stdout).toContain("The digests of the week of 2026-11-02 are due from 2026-11-02T06:00:00Z: nothing sent.");
    expect(cli("send", "--at", "yesterday").status).toBe(2);
    expect(cli("mail").status).toBe(2);
  }, 60_000);
});

describe("recipients with nothing to report", () => {
  it("are looked at again after an hour, not at every run", async () => {
    // The week of Dec 7 (Nov 30–Dec 6, against Nov 23–29): no spend, nothing to send.
    expect((await run("2026-12-07T06:00:00Z")).sent).toEqual([]);
    // Spend of that week arriving late is seen at the first run an hour later.
    await ingest(ingestKey, m1, [{ at: "2026-12-01T12:00:00.000Z", usd: "5", model: m1, tags: { team: A } }]);
    expect((await run("2026-12-07T06:59:00Z")).sent).toEqual([]);
    const later = await run("2026-12-07T07:00:00Z");
    expect(later.sent.map((s) => s.recipient)).toEqual([`team:${A}`, "finance"]);
    expect((await digestRows("2026-12-07")).map((r) => [r.recipient, r.summary.spend.currentUsd])).toEqual([
      ["finance", usd("5")],
      [`team:${A}`, usd("5")],
    ]);
  });
});
