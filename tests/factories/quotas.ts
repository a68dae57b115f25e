import { POST as approveRoute } from "@/app/api/v1/quota/requests/[id]/approve/route";
import { POST as cancelRoute } from "@/app/api/v1/quota/requests/[id]/cancel/route";
import { POST as rejectRoute } from "@/app/api/v1/quota/requests/[id]/reject/route";
import { GET as getRequestRoute } from "@/app/api/v1/quota/requests/[id]/route";
import { GET as listRequestsRoute, POST as postRequestRoute } from "@/app/api/v1/quota/requests/route";
import { DELETE as deleteAllocationRoute, GET as getAllocationRoute, PATCH as patchAllocationRoute } from "@/app/api/v1/quota/allocations/[id]/route";
import { GET as listAllocationsRoute, POST as postAllocationRoute } from "@/app/api/v1/quota/allocations/route";
import { POST as checkRoute } from "@/app/api/v1/quota/check/route";
import { GET as reviewRoute } from "@/app/api/v1/quota/review/route";
import type { Principal } from "@/lib/auth/permissions";
import { authenticateRequest } from "@/lib/http/with-route";
import type { AllocationView } from "@/lib/quotas/allocations";
import type { BurstView } from "@/lib/quotas/bursts";
import type { ReviewView } from "@/lib/quotas/review";
import type { CheckResult } from "@/lib/quotas/standing";
import { apiRequest } from "./api-keys";
import { read, routeParams, sessionRequest } from "./users";

/**
 * The quota routes called in-process, as a key, a signed-in user or nobody. Every helper
 * answers {status, body}; the "create…" helpers insist on success and answer the body.
 */

export type QuotaAuth = { key: string } | { cookie: string } | null;

export function quotaRequest(path: string, auth: QuotaAuth, options: { method?: string; body?: unknown } = {}): Request {
  const method = options.method ?? "GET";
  if (auth && "cookie" in auth) return sessionRequest(path, { cookie: auth.cookie, method, body: options.body });
  return apiRequest(path, { method, key: auth?.key, body: options.body });
}

/** The principal withRoute sees for these credentials (for lib calls with a fixed `now`). */
export async function quotaPrincipal(auth: { key: string } | { cookie: string }): Promise<Principal> {
  return authenticateRequest(quotaRequest("/api/v1/quota/allocations", auth));
}

const query = (params: Record<string, string | undefined>) => {
  const search = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  return search ? `?${search}` : "";
};

export async function postAllocation(auth: QuotaAuth, body: unknown) {
  return read<AllocationView>(await postAllocationRoute(quotaRequest("/api/v1/quota/allocations", auth, { method: "POST", body })));
}

export async function createAllocation(auth: QuotaAuth, body: Record<string, unknown>): Promise<AllocationView> {
  const { status, body: allocation } = await postAllocation(auth, { period: "month", ...body });
  if (status !== 201 && status !== 200) throw new Error(`allocation not set: ${status} ${JSON.stringify(allocation)}`);
  return allocation;
}

export async function listAllocations(auth: QuotaAuth, params: { team?: string } = {}) {
  return read<{ allocations: AllocationView[] }>(await listAllocationsRoute(quotaRequest(`/api/v1/quota/allocations${query(params)}`, auth)));
}

export async function getAllocation(auth: QuotaAuth, id: string) {
  return read<AllocationView>(await getAllocationRoute(quotaRequest(`/api/v1/quota/allocations/${id}`, auth), routeParams({ id })));
}

export async function patchAllocation(auth: QuotaAuth, id: string, body: unknown) {
  return read<AllocationView>(
    await patchAllocationRoute(quotaRequest(`/api/v1/quota/allocations/${id}`, auth, { method: "PATCH", body }), routeParams({ id })),
  );
}

export async function deleteAllocation(auth: QuotaAuth, id: string) {
  return read<{ id: string; deleted: boolean }>(
    await deleteAllocationRoute(quotaRequest(`/api/v1/quota/allocations/${id}`, auth, { method: "DELETE" }), routeParams({ id })),
  );
}

const HOUR_MS = 3_600_000;

/** A valid burst request body for `team`: from an hour ago for a day (relative to the real clock). */
export function burstBody(team: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Date.now();
  return {
    team,
    amount: "50",
    starts_at: new Date(now - HOUR_MS).toISOString(),
    ends_at: new Date(now + 24 * HOUR_MS).toISOString(),
    reason: "Launch week traffic",
    ...overrides,
  };
}

export async function postBurst(auth: QuotaAuth, body: unknown) {
  return read<BurstView>(await postRequestRoute(quotaRequest("/api/v1/quota/requests", auth, { method: "POST", body })));
}

export async function fileBurst(auth: QuotaAuth, team: string, overrides: Record<string, unknown> = {}): Promise<BurstView> {
  const { status, body } = await postBurst(auth, burstBody(team, overrides));
  if (status !== 201) throw new Error(`burst request not filed: ${status} ${JSON.stringify(body)}`);
  return body;
}

export async function listBursts(auth: QuotaAuth, params: { status?: string; team?: string } = {}) {
  return read<{ requests: BurstView[] }>(await listRequestsRoute(quotaRequest(`/api/v1/quota/requests${query(params)}`, auth)));
}

export async function getBurst(auth: QuotaAuth, id: string) {
  return read<BurstView>(await getRequestRoute(quotaRequest(`/api/v1/quota/requests/${id}`, auth), routeParams({ id })));
}

const DECISIONS = { approve: approveRoute, reject: rejectRoute, cancel: cancelRoute } as const;

/** POST …/{id}/approve | reject | cancel; `body` undefined sends no body at all. */
export async function decide(auth: QuotaAuth, id: string, decision: keyof typeof DECISIONS, body?: unknown) {
  const path = `/api/v1/quota/requests/${id}/${decision}`;
  return read<BurstView>(await DECISIONS[decision](quotaRequest(path, auth, { method: "POST", body }), routeParams({ id })));
}

export async function approveBurst(auth: QuotaAuth, id: string, body: Record<string, unknown> = {}): Promise<BurstView> {
  const { status, body: request } = await decide(auth, id, "approve", body);
  if (status !== 200) throw new Error(`not approved: ${status} ${JSON.stringify(request)}`);
  return request;
}

export async function check(auth: QuotaAuth, body: unknown) {
  return read<CheckResult>(await checkRoute(quotaRequest("/api/v1/quota/check", auth, { method: "POST", body })));
}

export async function getReview(auth: QuotaAuth, month?: string) {
  return read<ReviewView>(await reviewRoute(quotaRequest(`/api/v1/quota/review${query({ month })}`, auth)));
}

/** The current UTC month's start, and an instant in the current hour (always inside this period so far). */
export function thisPeriod(now = new Date()): { start: Date; inThisHour: string; lastMonth: string } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return { start, inThisHour: now.toISOString(), lastMonth: new Date(start.getTime() - 1).toISOString() };
}
