import "server-only";
import type pg from "pg";
import type { Logger } from "pino";
import { pruneIngestReceipts } from "@/lib/ingestion/ingest-receipts";
import { applyEventRetention, ensureEventPartitionsAhead } from "./partitions";

/**
 * The raw-event lifecycle, run by the server (scripts/start.ts) at start and every
 * MAINTENANCE_INTERVAL_MS: monthly partitions created ahead, and partitions past
 * BURNRATE_RETENTION_MONTHS dropped, ingest receipts past a day pruned. All are safe with several instances (advisory
 * locks); a failure is logged and retried next time.
 */

export const MAINTENANCE_INTERVAL_MS = 6 * 3_600_000;

export interface DataMaintenance {
  runOnce: () => Promise<void>;
  stop: () => Promise<void>;
}

export function startDataMaintenance(options: { pool: () => pg.Pool; retentionMonths: number; log: Logger; intervalMs?: number }): DataMaintenance {
  let running: Promise<void> | null = null;
  const run = async () => {
    try {
      const created = await ensureEventPartitionsAhead(options.pool());
      if (created > 0) options.log.info({ created }, "created monthly event partitions ahead");
      const retention = await applyEventRetention(options.pool(), options.retentionMonths);
      if (retention.dropped.length > 0) {
        options.log.info({ dropped: retention.dropped, ids_pruned: retention.idsPruned, cutoff: retention.cutoff }, "retention dropped raw event partitions");
      }
      await pruneIngestReceipts(options.pool());
    } catch (error) {
      options.log.error({ err: error }, "event partition maintenance failed (retried later)");
    }
  };
  const runOnce = () => (running ??= run().finally(() => (running = null)));
  const timer = setInterval(() => void runOnce(), options.intervalMs ?? MAINTENANCE_INTERVAL_MS);
  timer.unref();
  return {
    runOnce,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
