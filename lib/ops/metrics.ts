import "server-only";
import type pg from "pg";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { replicaStatus } from "@/lib/db/read-routing";

/**
 * The process's Prometheus metrics (GET /api/metrics). One Registry and one set of metric
 * objects per process, created on first use and kept on globalThis: the route bundles and
 * the custom server (scripts/start.ts, lib/quotas/check-server.ts) load their own copies of
 * lib/, and prom-client refuses a second metric of the same name in a registry.
 *
 * Label values come from fixed sets only (kinds, reasons, outcomes, alert types, channel
 * types), so the number of series stays bounded whatever clients send.
 */

export const METRIC_PREFIX = "burnrate_";

export const INGEST_KINDS = ["usage", "outcome", "otlp", "litellm"] as const;
export type IngestKind = (typeof INGEST_KINDS)[number];

/**
 * Why an item of a batch was rejected. Schema failures are named by the field the first
 * error is about; anything unforeseen is "invalid_field" rather than a new label value.
 */
export const REJECT_REASONS = [
  "too_large",
  "not_an_object",
  "team_not_allowed",
  "invalid_span",
  "invalid_id",
  "invalid_timestamp",
  "invalid_provider",
  "invalid_model",
  "invalid_usage",
  "invalid_tags",
  "invalid_trace_id",
  "invalid_type",
  "invalid_success",
  "invalid_value",
  "invalid_json",
  "invalid_field",
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

const FIELD_REASONS: Record<string, RejectReason> = {
  id: "invalid_id",
  timestamp: "invalid_timestamp",
  provider: "invalid_provider",
  model: "invalid_model",
  usage: "invalid_usage",
  openai_usage: "invalid_usage",
  anthropic_usage: "invalid_usage",
  tags: "invalid_tags",
  trace_id: "invalid_trace_id",
  type: "invalid_type",
  success: "invalid_success",
  value: "invalid_value",
};

/**
 * The reason of a rejected event or outcome from its first error (lib/ingestion/prepare-event.ts,
 * lib/ingestion/ingest-outcomes.ts): errors about the item as a whole have an empty path,
 * and are either the size cap ("… bytes") or not being a JSON object.
 */
export function rejectReason(error: { path: string; message: string }): RejectReason {
  if (error.path === "") return /\bbytes\b/.test(error.message) ? "too_large" : "not_an_object";
  const field = error.path.split(".", 1)[0] ?? "";
  return FIELD_REASONS[field] ?? "invalid_field";
}

export const QUOTA_CHECK_RESULTS = ["allowed", "refused", "no_allocation"] as const;
export const QUOTA_DECISIONS = ["approve", "reject", "cancel", "expire"] as const;
export type QuotaDecision = (typeof QUOTA_DECISIONS)[number];
export const DELIVERY_OUTCOMES = ["sent", "retry", "failed"] as const;
export type DeliveryOutcomeLabel = (typeof DELIVERY_OUTCOMES)[number];
export const POOL_STATES = ["total", "idle", "waiting"] as const;

/** 1 ms to 5 s: a batch of 1,000 events commits in tens of milliseconds when all is well. */
export const INGEST_BATCH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

type QuotaCheckChildren = Record<(typeof QUOTA_CHECK_RESULTS)[number], Counter.Internal>;

export interface BurnrateMetrics {
  registry: Registry;
  eventsIngested: Counter<"kind">;
  eventsDuplicate: Counter<"kind">;
  eventsRejected: Counter<"kind" | "reason">;
  eventsUnpriced: Counter<"kind">;
  ingestBatchDuration: Histogram<"kind">;
  alertEvaluations: Counter<"outcome">;
  rollupFolds: Counter<"outcome">;
  alertsFired: Counter<"type">;
  alertsResolved: Counter<"type">;
  alertDeliveries: Counter<"channel_type" | "outcome">;
  quotaChecks: Counter<"result">;
  /** Bound once: the quota check is the hot path (~10k/s), no label object per call. */
  quotaCheckResults: QuotaCheckChildren;
  quotaDecisions: Counter<"decision">;
  dbPoolConnections: Gauge<"state">;
  replicaLag: Gauge;
  replicaFallback: Gauge;
}

/**
 * lib/db.ts keeps its pool on globalThis.burnrateDb and creates it on first getPool(): read
 * it from there so a scrape never opens a pool (or fails without DATABASE_URL) just to report.
 */
function existingPool(): pg.Pool | null {
  return (globalThis as unknown as { burnrateDb?: { pool: pg.Pool } }).burnrateDb?.pool ?? null;
}

function createMetrics(): BurnrateMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  const eventsIngested = new Counter({
    name: "burnrate_events_ingested_total",
    help: "Items stored by ingestion (new ids), by kind: usage (POST /api/v1/events), outcome, otlp (spans).",
    labelNames: ["kind"],
    registers,
  });
  const eventsDuplicate = new Counter({
    name: "burnrate_events_duplicate_total",
    help: "Items not stored because their id was already stored or repeated in the batch.",
    labelNames: ["kind"],
    registers,
  });
  const eventsRejected = new Counter({
    name: "burnrate_events_rejected_total",
    help: "Items rejected by validation, by kind and reason (a fixed set of codes).",
    labelNames: ["kind", "reason"],
    registers,
  });
  const eventsUnpriced = new Counter({
    name: "burnrate_events_unpriced_total",
    help: "Usage events stored unpriced (no price entry for their model at their time), by the kind they came in as.",
    labelNames: ["kind"],
    registers,
  });
  const ingestBatchDuration = new Histogram({
    name: "burnrate_ingest_batch_duration_seconds",
    help: "Time to validate, price and commit one ingested batch (one request), by kind.",
    labelNames: ["kind"],
    buckets: INGEST_BATCH_BUCKETS,
    registers,
  });
  const alertEvaluations = new Counter({
    name: "burnrate_alert_evaluations_total",
    help: "Alert evaluation runs: ok, or error (the run failed, or at least one rule's inputs failed). Runs skipped for another instance's lock are not counted.",
    labelNames: ["outcome"],
    registers,
  });
  const rollupFolds = new Counter({
    name: "burnrate_rollup_folds_total",
    help: "Folds of ingest's pending rollup rows into the rollups (every 2 s): folded, or error. Runs skipped for another instance's lock are not counted.",
    labelNames: ["outcome"],
    registers,
  });
  const alertsFired = new Counter({ name: "burnrate_alerts_fired_total", help: "Alerts fired, by alert type.", labelNames: ["type"], registers });
  const alertsResolved = new Counter({ name: "burnrate_alerts_resolved_total", help: "Alerts resolved, by alert type.", labelNames: ["type"], registers });
  const alertDeliveries = new Counter({
    name: "burnrate_alert_deliveries_total",
    help: "Alert delivery attempts by channel type and outcome: sent, retry (failed, will be retried), failed (for good).",
    labelNames: ["channel_type", "outcome"],
    registers,
  });
  const quotaChecks = new Counter({
    name: "burnrate_quota_checks_total",
    help: "Quota checks answered: allowed, refused, or no_allocation (allowed, no allocation applies).",
    labelNames: ["result"],
    registers,
  });
  const quotaDecisions = new Counter({
    name: "burnrate_quota_decisions_total",
    help: "Burst request decisions: approve, reject, cancel, expire.",
    labelNames: ["decision"],
    registers,
  });
  const dbPoolConnections = new Gauge({
    name: "burnrate_db_pool_connections",
    help: "PostgreSQL pool clients of this process: total (open), idle, waiting (queued for a client).",
    labelNames: ["state"],
    registers,
    collect() {
      const pool = existingPool();
      this.set({ state: "total" }, pool?.totalCount ?? 0);
      this.set({ state: "idle" }, pool?.idleCount ?? 0);
      this.set({ state: "waiting" }, pool?.waitingCount ?? 0);
    },
  });

  // The read replica (lib/db/read-routing.ts), measured at scrape time (a measurement at most 2 s old is reused).
  const replicaLag = new Gauge({
    name: "burnrate_replica_lag_seconds",
    help: "Seconds of data the read replica (DATABASE_READ_URL) has not replayed yet: 0 when caught up, and without a replica; NaN when it cannot be measured (the replica or the primary unreachable).",
    registers,
    async collect() {
      const status = await replicaStatus();
      this.set(status ? (status.lag_seconds ?? Number.NaN) : 0);
    },
  });
  const replicaFallback = new Gauge({
    name: "burnrate_replica_fallback",
    help: "1 while the read replica is unreachable and the dashboards' and reports' reads go to the primary; 0 otherwise, and without a replica.",
    registers,
    async collect() {
      const status = await replicaStatus();
      this.set(status?.reads_from === "primary" ? 1 : 0);
    },
  });

  // Series with a small fixed label set start at 0, so rate() works from the first scrape.
  for (const kind of INGEST_KINDS) {
    eventsIngested.inc({ kind }, 0);
    eventsDuplicate.inc({ kind }, 0);
  }
  for (const outcome of ["ok", "error"]) alertEvaluations.inc({ outcome }, 0);
  for (const outcome of ["folded", "error"]) rollupFolds.inc({ outcome }, 0);
  for (const decision of QUOTA_DECISIONS) quotaDecisions.inc({ decision }, 0);
  const quotaCheckResults = Object.fromEntries(
    QUOTA_CHECK_RESULTS.map((result) => {
      const child = quotaChecks.labels(result);
      child.inc(0);
      return [result, child];
    }),
  ) as QuotaCheckChildren;

  return {
    registry,
    eventsIngested,
    eventsDuplicate,
    eventsRejected,
    eventsUnpriced,
    ingestBatchDuration,
    alertEvaluations,
    rollupFolds,
    alertsFired,
    alertsResolved,
    alertDeliveries,
    quotaChecks,
    quotaCheckResults,
    quotaDecisions,
    dbPoolConnections,
    replicaLag,
    replicaFallback,
  };
}

