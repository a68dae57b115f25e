import { context, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OTLPProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { CompressionAlgorithm } from "@opentelemetry/otlp-exporter-base";
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

// The exporter the Collector-less Node setups use by default: protobuf, and here gzip as the
// Collector and the Python exporter send it. Conventions other than the current semconv ride along.
describe("POST /api/v1/otlp/v1/traces with the protobuf exporter and gzip", () => {
  it("stores OpenInference and Vercel AI SDK spans, normalized and priced, and ignores the SDK's wrapper span", async () => {
    const key = createKeyWithCli("ingest");
    const exporter = new OTLPProtoTraceExporter({
      url: `${inject("baseUrl")}/api/v1/otlp/v1/traces`,
      headers: { Authorization: `Bearer ${key}` },
      compression: CompressionAlgorithm.GZIP,
    });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "answers", "burnrate.environment": "production" }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer("e2e-proto");
    const started = new Date("2026-11-21T09:00:00.000Z");

    // OpenInference (no gen_ai.* at all).
    const inference = tracer.startSpan("ChatCompletion", {
      startTime: started,
      attributes: {
        "openinference.span.kind": "LLM",
        "llm.provider": "openai",
        "llm.system": "openai",
        "llm.model_name": "gpt-4o-mini",
        "llm.token_count.prompt": 2000,
        "llm.token_count.completion": 150,
        "llm.token_count.prompt_details.cache_read": 1500,
        "burnrate.team": "proto-team",
      },
    });
    inference.end(new Date(started.getTime() + 400));

    // Vercel AI SDK 5: the wrapper repeats the usage under ai.* and must not count; the inner span is the call.
    const wrapper = tracer.startSpan("ai.streamText", {
      startTime: started,
      attributes: {
        "ai.model.provider": "openai.chat",
        "ai.model.id": "gpt-4o-mini",
        "ai.usage.inputTokens": 1000,
        "ai.usage.outputTokens": 50,
        "ai.usage.cachedInputTokens": 800,
        "ai.telemetry.metadata.team": "proto-team",
        "ai.telemetry.functionId": "answer",
      },
    });
    const call = tracer.startSpan(
      "ai.streamText.doStream",
      {
        startTime: started,
        attributes: {
          "ai.model.provider": "openai.chat",
          "gen_ai.system": "openai.chat",
          "gen_ai.request.model": "gpt-4o-mini",
          "gen_ai.usage.input_tokens": 1000,
          "gen_ai.usage.output_tokens": 50,
          "ai.usage.cachedInputTokens": 800,
          "ai.telemetry.metadata.team": "proto-team",
          "ai.telemetry.functionId": "answer",
        },
      },
      trace.setSpan(context.active(), wrapper),
    );
    call.end(new Date(started.getTime() + 900));
    wrapper.end(new Date(started.getTime() + 950));
    await provider.forceFlush();
    await provider.shutdown();

    const traceIds = [inference.spanContext().traceId, call.spanContext().traceId];
    const rows = await queryAppDatabase<{
      id: string; provider: string; provider_as_sent: string | null; input_tokens: number; cache_read_input_tokens: number;
      team: string; feature: string | null; environment: string; pricing_state: string;
    }>("SELECT * FROM usage_events WHERE trace_id = ANY($1) ORDER BY input_tokens DESC", [traceIds]);
    expect(rows.map((r) => [r.id.slice(32), r.provider, r.provider_as_sent, r.input_tokens, r.cache_read_input_tokens, r.team, r.feature, r.environment, r.pricing_state])).toEqual([
      [inference.spanContext().spanId, "openai", null, 2000, 1500, "proto-team", null, "production", "priced"],
      [call.spanContext().spanId, "openai", "openai.chat", 1000, 800, "proto-team", "answer", "production", "priced"],
    ]);
  });
});
