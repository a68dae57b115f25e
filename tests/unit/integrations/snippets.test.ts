import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { detectResources, envDetector } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import ts from "typescript";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { convertOtlpTraces } from "@/lib/ingestion/otlp";
import { decodeTraceRequest } from "@/lib/ingestion/otlp-protobuf";
import {
  DOCS_SNIPPET_OPTIONS,
  INGEST_PATHS,
  KEY_PLACEHOLDER,
  connectSnippets,
  type ConnectSnippet,
  type SnippetId,
} from "@/lib/integrations/snippets";
import { normalizeUsage } from "@/lib/pricing/normalize-usage";
import { eventSchema, eventsEnvelopeSchema } from "@/lib/schemas/event";

// js-yaml comes with the dev toolchain (ESLint reads its config with it) and ships no types:
// a real YAML parser, so a config that only looks right is caught.
const yaml = createRequire(import.meta.url)("js-yaml") as { load: (text: string) => unknown };

const BASE = "https://burnrate.test:8443";
const KEY = "br_TestKey0123456789abcdefghijklmnopq012345";

function byId(snippets: ConnectSnippet[], id: SnippetId): ConnectSnippet {
  const snippet = snippets.find((s) => s.id === id);
  if (!snippet) throw new Error(`no ${id} snippet`);
  return snippet;
}

function snippet(id: SnippetId, options: Partial<Parameters<typeof connectSnippets>[0]> = {}): ConnectSnippet {
  return byId(connectSnippets({ baseUrl: BASE, key: KEY, ...options }), id);
}

/** `export NAME="value"` lines of a shell snippet. */
function exportedEnv(code: string): Record<string, string> {
  return Object.fromEntries([...code.matchAll(/^export (\w+)="([^"]*)"$/gm)].map((m) => [m[1], m[2]]));
}

/** The JSON a curl snippet sends with --data '…'. */
function curlBody(code: string): unknown {
  const match = /--data '([^']*)'$/.exec(code);
  if (!match?.[1]) throw new Error("no --data '…' in the curl snippet");
  return JSON.parse(match[1]);
}

type YamlMap = Record<string, unknown>;
const map = (value: unknown): YamlMap => value as YamlMap;

describe("connectSnippets", () => {
  it("lists the senders in order, each with a description and code", () => {
    const snippets = connectSnippets({ baseUrl: BASE, key: KEY });
    expect(snippets.map((s) => s.id)).toEqual(["collector", "python-env", "node-env", "vercel-ai-sdk", "litellm", "curl"]);
    for (const s of snippets) {
      expect(s.title).not.toBe("");
      expect(s.description.length).toBeGreaterThan(40);
      expect(s.code).toContain(KEY);
      expect(s.code).not.toContain(KEY_PLACEHOLDER);
    }
  });

  it("puts the placeholder where the key goes when there is no key, and drops a trailing slash of the base", () => {
    for (const s of connectSnippets({ baseUrl: `${BASE}/`, key: null })) {
      expect(s.code, s.id).toContain(KEY_PLACEHOLDER);
      expect(s.code, s.id).not.toContain("null");
      expect(s.code, s.id).not.toContain(`${BASE}//`);
      expect(s.code, s.id).toContain(`${BASE}/api/v1/`);
    }
  });

  it("names each snippet's endpoint and the Authorization header in its own syntax", () => {
    const expected: Record<SnippetId, string[]> = {
      collector: [`endpoint: ${BASE}/api/v1/otlp\n`, `Authorization: "Bearer ${KEY}"`],
      "python-env": [
        `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="${BASE}/api/v1/otlp/v1/traces"`,
        `OTEL_EXPORTER_OTLP_TRACES_HEADERS="Authorization=Bearer%20${KEY}"`,
      ],
      "node-env": [
        `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="${BASE}/api/v1/otlp/v1/traces"`,
        `OTEL_EXPORTER_OTLP_TRACES_HEADERS="Authorization=Bearer%20${KEY}"`,
      ],
      "vercel-ai-sdk": [
        `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${BASE}/api/v1/otlp/v1/traces\n`,
        `OTEL_EXPORTER_OTLP_TRACES_HEADERS=Authorization=Bearer%20${KEY}\n`,
      ],
      litellm: [`endpoint: ${BASE}/api/v1/integrations/litellm\n`, `Authorization: "Bearer ${KEY}"`],
      curl: [`curl -sS "${BASE}/api/v1/events"`, `-H "Authorization: Bearer ${KEY}"`],
    };
    for (const s of connectSnippets({ baseUrl: BASE, key: KEY })) {
      for (const text of expected[s.id]) expect(s.code, s.id).toContain(text);
    }
    expect(connectSnippets({ baseUrl: BASE, key: KEY }).map((s) => s.source)).toEqual(["otlp", "otlp", "otlp", "otlp", "litellm", "events"]);
  });
});

