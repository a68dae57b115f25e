import { formatCount, formatMoney } from "@/lib/format";
import { Money } from "@/lib/money";
import { RECONCILIATION_PROVIDERS, type DriftCause, type ReconciliationDayJson, type ReconciliationProvider, type ReconciliationRowJson } from "@/lib/schemas/reconciliation";
import { addDays, utcDayKey } from "@/lib/time";

/** The Reconciliation page's pure parts: its URL state, chart points and table order. */

export const PROVIDER_LABELS: Record<ReconciliationProvider, string> = { openai: "OpenAI", anthropic: "Anthropic" };

export const CAUSE_LABELS: Record<DriftCause, string> = {
  unpriced_model: "No price",
  missing_cache_write_rate: "No cache-write rate",
  tokens_missing: "Tokens missing",
  tokens_extra: "Extra tokens",
  price_difference: "Price difference",
  unattributed_cost: "Not split by model",
};

/** The default window: the 14 whole UTC days before today (providers report a day once it is over). */
export const DEFAULT_DAYS = 14;

export interface ReconciliationPageState {
  from: string;
  to: string;
  provider: ReconciliationProvider | undefined;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The page's state from its URL; anything unreadable falls back to the default window (a bad link never fails the page). */
export function reconciliationPageState(search: { get: (name: string) => string | null }, now: Date): ReconciliationPageState {
  const today = utcDayKey(now);
  const from = search.get("from");
  const to = search.get("to");
  const provider = search.get("provider");
  const valid = from !== null && to !== null && DAY.test(from) && DAY.test(to) && from < to && to <= addDays(today, 1) && addDays(from, 93) >= to;
  return {
    from: valid ? from : addDays(today, -DEFAULT_DAYS),
    to: valid ? to : today,
    provider: (RECONCILIATION_PROVIDERS as readonly string[]).includes(provider ?? "") ? (provider as ReconciliationProvider) : undefined,
  };
}

/** One day of a provider: plotting numbers (heights only) and the exact labels the tooltip shows. */
export interface ReconciliationPoint {
  label: string;
  provider: number | null;
  burnrate: number;
  /** Between the two costs: the drift, shaded. */
  band: [number, number] | null;
  providerLabel: string;
  burnrateLabel: string;
  driftLabel: string | null;
}

export function reconciliationPoints(days: readonly ReconciliationDayJson[], provider: ReconciliationProvider): ReconciliationPoint[] {
  return days
    .filter((day) => day.provider === provider)
    .map((day) => {
      const burnrate = Number(day.burnrate_cost_usd);
      const billed = day.provider_cost_usd === null ? null : Number(day.provider_cost_usd);
      return {
        label: day.day,
        provider: billed,
        burnrate,
        band: billed === null ? null : [Math.min(billed, burnrate), Math.max(billed, burnrate)],
        providerLabel: day.provider_cost_usd === null ? "no cost reported" : formatMoney(day.provider_cost_usd),
        burnrateLabel: formatMoney(day.burnrate_cost_usd),
        driftLabel: day.drift_usd === null ? null : `${signedMoney(day.drift_usd)}${day.drift_pct === null ? "" : ` (${signedPercent(day.drift_pct)})`}`,
      };
    });
}

export function signedMoney(amount: string): string {
  const value = new Money(amount);
  return `${value.isNegative() ? "−" : value.isZero() ? "" : "+"}${formatMoney(value.abs())}`;
}

export function signedPercent(pct: string): string {
  const value = new Money(pct);
  return `${value.isNegative() ? "−" : value.isZero() ? "" : "+"}${value.abs().toFixed(2)}%`;
}

/** Provider minus Burnrate for a token class: "+1,204" when Burnrate is missing tokens, "" when equal or unknown. */
export function tokenDelta(provider: number | null, burnrate: number): string {
  if (provider === null || provider === burnrate) return "";
  const delta = provider - burnrate;
  return `${delta > 0 ? "+" : "−"}${formatCount(Math.abs(delta))}`;
}

export type ReconciliationSortKey = "day" | "model" | "drift" | "provider_cost" | "burnrate_cost";

/** Largest absolute drift first by default; rows without a provider cost after those with one. */
export function sortReconciliationRows(rows: readonly ReconciliationRowJson[], key: ReconciliationSortKey, direction: "asc" | "desc"): ReconciliationRowJson[] {
  const sign = direction === "asc" ? 1 : -1;
  const money = (value: string | null) => (value === null ? null : new Money(value));
  const compareMoney = (a: Money | null, b: Money | null) => (a === null ? (b === null ? 0 : 1) : b === null ? -1 : sign * a.comparedTo(b));
  return [...rows].sort((a, b) => {
    let order = 0;
    if (key === "day") order = sign * a.day.localeCompare(b.day);
    else if (key === "model") order = sign * (a.model ?? "").localeCompare(b.model ?? "");
    else if (key === "drift") order = compareMoney(money(a.drift_usd)?.abs() ?? null, money(b.drift_usd)?.abs() ?? null);
    else if (key === "provider_cost") order = compareMoney(money(a.provider_cost_usd), money(b.provider_cost_usd));
    else order = compareMoney(money(a.burnrate_cost_usd), money(b.burnrate_cost_usd));
    return order || a.provider.localeCompare(b.provider) || a.day.localeCompare(b.day) || (a.model ?? "\uffff").localeCompare(b.model ?? "\uffff");
  });
}