const globalForMetrics = globalThis as unknown as { burnrateMetrics?: BurnrateMetrics };

export function metrics(): BurnrateMetrics {
  globalForMetrics.burnrateMetrics ??= createMetrics();
  return globalForMetrics.burnrateMetrics;
}

/** The exposition: Prometheus text format 0.0.4. */
export async function scrapeMetrics(): Promise<{ contentType: string; body: string }> {
  const { registry } = metrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}

// ------------------------------------------------------------------ recording (one call per outcome)

export interface IngestTally {
  accepted: number;
  duplicates: number;
  /** Of the accepted, how many were stored unpriced. */
  unpriced: number;
  /** One reason per rejected item. */
  rejections: readonly RejectReason[];
}

/** One ingested request: counts by outcome and its duration. */
export function recordIngest(kind: IngestKind, tally: IngestTally, seconds: number): void {
  const m = metrics();
  if (tally.accepted) m.eventsIngested.inc({ kind }, tally.accepted);
  if (tally.duplicates) m.eventsDuplicate.inc({ kind }, tally.duplicates);
  if (tally.unpriced) m.eventsUnpriced.inc({ kind }, tally.unpriced);
  const byReason = new Map<RejectReason, number>();
  for (const reason of tally.rejections) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
  for (const [reason, count] of byReason) m.eventsRejected.inc({ kind, reason }, count);
  m.ingestBatchDuration.observe({ kind }, seconds);
}

