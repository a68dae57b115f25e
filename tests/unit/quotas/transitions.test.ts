import { describe, expect, it } from "vitest";
import {
  REFUSAL_STATUS,
  transition,
  windowContains,
  type BurstAction,
  type BurstActor,
  type BurstRecord,
  type BurstState,
} from "@/lib/quotas/transitions";

/**
 * The burst state machine, exhaustively: every (state, action, actor) cell written out by
 * hand — allowed ones give the exact next record, refused ones the exact code and status.
 */

const NOW = new Date("2026-11-18T12:00:00Z");
const LATER = new Date("2026-11-25T00:00:00Z");
const REQUESTER = "11111111-1111-4111-8111-111111111111";
const OTHER = "22222222-2222-4222-8222-222222222222";
const ADMIN = "33333333-3333-4333-8333-333333333333";

function request(status: BurstState, overrides: Partial<BurstRecord> = {}): BurstRecord {
  return {
    status,
    amount: "500",
    approvedAmount: null,
    requestedById: REQUESTER,
    endsAt: LATER,
    decidedById: null,
    decidedAt: null,
    decisionComment: null,
    ...overrides,
  };
}

const admin: BurstActor = { kind: "admin", userId: ADMIN };
const adminKey: BurstActor = { kind: "admin", userId: null };
const requester: BurstActor = { kind: "user", userId: REQUESTER };
const other: BurstActor = { kind: "user", userId: OTHER };
const system: BurstActor = { kind: "system" };

const STATES: BurstState[] = ["pending", "approved", "rejected", "cancelled", "expired"];
const ACTIONS: BurstAction[] = [{ kind: "approve" }, { kind: "reject" }, { kind: "cancel" }, { kind: "expire" }];
const ACTORS = { admin, adminKey, requester, other, system } as const;

/** Who may attempt each action at all (before looking at the state). */
const MAY: Record<BurstAction["kind"], (keyof typeof ACTORS)[]> = {
  approve: ["admin", "adminKey"],
  reject: ["admin", "adminKey"],
  cancel: ["admin", "adminKey", "requester"],
  expire: ["system"],
};

describe("transition: the full matrix", () => {
  for (const state of STATES) {
    for (const action of ACTIONS) {
      for (const [name, actor] of Object.entries(ACTORS) as [keyof typeof ACTORS, BurstActor][]) {
        const permitted = MAY[action.kind].includes(name);
        // expire is only due after ends_at; the others only before it.
        const at = action.kind === "expire" ? LATER : NOW;
        const expected = !permitted ? "not_allowed" : state !== "pending" ? "not_pending" : "ok";
        it(`${state} --${action.kind}--> as ${name}: ${expected}`, () => {
          const result = transition(request(state), action, actor, at);
          if (expected === "ok") {
            expect(result.ok).toBe(true);
          } else {
            expect(result).toEqual({ ok: false, refusal: expect.objectContaining({ code: expected, status: REFUSAL_STATUS[expected] }) });
          }
        });
      }
    }
  }
});

describe("transition: the allowed moves, exactly", () => {
  it("approve in full: approved, approved_amount = amount, decided by the admin now", () => {
    expect(transition(request("pending"), { kind: "approve", comment: "launch week" }, admin, NOW)).toEqual({
      ok: true,
      next: request("pending", { status: "approved", approvedAmount: "500", decidedById: ADMIN, decidedAt: NOW, decisionComment: "launch week" }),
    });
  });

  it("approve part of it", () => {
    const result = transition(request("pending"), { kind: "approve", amount: "120.5" }, admin, NOW);
    expect(result).toEqual({
      ok: true,
      next: request("pending", { status: "approved", approvedAmount: "120.5", decidedById: ADMIN, decidedAt: NOW, decisionComment: null }),
    });
  });

  it("approve exactly the requested amount (written differently) is allowed", () => {
    const result = transition(request("pending"), { kind: "approve", amount: "500.000" }, admin, NOW);
    expect(result.ok && result.next.approvedAmount).toBe("500");
  });

  it("an admin key decides with no user id", () => {
    const result = transition(request("pending"), { kind: "reject" }, adminKey, NOW);
    expect(result).toEqual({ ok: true, next: request("pending", { status: "rejected", decidedById: null, decidedAt: NOW }) });
  });

  it("reject keeps the amount, records the comment", () => {
    expect(transition(request("pending"), { kind: "reject", comment: "not this quarter" }, admin, NOW)).toEqual({
      ok: true,
      next: request("pending", { status: "rejected", decidedById: ADMIN, decidedAt: NOW, decisionComment: "not this quarter" }),
    });
  });

  it("the requester cancels their own pending request", () => {
    expect(transition(request("pending"), { kind: "cancel" }, requester, NOW)).toEqual({
      ok: true,
      next: request("pending", { status: "cancelled", decidedById: REQUESTER, decidedAt: NOW }),
    });
  });

  it("an admin cancels anyone's pending request", () => {
    const result = transition(request("pending"), { kind: "cancel", comment: "duplicate" }, admin, NOW);
    expect(result.ok && result.next).toMatchObject({ status: "cancelled", decidedById: ADMIN, decisionComment: "duplicate" });
  });

  it("the system expires a pending request at ends_at exactly (end exclusive), leaving the decision fields alone", () => {
    expect(transition(request("pending"), { kind: "expire" }, system, LATER)).toEqual({ ok: true, next: request("pending", { status: "expired" }) });
  });
});

