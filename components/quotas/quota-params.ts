import { isMonthKey } from "@/lib/quotas/view";
import type { BurstStatus } from "./quota-types";
import { BURST_STATUSES } from "./request-status-chip";

/** The statuses of decided requests: the history's filter choices. */
export const DECIDED_STATUSES = BURST_STATUSES.filter((s) => s !== "pending");

/** The decided-requests history's filters, from the URL (`?status=`, `?team=`); an unknown status is no filter. */
export function historyFilters(search: { get: (name: string) => string | null }): { status: BurstStatus | ""; team: string } {
  const status = search.get("status") ?? "";
  return { status: (DECIDED_STATUSES as string[]).includes(status) ? (status as BurstStatus) : "", team: search.get("team") ?? "" };
}

/** The review's month from the URL (`?month=YYYY-MM`), or null for the API's default (the last complete month). */
export function reviewMonthParam(search: { get: (name: string) => string | null }): string | null {
  const requested = search.get("month");
  return isMonthKey(requested) ? requested : null;
}