/** Seconds since a process.hrtime.bigint() reading. */
export function secondsSince(startedNs: bigint): number {
  return Number(process.hrtime.bigint() - startedNs) / 1e9;
}

/** A quota check's answer (lib/quotas/standing.ts CheckResult). */
export function recordQuotaCheck(answer: { allowed: boolean; reason: string }): void {
  const children = metrics().quotaCheckResults;
  (answer.reason === "no allocation" ? children.no_allocation : answer.allowed ? children.allowed : children.refused).inc();
}

export function recordQuotaDecision(decision: QuotaDecision, count = 1): void {
  if (count > 0) metrics().quotaDecisions.inc({ decision }, count);
}

/** One evaluation run that was not skipped. */
export function recordAlertEvaluation(
  outcome: "ok" | "error",
  changes: { fired: readonly { type: string }[]; resolved: readonly { type: string }[] } = { fired: [], resolved: [] },
): void {
  const m = metrics();
  m.alertEvaluations.inc({ outcome });
  for (const alert of changes.fired) m.alertsFired.inc({ type: alert.type });
  for (const alert of changes.resolved) m.alertsResolved.inc({ type: alert.type });
}

/**
 * One fold of the pending rollup rows that was not skipped. A failing fold leaves the pending
 * rows growing, and every dashboard read scans them: alert on the error rate.
 */
export function recordRollupFold(outcome: "folded" | "error"): void {
  metrics().rollupFolds.inc({ outcome });
}

export function recordAlertDelivery(channelType: string, outcome: DeliveryOutcomeLabel): void {
  metrics().alertDeliveries.inc({ channel_type: channelType, outcome });
}
