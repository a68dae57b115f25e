import type { BudgetStatusKind } from "@/lib/budgets/status";
import { formatChange, formatDayRange, formatMoney, plural } from "@/lib/format";
import { Money, formatUsd, type MoneyValue } from "@/lib/money";
import { DAY_MS, HOUR_MS, addDays, startOfUtcDay, utcDayKey } from "@/lib/time";

/**
 * The weekly digest, PURE: the week's numbers in, one digest per recipient out (a team's
 * leads, or finance), with the text of its in-app notification and of its email. No
 * database, no clock: the service (./weekly-digest.ts) reads the numbers and passes `now`.
 *
 * A digest is for a week: the Monday (UTC) it is sent on, `week`. It covers the seven
 * whole UTC days before that Monday ([week − 7 d, week): "last week") and compares them with
 * the seven days before those ("the week before"). It is due from DIGEST_HOUR_UTC (06:00)
 * that Monday until the week is over (digestDue); a week the server missed entirely is not
 * sent afterwards.
 *
 * Money: exact decimal strings with 12 fractional digits (formatUsd), arithmetic in Money;
 * percentages are change / the week before × 100 with 2 decimals, null when the week before
 * spent nothing. Display text formats with lib/format.ts like the rest of the app.
 */

export const DIGEST_HOUR_UTC = 6;
/** Movers per direction (rises, drops). */
export const TOP_MOVERS = 3;
/** Open alerts named in a digest (the newest); the count is of all of them. */
export const TOP_ALERTS = 3;
/** weekly_digests.recipient of finance's digest; a team's is teamRecipient(slug), so a team named "finance" is no clash. */
export const FINANCE_RECIPIENT = "finance";

export function teamRecipient(slug: string): string {
  return `team:${slug}`;
}

// ------------------------------------------------------------------ the week

export interface DigestWeek {
  /** The Monday (UTC) the digest is sent on, "YYYY-MM-DD"; the weekly_digests row's week. */
  week: string;
  /** Last week: [from, to), whole UTC days; `to` is `week`. */
  from: string;
  to: string;
  /** The week before: [previousFrom, from). */
  previousFrom: string;
}

/** The digest week holding `now`: the latest Monday (UTC) at or before it. */
export function digestWeekOf(now: Date): DigestWeek {
  const today = startOfUtcDay(now);
  const sinceMonday = (today.getUTCDay() + 6) % 7;
  const week = utcDayKey(today.getTime() - sinceMonday * DAY_MS);
  return { week, from: addDays(week, -7), to: week, previousFrom: addDays(week, -14) };
}

/** When the digests of the week holding `now` are due: its Monday at 06:00 UTC. */
export function digestDueAt(now: Date): Date {
  return new Date(Date.parse(`${digestWeekOf(now).week}T00:00:00Z`) + DIGEST_HOUR_UTC * HOUR_MS);
}

/** Whether this week's digests may be sent at `now`: from Monday 06:00 UTC to the end of Sunday. */
export function digestDue(now: Date): boolean {
  return now.getTime() >= digestDueAt(now).getTime();
}

// ------------------------------------------------------------------ inputs

/** Spend of one (team, feature, model) group in one of the two weeks (rollup groups with requests). */
export interface DigestSpendRow {
  team: string | null;
  feature: string | null;
  model: string | null;
  week: "current" | "previous";
  costUsd: string;
}

export interface DigestAlert {
  id: string;
  /** The alert type's title (lib/alerts/deliver.ts alertTitle). */
  title: string;
  message: string;
  firedAt: string;
}

/** Open alerts: how many, and the newest TOP_ALERTS of them (newest first). */
export interface DigestAlerts {
  open: number;
  latest: DigestAlert[];
}

/** One active budget where it stands this month (lib/budgets/status.ts). */
export interface DigestBudgetInput {
  id: string;
  name: string;
  team: string | null;
  amountUsd: string;
  spentUsd: string;
  forecastUsd: string;
  status: BudgetStatusKind;
}

