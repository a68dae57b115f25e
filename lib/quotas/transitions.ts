import { Money } from "@/lib/money";

/**
 * The burst request state machine — the ONE place transitions are decided. Pure: data in,
 * data out, no database (lib/quotas/bursts.ts locks the row, asks here, writes the answer).
 *
 *   pending ──approve──▶ approved     (platform admin; amount ≤ requested, default all of it)
 *   pending ──reject───▶ rejected     (platform admin)
 *   pending ──cancel───▶ cancelled    (the requester, or a platform admin)
 *   pending ──expire───▶ expired      (the system, once ends_at has passed)
 *
 * Nothing else: approved, rejected, cancelled and expired are final. An approved burst is
 * never "expired": it simply stops counting once its window closes (the check only counts
 * approved bursts whose [starts_at, ends_at) contains now), and stays `approved` in the
 * record of what was granted.
 *
 * Refusals, checked in this order (so a caller who may never act learns that first):
 *   not_allowed (403)      the actor may not do this to this request
 *   not_pending (409)      the request was already decided, cancelled or expired
 *   window_passed (409)    approve/reject/cancel after ends_at: the request is due to expire
 *   not_due (409)          expire before ends_at
 *   amount_too_large (400) approve for more than was requested
 *   invalid_amount (400)   approve for 0 or less
 */

export type BurstState = "pending" | "approved" | "rejected" | "cancelled" | "expired";

export interface BurstRecord {
  status: BurstState;
  /** Decimal string in the request's unit. */
  amount: string;
  approvedAmount: string | null;
  requestedById: string | null;
  endsAt: Date;
  decidedById: string | null;
  decidedAt: Date | null;
  decisionComment: string | null;
}

export type BurstAction =
  | { kind: "approve"; amount?: string | null; comment?: string | null }
  | { kind: "reject"; comment?: string | null }
  | { kind: "cancel"; comment?: string | null }
  | { kind: "expire" };

/**
 * Who acts: a platform admin (an admin user or an installation-wide admin key; `userId`
 * null for a key), anyone else (a user: the requester may cancel), or the system sweep.
 */
export type BurstActor =
  | { kind: "admin"; userId: string | null }
  | { kind: "user"; userId: string }
  | { kind: "system" };

export type RefusalCode = "not_allowed" | "not_pending" | "window_passed" | "not_due" | "amount_too_large" | "invalid_amount";

export const REFUSAL_STATUS: Record<RefusalCode, 400 | 403 | 409> = {
  not_allowed: 403,
  not_pending: 409,
  window_passed: 409,
  not_due: 409,
  amount_too_large: 400,
  invalid_amount: 400,
};

export interface Refusal {
  code: RefusalCode;
  status: 400 | 403 | 409;
  message: string;
  /** For 400s: the body field at fault. */
  path?: string;
}

export type TransitionResult = { ok: true; next: BurstRecord } | { ok: false; refusal: Refusal };

function refuse(code: RefusalCode, message: string, path?: string): TransitionResult {
  return { ok: false, refusal: { code, status: REFUSAL_STATUS[code], message, ...(path ? { path } : {}) } };
}

const VERB: Record<BurstAction["kind"], string> = { approve: "approved", reject: "rejected", cancel: "cancelled", expire: "expired" };

function mayAct(action: BurstAction, actor: BurstActor, request: BurstRecord): boolean {
  switch (action.kind) {
    case "approve":
    case "reject":
      return actor.kind === "admin";
    case "cancel":
      return actor.kind === "admin" || (actor.kind === "user" && request.requestedById !== null && actor.userId === request.requestedById);
    case "expire":
      return actor.kind === "system";
  }
}

function notAllowedMessage(action: BurstAction): string {
  switch (action.kind) {
    case "approve":
    case "reject":
      return "Only a platform admin may decide burst requests.";
    case "cancel":
      return "Only the requester or a platform admin may cancel this request.";
    case "expire":
      return "Requests expire on their own once their window has passed.";
  }
}

/** Is this burst's window open at `now` (start inclusive, end exclusive)? */
export function windowContains(window: { startsAt: Date; endsAt: Date }, now: Date): boolean {
  return window.startsAt.getTime() <= now.getTime() && now.getTime() < window.endsAt.getTime();
}

/** The new state of `request` after `action` by `actor` at `now`, or why not. */
export function transition(request: BurstRecord, action: BurstAction, actor: BurstActor, now: Date): TransitionResult {
  if (!mayAct(action, actor, request)) return refuse("not_allowed", notAllowedMessage(action));
  if (request.status !== "pending") {
    return refuse("not_pending", `This request is already ${request.status}; only pending requests can be ${VERB[action.kind]}.`);
  }
  const passed = now.getTime() >= request.endsAt.getTime();
  if (action.kind === "expire") {
    if (!passed) return refuse("not_due", "This request's window has not passed yet.");
    return { ok: true, next: { ...request, status: "expired" } };
  }
  if (passed) return refuse("window_passed", "This request's window has passed: it has expired.");

  const decidedById = actor.kind === "system" ? null : actor.userId;
  const comment = action.comment ?? null;
  if (action.kind === "cancel") {
    return { ok: true, next: { ...request, status: "cancelled", decidedById, decidedAt: now, decisionComment: comment } };
  }
  if (action.kind === "reject") {
    return { ok: true, next: { ...request, status: "rejected", decidedById, decidedAt: now, decisionComment: comment } };
  }
  const requested = new Money(request.amount);
  const granted = action.amount === undefined || action.amount === null ? requested : new Money(action.amount);
  if (granted.lte(0)) return refuse("invalid_amount", "The approved amount must be > 0.", "amount");
  if (granted.gt(requested)) {
    return refuse("amount_too_large", `The approved amount may not exceed the requested ${requested.toFixed()}.`, "amount");
  }
  return {
    ok: true,
    next: { ...request, status: "approved", approvedAmount: granted.toFixed(), decidedById, decidedAt: now, decisionComment: comment },
  };
}
