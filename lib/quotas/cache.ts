import "server-only";
import { getPool } from "@/lib/db";
import { loadAllocations, loadApprovedBursts, type RowSource } from "./records";
import { periodToDate, quotaPeriod, type AllocationRecord, type ApprovedBurst, type QuotaSnapshot } from "./standing";
import { usageByTeam } from "./usage";
import { loadBudgetCaps } from "@/lib/budgets/cap-spend";

/**
 * The check's in-memory snapshot (see lib/quotas/check.ts for the staleness rule): every
 * allocation, the approved bursts not yet ended, this period's usage per team and model and
 * the capped budgets with their spend this month,
 * one per app process, stale-while-refreshing, single-flight, invalidated by quota writes.
 */

export const QUOTA_CACHE_REFRESH_MS = 2_000;
export const QUOTA_CACHE_MAX_AGE_MS = 5_000;

/** Reads every allocation, approved burst not yet ended and this period's usage of the teams with an allocation. */
export async function loadQuotaSnapshot(db: RowSource, now: Date): Promise<QuotaSnapshot> {
  const [allocations, bursts, caps] = await Promise.all([loadAllocations(db, null), loadApprovedBursts(db, now, null), loadBudgetCaps(db, now)]);
  const teams = [...new Set(allocations.map((a) => a.team))];
  const usage = await usageByTeam(db, periodToDate(now), teams);
  return buildSnapshot(now, allocations, bursts, usage, caps);
}

export function buildSnapshot(
  now: Date,
  allocations: readonly AllocationRecord[],
  bursts: readonly ApprovedBurst[],
  usage: QuotaSnapshot["usage"],
  caps: QuotaSnapshot["caps"] = [],
): QuotaSnapshot {
  const byTeam: QuotaSnapshot["allocations"] = new Map();
  for (const allocation of allocations) {
    const entry = byTeam.get(allocation.team) ?? { teamWide: null, byModel: new Map<string, AllocationRecord>() };
    if (allocation.model === null) entry.teamWide = allocation;
    else entry.byModel.set(allocation.model, allocation);
    byTeam.set(allocation.team, entry);
  }
  const burstsByTeam: QuotaSnapshot["bursts"] = new Map();
  for (const burst of bursts) burstsByTeam.set(burst.team, [...(burstsByTeam.get(burst.team) ?? []), burst]);
  return { period: quotaPeriod(now), allocations: byTeam, bursts: burstsByTeam, usage, caps };
}

export interface QuotaCacheOptions {
  load?: (now: Date) => Promise<QuotaSnapshot>;
  /** The clock for ages (ms); the snapshot's own `now` comes from the caller. */
  clock?: () => number;
  refreshMs?: number;
  maxAgeMs?: number;
  /** Run after a load, e.g. the expiry sweep; errors are ignored. */
  onLoad?: (now: Date) => Promise<unknown>;
}

/** The snapshot cache: stale-while-refreshing up to maxAgeMs, single-flight loads, invalidation by generation. */
export class QuotaCache {
  private snapshot: { value: QuotaSnapshot; loadedAt: number; generation: number } | null = null;
  private loading: { promise: Promise<QuotaSnapshot>; generation: number; period: number } | null = null;
  private generation = 0;
  /** Loads performed (for tests and the benchmark). */
  loads = 0;
  private readonly load: (now: Date) => Promise<QuotaSnapshot>;
  private readonly clock: () => number;
  private readonly refreshMs: number;
  private readonly maxAgeMs: number;

  constructor(private readonly options: QuotaCacheOptions = {}) {
    this.load = options.load ?? ((now) => loadQuotaSnapshot(getPool(), now));
    this.clock = options.clock ?? Date.now;
    this.refreshMs = options.refreshMs ?? QUOTA_CACHE_REFRESH_MS;
    this.maxAgeMs = options.maxAgeMs ?? QUOTA_CACHE_MAX_AGE_MS;
  }

  /** A snapshot fit for a check at `now`. */
  async get(now: Date): Promise<QuotaSnapshot> {
    return this.peek(now) ?? this.refresh(now);
  }

  /**
   * The cached snapshot when it is fit for a check at `now` (starting a background refresh
   * once it is refreshMs old), else null — without a promise, for the check's hot path.
   */
  peek(now: Date): QuotaSnapshot | null {
    const cached = this.snapshot;
    if (!cached || cached.generation !== this.generation) return null;
    if (cached.value.period.start.getTime() !== quotaPeriod(now).start.getTime()) return null;
    const age = this.clock() - cached.loadedAt;
    if (age >= this.maxAgeMs) return null;
    if (age >= this.refreshMs) this.refresh(now).catch(() => {});
    return cached.value;
  }

  /** Starts a load unless one of the current generation is running; resolves with its snapshot. */
  refresh(now: Date): Promise<QuotaSnapshot> {
    const period = quotaPeriod(now).start.getTime();
    // A load of the previous month (started before midnight UTC on the 1st) is not joined.
    if (this.loading && this.loading.generation === this.generation && this.loading.period === period) return this.loading.promise;
    const entry = { promise: undefined as unknown as Promise<QuotaSnapshot>, generation: this.generation, period };
    const startedAt = this.clock();
    // Set before the load starts, so even a load failing synchronously clears it in `finally`.
    this.loading = entry;
    entry.promise = (async () => {
      try {
        this.loads++;
        const value = await this.load(now);
        if (entry.generation === this.generation) this.snapshot = { value, loadedAt: startedAt, generation: entry.generation };
        if (this.options.onLoad) this.options.onLoad(now).catch(() => {});
        return value;
      } finally {
        if (this.loading === entry) this.loading = null;
      }
    })();
    return entry.promise;
  }

  /** Forget the snapshot: the next check loads afresh (a quota write happened in this process). */
  invalidate(): void {
    this.generation++;
    this.snapshot = null;
  }
}

// One cache per process (kept on globalThis so every route bundle shares it and dev reloads do not duplicate it).
const globalForQuota = globalThis as unknown as { burnrateQuotaCache?: QuotaCache };

/** The process's cache, created on first use with `options` (later calls ignore them). */
export function processQuotaCache(options: QuotaCacheOptions = {}): QuotaCache {
  globalForQuota.burnrateQuotaCache ??= new QuotaCache(options);
  return globalForQuota.burnrateQuotaCache;
}

/** Called by every quota write in this process: the next check reads the new state. */
export function invalidateQuotaCache(): void {
  globalForQuota.burnrateQuotaCache?.invalidate();
}