describe("the OpenTelemetry Collector snippet", () => {
  it("is a Collector config whose otlphttp exporter reaches Burnrate's traces endpoint with the key", () => {
    const config = map(yaml.load(snippet("collector").code));
    const exporter = map(map(config.exporters)["otlphttp/burnrate"]);
    // The exporter's composeSignalURL: endpoint + "/v1/traces".
    expect(`${String(exporter.endpoint)}/v1/traces`).toBe(`${BASE}${INGEST_PATHS.otlpTraces}`);
    expect(exporter.headers).toEqual({ Authorization: `Bearer ${KEY}` });
    // Defaults (proto, gzip) are what the receiver accepts: nothing overrides them.
    expect(exporter.encoding).toBeUndefined();
    expect(exporter.compression).toBeUndefined();
    const traces = map(map(map(config.service).pipelines).traces);
    expect(traces.exporters).toEqual(["otlphttp/burnrate"]);
    for (const receiver of traces.receivers as string[]) expect(map(config.receivers)[receiver]).toBeDefined();
    for (const processor of traces.processors as string[]) expect(map(config.processors)[processor]).toBeDefined();
  });
});

/** Exports one GenAI span with the OpenTelemetry JS SDK configured only by `env`, to a local server. */
async function exportWithEnv(env: Record<string, string>, server: CapturingServer) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const exporter = new OTLPTraceExporter();
  const resource = detectResources({ detectors: [envDetector] });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const span = provider.getTracer("snippet-test").startSpan("chat gpt-4o-mini", {
    attributes: {
      "gen_ai.system": "openai",
      "gen_ai.request.model": "gpt-4o-mini",
      "gen_ai.usage.input_tokens": 1200,
      "gen_ai.usage.output_tokens": 300,
    },
  });
  span.end();
  await provider.forceFlush();
  await provider.shutdown();
  const request = server.requests.at(-1);
  if (!request) throw new Error("the exporter sent nothing");
  return request;
}

interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

interface CapturingServer {
  server: Server;
  origin: string;
  requests: CapturedRequest[];
}

describe("the Python and Node SDK environment snippets", () => {
  let capture: CapturingServer;

  beforeAll(async () => {
    const requests: CapturedRequest[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body: Buffer.concat(chunks) });
        response.writeHead(200, { "content-type": "application/x-protobuf" });
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    capture = { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  afterAll(async () => {
    await new Promise((resolve) => capture.server.close(resolve));
  });

  for (const id of ["python-env", "node-env"] as const) {
    it(`${id}: an OTLP exporter configured by its variables posts protobuf to the traces endpoint with the key, tagged by the resource attributes`, async () => {
      // The variables are the OTLP exporter spec's, which the Python SDK reads the same way; the JS SDK runs here.
      const env = exportedEnv(snippet(id, { baseUrl: capture.origin }).code);
      expect(Object.keys(env).sort()).toEqual([
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_RESOURCE_ATTRIBUTES",
        "OTEL_SERVICE_NAME",
      ]);
      expect(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL).toBe("http/protobuf");

      const request = await exportWithEnv(env, capture);
      expect(request.method).toBe("POST");
      expect(request.url).toBe(INGEST_PATHS.otlpTraces);
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(request.headers["content-type"]).toBe("application/x-protobuf");
      const bytes = request.headers["content-encoding"] === "gzip" ? gunzipSync(request.body) : request.body;

      const { events, rejected } = convertOtlpTraces(decodeTraceRequest(bytes));
      expect(rejected).toEqual([]);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        provider: "openai",
        model: "gpt-4o-mini",
        usage: { input_tokens: 1200, output_tokens: 300 },
        tags: { team: "search", feature: "answer", environment: "prod" },
      });
    });
  }
});

