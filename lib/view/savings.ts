import { SAVINGS_KINDS, type SavingsKind } from "@/lib/schemas/savings";
import { addDays, utcDayKey } from "@/lib/time";

/** The Savings page's pure parts: its URL state and labels. */

export const KIND_LABELS: Record<SavingsKind, string> = {
  model_swap: "Cheaper model",
  batch_tier: "Batch tier",
  prompt_caching: "Prompt caching",
};

export const DEFAULT_SAVINGS_DAYS = 30;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface SavingsPageState {
  from: string;
  to: string;
  team: string | undefined;
  kind: SavingsKind | undefined;
}

/** The window of the URL (whole UTC days, `to` exclusive), else the last 30 whole days; a bad link never fails the page. */
export function savingsPageState(search: { get: (name: string) => string | null }, now: Date): SavingsPageState {
  const today = utcDayKey(now);
  const from = search.get("from");
  const to = search.get("to");
  const valid = from !== null && to !== null && DAY.test(from) && DAY.test(to) && from < to && to <= addDays(today, 1) && addDays(from, 400) >= to;
  const team = search.get("team");
  const kind = search.get("kind");
  return {
    from: valid ? from : addDays(today, -DEFAULT_SAVINGS_DAYS),
    to: valid ? to : today,
    team: team && team.length <= 256 ? team : undefined,
    kind: (SAVINGS_KINDS as readonly string[]).includes(kind ?? "") ? (kind as SavingsKind) : undefined,
  };
}
