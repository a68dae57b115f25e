import type { ChargebackRow } from "@/lib/chargeback/chargeback";
import { formatChange, formatMonth, type Change } from "@/lib/format";
import { Money } from "@/lib/money";
import { MATCH_KEYS, type RuleMatch } from "@/lib/chargeback/allocate";
import { addMonths, monthKey, monthSchema, monthStart } from "@/lib/schemas/chargeback";

/** The Chargeback pages' pure parts: URL state, table order, labels. */

/** A row of GET /api/v1/chargeback (lib/chargeback/chargeback.ts). */
export type ChargebackRowJson = ChargebackRow;

/** The month of the URL, else last month (the one finance usually closes); a bad link never fails the page. */
export function chargebackMonth(search: { get: (name: string) => string | null }, now: Date): string {
  const month = search.get("month");
  return month !== null && monthSchema.safeParse(month).success ? month : addMonths(monthKey(now), -1);
}

/** "November 2026". */
export function monthLabel(month: string): string {
  return formatMonth(monthStart(month));
}

/** Whether a month is over (only then may it be closed). */
export function monthHasEnded(month: string, now: Date): boolean {
  return monthStart(month, 1).getTime() <= now.getTime();
}

export type ChargebackSortKey = "team" | "direct" | "allocated" | "total" | "change" | "adjustments" | "charge";

const MONEY_FIELD: Record<Exclude<ChargebackSortKey, "team" | "change">, keyof ChargebackRowJson> = {
  direct: "direct_usd",
  allocated: "allocated_usd",
  total: "total_usd",
  adjustments: "adjustments_usd",
  charge: "charge_usd",
};

/** The change against last month in dollars (null when the team had nothing last month). */
export function changeUsd(row: ChargebackRowJson): Money | null {
  return row.previous_total_usd === null ? null : new Money(row.total_usd).minus(row.previous_total_usd);
}

export function changeOf(row: ChargebackRowJson): Change | null {
  return row.previous_total_usd === null ? null : formatChange(row.total_usd, row.previous_total_usd);
}

export function sortChargebackRows(rows: readonly ChargebackRowJson[], key: ChargebackSortKey, direction: "asc" | "desc"): ChargebackRowJson[] {
  const sign = direction === "asc" ? 1 : -1;
  const value = (row: ChargebackRowJson): Money | null => {
    if (key === "change") return changeUsd(row);
    if (key === "team") return null;
    return new Money(row[MONEY_FIELD[key]] as string);
  };
  return [...rows].sort((a, b) => {
    if (key === "team") return sign * (a.team < b.team ? -1 : a.team > b.team ? 1 : 0);
    const va = value(a);
    const vb = value(b);
    // Rows without a figure sort last either way.
    if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
    return sign * va.comparedTo(vb) || (a.team < b.team ? -1 : 1);
  });
}

const MATCH_LABELS: Record<(typeof MATCH_KEYS)[number], string> = {
  team: "team",
  feature: "feature",
  environment: "environment",
  tenant: "tenant",
  provider: "provider",
  model: "model",
};

/** "team = platform · feature = embeddings-index"; `team: null` reads "no team tag". */
export function matchSummary(match: RuleMatch): string {
  const parts: string[] = [];
  for (const key of MATCH_KEYS) {
    if (!(key in match) || match[key] === undefined) continue;
    const value = match[key];
    parts.push(key === "team" && value === null ? "no team tag" : `${MATCH_LABELS[key]} = ${value}`);
  }
  return parts.join(" · ");
}

export const METHOD_LABELS = { proportional: "Proportional to direct spend", even: "Evenly", fixed: "Fixed percents" } as const;