export interface DigestInputs {
  week: DigestWeek;
  spend: readonly DigestSpendRow[];
  /** Open alerts of the digest's scope (the team's, or all of them for finance). */
  alerts: DigestAlerts;
  /** Every active budget; a team's digest keeps those scoped to its team. */
  budgets: readonly DigestBudgetInput[];
}

// ------------------------------------------------------------------ outputs

export interface SpendChange {
  currentUsd: string;
  previousUsd: string;
  changeUsd: string;
  /** change / previous × 100, 2 decimals; null when the week before spent nothing. */
  changePct: string | null;
}

export type MoverKind = "team" | "feature" | "model";

export interface Mover extends SpendChange {
  kind: MoverKind;
  /** The tag's value; null for spend without one. */
  name: string | null;
}

export interface Movers {
  /** The largest rises, largest first (at most TOP_MOVERS). */
  up: Mover[];
  /** The largest drops, largest first (at most TOP_MOVERS). */
  down: Mover[];
}

export type DigestBudgetStatus = "over" | "at_risk" | "on_track";

export interface DigestBudget {
  id: string;
  name: string;
  team: string | null;
  amountUsd: string;
  spentUsd: string;
  forecastUsd: string;
  status: DigestBudgetStatus;
}

/** What a digest holds; stored as weekly_digests.summary. */
export interface DigestSummary {
  /** "finance", or "team:<slug>" (teamRecipient): the weekly_digests row's recipient. */
  recipient: string;
  /** The team (null: the whole organisation, finance's digest). */
  team: string | null;
  week: string;
  from: string;
  to: string;
  spend: SpendChange;
  /** Features and models (of the team, or organisation-wide) that moved most, in $. */
  movers: Movers;
  /** Finance only: the teams that moved most (null team: spend without a team tag). */
  teams: Movers | null;
  alerts: DigestAlerts;
  /** Over first, then at risk, then on track; by name within each. */
  budgets: DigestBudget[];
  title: string;
  message: string;
  /** App-relative: the Showback page over last week. */
  link: string;
}

// ------------------------------------------------------------------ arithmetic

const usd = (value: MoneyValue) => formatUsd(value);

function change(current: Money, previous: Money): SpendChange {
  const delta = current.minus(previous);
  return {
    currentUsd: usd(current),
    previousUsd: usd(previous),
    changeUsd: usd(delta),
    changePct: previous.isZero() ? null : delta.div(previous.abs()).mul(100).toFixed(2),
  };
}

function totals(rows: readonly DigestSpendRow[]): { current: Money; previous: Money } {
  let current = new Money(0);
  let previous = new Money(0);
  for (const row of rows) {
    if (row.week === "current") current = current.plus(row.costUsd);
    else previous = previous.plus(row.costUsd);
  }
  return { current, previous };
}

const KIND_ORDER: Record<MoverKind, number> = { team: 0, feature: 1, model: 2 };

/** Largest |change| first; then team, feature, model; then by name (no tag last). */
function byMagnitude(a: Mover & { delta: Money }, b: Mover & { delta: Money }): number {
  const size = b.delta.abs().comparedTo(a.delta.abs());
  if (size !== 0) return size;
  if (a.kind !== b.kind) return KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  if (a.name === b.name) return 0;
  if (a.name === null) return 1;
  if (b.name === null) return -1;
  return a.name < b.name ? -1 : 1;
}

/** The groups of `rows` by the tags `kinds` name, compared week on week; the top rises and drops. */
export function topMovers(rows: readonly DigestSpendRow[], kinds: readonly MoverKind[], limit = TOP_MOVERS): Movers {
  const movers: (Mover & { delta: Money })[] = [];
  for (const kind of kinds) {
    const groups = new Map<string | null, DigestSpendRow[]>();
    for (const row of rows) {
      const name = row[kind];
      const group = groups.get(name);
      if (group) group.push(row);
      else groups.set(name, [row]);
    }
    for (const [name, group] of groups) {
      const { current, previous } = totals(group);
      const delta = current.minus(previous);
      if (delta.isZero()) continue;
      movers.push({ kind, name, ...change(current, previous), delta });
    }
  }
  movers.sort(byMagnitude);
  const strip = ({ delta: _delta, ...mover }: Mover & { delta: Money }): Mover => mover;
  return {
    up: movers.filter((m) => m.delta.gt(0)).slice(0, limit).map(strip),
    down: movers.filter((m) => m.delta.lt(0)).slice(0, limit).map(strip),
  };
}