describe("transition: the refusals", () => {
  it("nobody but the requester or an admin may cancel (another lead, a request filed by a key)", () => {
    expect(transition(request("pending"), { kind: "cancel" }, other, NOW)).toMatchObject({ ok: false, refusal: { code: "not_allowed", status: 403 } });
    expect(transition(request("pending", { requestedById: null }), { kind: "cancel" }, other, NOW)).toMatchObject({ ok: false, refusal: { code: "not_allowed" } });
  });

  it("permission is refused before state: a non-admin approving a decided request gets 403, not 409", () => {
    expect(transition(request("approved"), { kind: "approve" }, requester, NOW)).toMatchObject({ ok: false, refusal: { code: "not_allowed", status: 403 } });
  });

  it("deciding twice: 409 not_pending, naming the state", () => {
    const result = transition(request("approved", { approvedAmount: "500" }), { kind: "reject" }, admin, NOW);
    expect(result).toEqual({
      ok: false,
      refusal: { code: "not_pending", status: 409, message: "This request is already approved; only pending requests can be rejected." },
    });
  });

  it("approved never becomes expired, even long after its window", () => {
    expect(transition(request("approved"), { kind: "expire" }, system, new Date("2027-06-01T00:00:00Z"))).toMatchObject({
      ok: false,
      refusal: { code: "not_pending" },
    });
  });

  it("approve, reject or cancel once the window has passed: 409 window_passed", () => {
    for (const action of [{ kind: "approve" }, { kind: "reject" }, { kind: "cancel" }] as const) {
      expect(transition(request("pending"), action, admin, LATER)).toEqual({
        ok: false,
        refusal: { code: "window_passed", status: 409, message: "This request's window has passed: it has expired." },
      });
    }
    // One millisecond before the end it is still open.
    expect(transition(request("pending"), { kind: "approve" }, admin, new Date(LATER.getTime() - 1)).ok).toBe(true);
  });

  it("expire before ends_at: 409 not_due", () => {
    expect(transition(request("pending"), { kind: "expire" }, system, NOW)).toMatchObject({ ok: false, refusal: { code: "not_due", status: 409 } });
  });

  it("approve for more than requested or for nothing: 400 on amount", () => {
    expect(transition(request("pending"), { kind: "approve", amount: "500.000000000001" }, admin, NOW)).toEqual({
      ok: false,
      refusal: { code: "amount_too_large", status: 400, path: "amount", message: "The approved amount may not exceed the requested 500." },
    });
    expect(transition(request("pending"), { kind: "approve", amount: "0" }, admin, NOW)).toMatchObject({
      ok: false,
      refusal: { code: "invalid_amount", status: 400, path: "amount" },
    });
  });

  it("never mutates its input", () => {
    const before = request("pending");
    const copy = structuredClone(before);
    transition(before, { kind: "approve" }, admin, NOW);
    expect(before).toEqual(copy);
  });
});

describe("windowContains", () => {
  const window = { startsAt: new Date("2026-11-20T00:00:00Z"), endsAt: new Date("2026-11-21T00:00:00Z") };
  it("start inclusive, end exclusive", () => {
    expect(windowContains(window, new Date("2026-11-19T23:59:59.999Z"))).toBe(false);
    expect(windowContains(window, new Date("2026-11-20T00:00:00Z"))).toBe(true);
    expect(windowContains(window, new Date("2026-11-20T23:59:59.999Z"))).toBe(true);
    expect(windowContains(window, new Date("2026-11-21T00:00:00Z"))).toBe(false);
  });
});
