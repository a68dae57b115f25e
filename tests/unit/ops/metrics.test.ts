import { describe, expect, it } from "vitest";
import {
  metrics,
  recordAlertDelivery,
  recordRollupFold,
  recordAlertEvaluation,
  recordIngest,
  recordQuotaCheck,
  recordQuotaDecision,
  REJECT_REASONS,
  rejectReason,
  scrapeMetrics,
} from "@/lib/ops/metrics";

/** One series' value in the exposition text (0 when absent); labels in the order prom-client prints them. */
async function value(series: string): Promise<number> {
  const { body } = await scrapeMetrics();
  const line = body.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe("the registry", () => {
  it("is created once per process and kept on globalThis", () => {
    expect(metrics()).toBe(metrics());
    expect((globalThis as { burnrateMetrics?: unknown }).burnrateMetrics).toBe(metrics());
  });

  it("exposes the Prometheus text format 0.0.4, with default process metrics prefixed", async () => {
    const { contentType, body } = await scrapeMetrics();
    expect(contentType).toBe("text/plain; version=0.0.4; charset=utf-8");
    expect(body).toContain("# TYPE burnrate_process_cpu_seconds_total counter");
    expect(body).toContain("# TYPE burnrate_nodejs_eventloop_lag_p99_seconds gauge");
    expect(body).toContain("# TYPE burnrate_ingest_batch_duration_seconds histogram");
  });

  it("starts the fixed-label counters at 0", async () => {
    const { body } = await scrapeMetrics();
    for (const series of [
      'burnrate_events_ingested_total{kind="otlp"} 0',
      'burnrate_events_duplicate_total{kind="outcome"} 0',
      'burnrate_quota_checks_total{result="no_allocation"} 0',
      'burnrate_quota_decisions_total{decision="expire"} 0',
      'burnrate_alert_evaluations_total{outcome="error"} 0',
      'burnrate_rollup_folds_total{outcome="error"} 0',
    ]) {
      expect(body.split("\n")).toContain(series);
    }
  });

  it("reports a pool of 0 connections when this process has none, without creating one", async () => {
    expect((globalThis as { burnrateDb?: unknown }).burnrateDb).toBeUndefined();
    expect(await value('burnrate_db_pool_connections{state="total"}')).toBe(0);
    expect(await value('burnrate_db_pool_connections{state="idle"}')).toBe(0);
    expect(await value('burnrate_db_pool_connections{state="waiting"}')).toBe(0);
    expect((globalThis as { burnrateDb?: unknown }).burnrateDb).toBeUndefined();
  });

  it("reads the pool lib/db.ts keeps on globalThis at scrape time", async () => {
    const holder = globalThis as { burnrateDb?: unknown };
    holder.burnrateDb = { pool: { totalCount: 7, idleCount: 5, waitingCount: 2 } };
    try {
      expect(await value('burnrate_db_pool_connections{state="total"}')).toBe(7);
      expect(await value('burnrate_db_pool_connections{state="idle"}')).toBe(5);
      expect(await value('burnrate_db_pool_connections{state="waiting"}')).toBe(2);
    } finally {
      holder.burnrateDb = undefined;
    }
  });
});

describe("rejectReason", () => {
  it.each([
    [{ path: "", message: "the event is 40000 bytes; at most 32768 bytes per event" }, "too_large"],
    [{ path: "", message: "the outcome is 40000 bytes; at most 32768" }, "too_large"],
    [{ path: "", message: "an event must be a JSON object" }, "not_an_object"],
    [{ path: "timestamp", message: "must be an RFC 3339 timestamp with a time zone" }, "invalid_timestamp"],
    [{ path: "openai_usage.prompt_tokens_details.cached_tokens", message: "x" }, "invalid_usage"],
    [{ path: "anthropic_usage", message: "x" }, "invalid_usage"],
    [{ path: "tags.team", message: "tag values are at most 256 characters" }, "invalid_tags"],
    [{ path: "success", message: "x" }, "invalid_success"],
    [{ path: "latency_ms", message: "must be an integer >= 0" }, "invalid_field"],
    [{ path: "some.field.a.client.invented", message: "x" }, "invalid_field"],
  ])("maps %j to %s", (error, reason) => {
    expect(rejectReason(error)).toBe(reason);
    expect(REJECT_REASONS).toContain(reason);
  });
});

describe("recording", () => {
  it("counts one ingest request exactly: items by outcome, rejections by reason, one histogram observation", async () => {
    const before = {
      ingested: await value('burnrate_events_ingested_total{kind="outcome"}'),
      duplicate: await value('burnrate_events_duplicate_total{kind="outcome"}'),
      unpriced: await value('burnrate_events_unpriced_total{kind="outcome"}'),
      tooLarge: await value('burnrate_events_rejected_total{kind="outcome",reason="too_large"}'),
      type: await value('burnrate_events_rejected_total{kind="outcome",reason="invalid_type"}'),
      count: await value('burnrate_ingest_batch_duration_seconds_count{kind="outcome"}'),
      fast: await value('burnrate_ingest_batch_duration_seconds_bucket{le="0.005",kind="outcome"}'),
    };
    recordIngest("outcome", { accepted: 3, duplicates: 2, unpriced: 1, rejections: ["too_large", "invalid_type", "invalid_type"] }, 0.004);
    expect(await value('burnrate_events_ingested_total{kind="outcome"}')).toBe(before.ingested + 3);
    expect(await value('burnrate_events_duplicate_total{kind="outcome"}')).toBe(before.duplicate + 2);
    expect(await value('burnrate_events_unpriced_total{kind="outcome"}')).toBe(before.unpriced + 1);
    expect(await value('burnrate_events_rejected_total{kind="outcome",reason="too_large"}')).toBe(before.tooLarge + 1);
    expect(await value('burnrate_events_rejected_total{kind="outcome",reason="invalid_type"}')).toBe(before.type + 2);
    expect(await value('burnrate_ingest_batch_duration_seconds_count{kind="outcome"}')).toBe(before.count + 1);
    expect(await value('burnrate_ingest_batch_duration_seconds_bucket{le="0.005",kind="outcome"}')).toBe(before.fast + 1);
  });

  it("counts quota checks by result through the pre-bound children", async () => {
    const series = (result: string) => `burnrate_quota_checks_total{result="${result}"}`;
    const before = [await value(series("allowed")), await value(series("refused")), await value(series("no_allocation"))];
    recordQuotaCheck({ allowed: true, reason: "within limit" });
    recordQuotaCheck({ allowed: false, reason: "limit reached" });
    recordQuotaCheck({ allowed: false, reason: "estimate exceeds remaining" });
    recordQuotaCheck({ allowed: true, reason: "no allocation" });
    recordQuotaCheck({ allowed: true, reason: "no allocation" });
    const after = [await value(series("allowed")), await value(series("refused")), await value(series("no_allocation"))];
    expect(after.map((v, i) => v - (before[i] ?? 0))).toEqual([1, 2, 2]);
  });

  it("counts decisions, evaluations, alerts and deliveries with their labels", async () => {
    const before = {
      expire: await value('burnrate_quota_decisions_total{decision="expire"}'),
      ok: await value('burnrate_alert_evaluations_total{outcome="ok"}'),
    };
    recordQuotaDecision("expire", 3);
    recordQuotaDecision("expire", 0);
    recordAlertEvaluation("ok", { fired: [{ type: "spend.spike" }, { type: "spend.spike" }], resolved: [{ type: "budget.threshold" }] });
    recordAlertDelivery("slack", "retry");
    recordRollupFold("error");
    recordRollupFold("folded");
    recordRollupFold("folded");
    expect(await value('burnrate_rollup_folds_total{outcome="error"}')).toBe(1);
    expect(await value('burnrate_rollup_folds_total{outcome="folded"}')).toBe(2);
    expect(await value('burnrate_quota_decisions_total{decision="expire"}')).toBe(before.expire + 3);
    expect(await value('burnrate_alert_evaluations_total{outcome="ok"}')).toBe(before.ok + 1);
    expect(await value('burnrate_alerts_fired_total{type="spend.spike"}')).toBe(2);
    expect(await value('burnrate_alerts_resolved_total{type="budget.threshold"}')).toBe(1);
    expect(await value('burnrate_alert_deliveries_total{channel_type="slack",outcome="retry"}')).toBe(1);
  });
});