/** Whether the rows spent anything (a non-zero cost) in either week. */
export function hasSpend(rows: readonly DigestSpendRow[]): boolean {
  return rows.some((row) => !new Money(row.costUsd).isZero());
}

/** The teams (slugs) with spend in either week, sorted. */
export function teamsWithSpend(rows: readonly DigestSpendRow[]): string[] {
  const teams = new Set<string>();
  for (const row of rows) if (row.team !== null && !new Money(row.costUsd).isZero()) teams.add(row.team);
  return [...teams].sort();
}

const STATUS: Record<BudgetStatusKind, DigestBudgetStatus> = { over: "over", at_risk: "at_risk", ok: "on_track" };
const STATUS_ORDER: Record<DigestBudgetStatus, number> = { over: 0, at_risk: 1, on_track: 2 };
export const BUDGET_STATUS_LABELS: Record<DigestBudgetStatus, string> = { over: "over", at_risk: "at risk", on_track: "on track" };

function budgetLines(budgets: readonly DigestBudgetInput[]): DigestBudget[] {
  return budgets
    .map((b) => ({ id: b.id, name: b.name, team: b.team, amountUsd: usd(b.amountUsd), spentUsd: usd(b.spentUsd), forecastUsd: usd(b.forecastUsd), status: STATUS[b.status] }))
    .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1));
}

// ------------------------------------------------------------------ text

/** "+$30.00", "-$20.00", "$0.00". */
export function signedMoney(amount: MoneyValue): string {
  const value = new Money(amount);
  return value.gt(0) ? `+${formatMoney(value)}` : formatMoney(value);
}

/** "Nov 9–15": last week's days, both ends inclusive. */
export function weekRange(week: Pick<DigestWeek, "from" | "to">): string {
  return formatDayRange(new Date(`${week.from}T00:00:00Z`), new Date(Date.parse(`${week.to}T00:00:00Z`) - DAY_MS));
}

/** "feature search", "model gpt-4o", "no team". */
export function moverLabel(mover: Pick<Mover, "kind" | "name">): string {
  return mover.name === null ? `no ${mover.kind}` : `${mover.kind} ${mover.name}`;
}

function changeText(spend: SpendChange): string {
  if (new Money(spend.changeUsd).isZero()) return "no change";
  const percent = formatChange(spend.currentUsd, spend.previousUsd);
  return percent ? `${signedMoney(spend.changeUsd)}, ${percent.text}` : signedMoney(spend.changeUsd);
}

function spendSentence(spend: SpendChange, range: string): string {
  return `Spend last week (${range}): ${formatMoney(spend.currentUsd)} vs ${formatMoney(spend.previousUsd)} the week before (${changeText(spend)}).`;
}

function moversSentence(movers: Movers, what: string): string {
  const parts: string[] = [];
  const up = movers.up[0];
  const down = movers.down[0];
  if (up) parts.push(`biggest rise ${moverLabel(up)} (${signedMoney(up.changeUsd)})`);
  if (down) parts.push(`biggest drop ${moverLabel(down)} (${signedMoney(down.changeUsd)})`);
  if (parts.length === 0) return "";
  const text = parts.join(", ");
  return ` ${what}: ${text}.`;
}

