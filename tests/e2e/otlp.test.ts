import { context, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { describe, expect, inject, it } from "vitest";
import { queryAppDatabase } from "./app-database";
import { createKeyWithCli } from "./cli";

// Spans made by the real OpenTelemetry SDK and exported by its OTLP/HTTP (JSON) exporter
// to the running app become usage events.
describe("POST /api/v1/otlp/v1/traces with the OpenTelemetry SDK", () => {
  it("stores gen_ai spans as priced usage events and ignores other spans", async () => {
    const key = createKeyWithCli("ingest");
    const exporter = new OTLPTraceExporter({
      url: `${inject("baseUrl")}/api/v1/otlp/v1/traces`,
      headers: { Authorization: `Bearer ${key}` },
    });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "support-bot", "burnrate.team": "otel-team", "burnrate.environment": "staging" }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer("e2e");

    const workflow = tracer.startSpan("handle ticket");
    const started = new Date("2026-11-20T08:00:00.123Z");
    const chat = tracer.startSpan(
      "chat gpt-4o-mini",
      {
        startTime: started,
        attributes: {
          "gen_ai.provider.name": "openai",
          "gen_ai.operation.name": "chat",
          "gen_ai.request.model": "gpt-4o-mini",
          "gen_ai.response.model": "gpt-4o-mini",
          "gen_ai.usage.input_tokens": 1200,
          "gen_ai.usage.output_tokens": 300,
          "gen_ai.usage.cache_read.input_tokens": 1000,
          "burnrate.feature": "ticket-triage",
        },
      },
      trace.setSpan(context.active(), workflow),
    );
    chat.end(new Date(started.getTime() + 850));
    workflow.end();
    await provider.forceFlush();
    await provider.shutdown();

    const { traceId, spanId } = chat.spanContext();
    const rows = await queryAppDatabase<{
      id: string; occurred_at: Date; input_tokens: number; output_tokens: number; cache_read_input_tokens: number;
      team: string; feature: string; environment: string; trace_id: string; latency_ms: number; pricing_state: string;
    }>("SELECT * FROM usage_events WHERE trace_id = $1", [traceId]);
    expect(rows).toHaveLength(1); // the workflow span carries no gen_ai attributes
    const row = rows[0];
    expect(row).toMatchObject({
      id: `${traceId}${spanId}`,
      input_tokens: 1200,
      output_tokens: 300,
      cache_read_input_tokens: 1000,
      team: "otel-team",
      feature: "ticket-triage",
      environment: "staging",
      latency_ms: 850,
    });
    expect(row?.occurred_at.toISOString()).toBe("2026-11-20T08:00:00.123Z");
    // gpt-4o-mini is in the demo catalog, so it is priced.
    expect(row?.pricing_state).toBe("priced");
  });
});