describe("the Vercel AI SDK snippet", () => {
  it("is valid TypeScript with experimental_telemetry on, a functionId and metadata {team, feature}", () => {
    const code = snippet("vercel-ai-sdk").code;
    const output = ts.transpileModule(code, {
      reportDiagnostics: true,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    expect(output.diagnostics ?? []).toEqual([]);
    expect(code).toContain('import { registerOTel } from "@vercel/otel";');
    expect(code).toMatch(/experimental_telemetry: \{\n\s+isEnabled: true,\n\s+functionId: "answer-question",\n\s+metadata: \{ team: "search", feature: "answer" \},/);
  });

  it("its metadata becomes Burnrate tags on the SDK's model-call span", () => {
    const code = snippet("vercel-ai-sdk").code;
    const metadata = Object.fromEntries([...(/metadata: \{([^}]*)\}/.exec(code)?.[1] ?? "").matchAll(/(\w+): "([^"]*)"/g)].map((m) => [m[1] ?? "", m[2] ?? ""]));
    const functionId = /functionId: "([^"]+)"/.exec(code)?.[1] ?? "";
    const attribute = (key: string, value: string | number) => ({
      key,
      value: typeof value === "number" ? { intValue: String(value) } : { stringValue: value },
    });
    const span = (name: string, spanId: string, usage: boolean) => ({
      traceId: "169b80908a6577fae5798d00401cf4d3",
      spanId,
      name,
      startTimeUnixNano: "1795170000012000000",
      endTimeUnixNano: "1795170002080000000",
      attributes: [
        attribute("ai.telemetry.functionId", functionId),
        ...Object.entries(metadata).map(([key, value]) => attribute(`ai.telemetry.metadata.${key}`, value)),
        attribute("ai.usage.promptTokens", 2000),
        attribute("ai.usage.completionTokens", 180),
        ...(usage
          ? [
              attribute("gen_ai.system", "openai.chat"),
              attribute("gen_ai.request.model", "gpt-4o-mini"),
              attribute("gen_ai.usage.input_tokens", 2000),
              attribute("gen_ai.usage.output_tokens", 180),
            ]
          : []),
      ],
    });
    const { events } = convertOtlpTraces({
      resourceSpans: [{ scopeSpans: [{ spans: [span("ai.generateText", "0d2c6ac8d1573ea7", false), span("ai.generateText.doGenerate", "c33b7ef535ef47f5", true)] }] }],
    });
    expect(events).toHaveLength(1); // the outer ai.generateText span is not a call
    expect(events[0]?.tags).toEqual({ team: "search", feature: "answer" });
  });
});

describe("the LiteLLM snippet", () => {
  it("is a proxy config with a named generic_api callback carrying the endpoint, the headers LiteLLM requires and json_array", () => {
    const config = map(yaml.load(snippet("litellm").code));
    expect(map(config.litellm_settings).callbacks).toEqual(["burnrate"]);
    const callback = map(map(config.callback_settings).burnrate);
    expect(callback).toEqual({
      callback_type: "generic_api",
      endpoint: `${BASE}${INGEST_PATHS.litellm}`,
      headers: { Authorization: `Bearer ${KEY}` },
      log_format: "json_array",
    });
    expect(Array.isArray(config.model_list)).toBe(true);
  });

  it("its environment-variable form gives the same header as LiteLLM parses GENERIC_LOGGER_HEADERS", () => {
    const code = snippet("litellm").code;
    expect(code).toContain(`GENERIC_LOGGER_ENDPOINT=${BASE}${INGEST_PATHS.litellm}\n`);
    const raw = /GENERIC_LOGGER_HEADERS="([^"]*)"/.exec(code)?.[1] ?? "";
    // GenericAPILogger: split on ",", then on the first "=", both sides stripped, no URL-decoding.
    const headers = Object.fromEntries(
      raw.split(",").map((pair) => {
        const at = pair.indexOf("=");
        return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      }),
    );
    expect(headers).toEqual({ Authorization: `Bearer ${KEY}` });
  });
});