function budgetsSentence(budgets: readonly DigestBudget[]): string {
  if (budgets.length === 0) return "";
  const counts = (["over", "at_risk", "on_track"] as const)
    .map((status) => [status, budgets.filter((b) => b.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${BUDGET_STATUS_LABELS[status]}`);
  return ` Budgets this month: ${counts.join(", ")}.`;
}

function alertsSentence(alerts: DigestAlerts): string {
  return alerts.open === 0 ? " No open alerts." : ` ${plural(alerts.open, "open alert", "open alerts")}.`;
}

function showbackLink(week: DigestWeek, team: string | null): string {
  const params = new URLSearchParams({ from: week.from, to: week.to });
  if (team !== null) {
    params.set("team", team);
    params.set("by", "feature");
  }
  return `/showback?${params.toString()}`;
}

// ------------------------------------------------------------------ the digests

/** A team's digest, for its leads: the team's spend, movers, open alerts and budgets. */
export function composeTeamDigest(team: string, inputs: DigestInputs): DigestSummary {
  const rows = inputs.spend.filter((row) => row.team === team);
  const { current, previous } = totals(rows);
  const spend = change(current, previous);
  const movers = topMovers(rows, ["feature", "model"]);
  const budgets = budgetLines(inputs.budgets.filter((b) => b.team === team));
  const range = weekRange(inputs.week);
  return {
    recipient: teamRecipient(team),
    team,
    week: inputs.week.week,
    from: inputs.week.from,
    to: inputs.week.to,
    spend,
    movers,
    teams: null,
    alerts: inputs.alerts,
    budgets,
    title: `Weekly digest: team ${team}, ${range}`,
    message: `${spendSentence(spend, range)}${moversSentence(movers, "Movers")}${alertsSentence(inputs.alerts)}${budgetsSentence(budgets)}`,
    link: showbackLink(inputs.week, team),
  };
}

/** Finance's digest: the whole organisation, the teams that moved most, every open alert and budget. */
export function composeFinanceDigest(inputs: DigestInputs): DigestSummary {
  const { current, previous } = totals(inputs.spend);
  const spend = change(current, previous);
  const movers = topMovers(inputs.spend, ["feature", "model"]);
  const teams = topMovers(inputs.spend, ["team"]);
  const budgets = budgetLines(inputs.budgets);
  const range = weekRange(inputs.week);
  return {
    recipient: FINANCE_RECIPIENT,
    team: null,
    week: inputs.week.week,
    from: inputs.week.from,
    to: inputs.week.to,
    spend,
    movers,
    teams,
    alerts: inputs.alerts,
    budgets,
    title: `Weekly digest: all teams, ${range}`,
    message: `${spendSentence(spend, range)}${moversSentence(teams, "Teams")}${moversSentence(movers, "Movers")}${alertsSentence(inputs.alerts)}${budgetsSentence(budgets)}`,
    link: showbackLink(inputs.week, null),
  };
}

// ------------------------------------------------------------------ email

function moverLines(movers: Movers): string[] {
  const line = (m: Mover) =>
    `  ${moverLabel(m)}: ${formatMoney(m.previousUsd)} -> ${formatMoney(m.currentUsd)} (${changeText(m)})`;
  return [...movers.up.map(line), ...movers.down.map(line)];
}

/** Subject and plain text of a digest's email; `baseUrl` makes the link absolute. */
export function digestEmail(digest: DigestSummary, baseUrl: string): { subject: string; text: string } {
  const lines: string[] = [digest.title, "", spendSentence(digest.spend, weekRange(digest))];
  if (digest.teams) {
    const teams = moverLines(digest.teams);
    lines.push("", "Teams that moved most:", ...(teams.length ? teams : ["  none"]));
  }
  const movers = moverLines(digest.movers);
  lines.push("", "Features and models that moved most:", ...(movers.length ? movers : ["  none"]));
  lines.push("", `Open alerts: ${digest.alerts.open}`, ...digest.alerts.latest.map((a) => `  ${a.title}: ${a.message}`));
  if (digest.alerts.open > digest.alerts.latest.length) lines.push(`  and ${digest.alerts.open - digest.alerts.latest.length} more`);
  lines.push("", "Budgets this month (forecast vs amount):");
  if (digest.budgets.length === 0) lines.push("  none");
  for (const b of digest.budgets) {
    lines.push(`  ${b.name}${digest.team === null && b.team ? ` (team ${b.team})` : ""}: forecast ${formatMoney(b.forecastUsd)} of ${formatMoney(b.amountUsd)}, spent ${formatMoney(b.spentUsd)}: ${BUDGET_STATUS_LABELS[b.status]}`);
  }
  lines.push("", `Open in Burnrate: ${baseUrl.replace(/\/+$/, "")}${digest.link}`, "");
  return { subject: `[Burnrate] ${digest.title}`, text: lines.join("\n") };
}