describe("the curl snippet", () => {
  it("posts one event that the events API accepts: the envelope, the event schema and the usage all validate", () => {
    const body = curlBody(snippet("curl").code);
    const envelope = eventsEnvelopeSchema.safeParse(body);
    expect(envelope.success).toBe(true);
    const events = (body as { events: unknown[] }).events;
    expect(events).toHaveLength(1);
    const parsed = eventSchema.safeParse(events[0]);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    if (!parsed.success) return;
    expect(normalizeUsage(parsed.data)).toMatchObject({ ok: true, usage: { inputTokens: 1200, outputTokens: 300 } });
    expect(parsed.data.tags).toEqual({ team: "search", feature: "answer", environment: "dev" });
  });

  it("makes a fresh id at every call and stamps it now, unless given both", () => {
    const before = Date.now();
    const first = curlBody(snippet("curl").code) as { events: { id: string; timestamp: string }[] };
    const second = curlBody(snippet("curl").code) as { events: { id: string; timestamp: string }[] };
    const [a, b] = [first.events[0], second.events[0]];
    expect(a?.id).not.toBe(b?.id);
    expect(a?.id).toMatch(/^connect-[0-9a-f]{24}$/);
    const at = Date.parse(a?.timestamp ?? "");
    expect(at).toBeGreaterThanOrEqual(before - 1);
    expect(at).toBeLessThanOrEqual(Date.now() + 1);

    const fixed = curlBody(snippet("curl", { eventId: "evt-1", timestamp: new Date("2026-12-01T00:00:00Z") }).code) as {
      events: { id: string; timestamp: string }[];
    };
    expect(fixed.events[0]).toMatchObject({ id: "evt-1", timestamp: "2026-12-01T00:00:00.000Z" });
  });

  it("is one shell command: every line but the last continues, and the body has no single quote", () => {
    const lines = snippet("curl").code.split("\n");
    const commandLines = lines.slice(0, 3);
    for (const line of commandLines) expect(line.endsWith(" \\")).toBe(true);
    expect(lines[3]?.startsWith("  --data '")).toBe(true);
    expect(lines.at(-1)?.endsWith("'")).toBe(true);
    expect(JSON.stringify(curlBody(snippet("curl").code))).not.toContain("'");
  });
});

describe("docs/INTEGRATIONS.md", () => {
  const docs = readFileSync("docs/INTEGRATIONS.md", "utf8");

  it("holds every snippet exactly as generated for https://burnrate.example.com and <YOUR_INGEST_KEY>, fenced in its language", () => {
    expect(DOCS_SNIPPET_OPTIONS.baseUrl).toBe("https://burnrate.example.com");
    expect(DOCS_SNIPPET_OPTIONS.key).toBeNull();
    for (const s of connectSnippets(DOCS_SNIPPET_OPTIONS)) {
      expect(docs, `${s.id} drifted: regenerate it from lib/integrations/snippets.ts`).toContain(`\`\`\`${s.language}\n${s.code}\n\`\`\`\n`);
    }
  });

  it("covers what Burnrate reads, the provider rule, the known gaps and how to check arrival", () => {
    for (const text of [
      "gen_ai.usage.cache_read.input_tokens",
      "ai.telemetry.metadata.<key>",
      "user_api_key_team_alias",
      "azure_openai",
      "Vercel AI SDK 5",
      "metadata.usage_object",
      "drops a batch on a non-2xx answer",
      "GET /api/v1/integrations/activity",
      "Arrivals",
    ]) {
      expect(docs).toContain(text);
    }
  });
});
