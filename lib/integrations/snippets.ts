/**
 * The copyable "how to send us data" snippets of Settings → Connect, and the single source of
 * docs/INTEGRATIONS.md (a unit test checks the document holds each snippet exactly as generated
 * with DOCS_SNIPPET_OPTIONS). Plain TypeScript, no React or Next: the page, the docs test and the
 * browser test all call connectSnippets().
 *
 * Endpoints (shared/contract/api.md): events API, OTLP/HTTP traces, LiteLLM's generic_api callback;
 * all take `Authorization: Bearer <key>` with the `ingest` scope.
 */

export type SnippetId = "collector" | "python-env" | "node-env" | "vercel-ai-sdk" | "litellm" | "curl";

/** Which receiver a snippet's data reaches (the Arrivals panel counts per receiver). */
export type SnippetSource = "events" | "otlp" | "litellm";

export interface ConnectSnippet {
  id: SnippetId;
  title: string;
  language: "yaml" | "bash" | "typescript";
  source: SnippetSource;
  description: string;
  code: string;
}

export interface ConnectSnippetOptions {
  /** The site's origin as senders reach it, e.g. https://burnrate.example.com (a trailing slash is dropped). */
  baseUrl: string;
  /** An ingest key's secret; null puts KEY_PLACEHOLDER in its place. */
  key: string | null;
  /** The curl event's id; default a fresh random one (a repeated id is stored once). */
  eventId?: string;
  /** The curl event's timestamp; default now. */
  timestamp?: string | Date;
}

export const KEY_PLACEHOLDER = "<YOUR_INGEST_KEY>";

/** Paths of the three receivers, below the site's origin. */
export const INGEST_PATHS = {
  events: "/api/v1/events",
  /** OTLP base: an exporter given it appends /v1/traces. */
  otlpBase: "/api/v1/otlp",
  otlpTraces: "/api/v1/otlp/v1/traces",
  litellm: "/api/v1/integrations/litellm",
} as const;

/** The values docs/INTEGRATIONS.md is written with. */
export const DOCS_SNIPPET_OPTIONS = {
  baseUrl: "https://burnrate.example.com",
  key: null,
  eventId: "connect-check-0001",
  timestamp: "2026-12-01T12:00:00.000Z",
} as const satisfies ConnectSnippetOptions;

/** A fresh event id; getRandomValues works on plain-http origins too, where randomUUID does not exist. */
export function newEventId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return `connect-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** The tags every example uses, so the same spend shows up whichever way it is sent. */
const EXAMPLE_TAGS = { team: "search", feature: "answer", environment: "prod" } as const;

/** The curl snippet's request body: one valid usage event of the contract. */
export function curlEventBody(eventId: string, timestamp: string): { events: Record<string, unknown>[] } {
  return {
    events: [
      {
        id: eventId,
        timestamp,
        provider: "openai",
        model: "gpt-4o-mini",
        usage: { input_tokens: 1200, output_tokens: 300 },
        tags: { ...EXAMPLE_TAGS, environment: "dev" },
      },
    ],
  };
}

/** JSON with one field of the event a line and small objects inline: readable in a terminal. */
function curlBodyText(eventId: string, timestamp: string): string {
  const [event] = curlEventBody(eventId, timestamp).events;
  const inline = (value: unknown): string =>
    Array.isArray(value)
      ? `[${value.map(inline).join(", ")}]`
      : value !== null && typeof value === "object"
        ? `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`).join(", ")}}`
        : JSON.stringify(value);
  const fields = Object.entries(event ?? {}).map(([k, v]) => `    ${JSON.stringify(k)}: ${inline(v)}`);
  return `{"events": [{\n${fields.join(",\n")}\n  }]}`;
}

export function connectSnippets(options: ConnectSnippetOptions): ConnectSnippet[] {
  const base = options.baseUrl.replace(/\/+$/, "");
  const key = options.key ?? KEY_PLACEHOLDER;
  const eventId = options.eventId ?? newEventId();
  const timestamp = options.timestamp === undefined ? new Date().toISOString() : typeof options.timestamp === "string" ? options.timestamp : options.timestamp.toISOString();
  const otlpBase = `${base}${INGEST_PATHS.otlpBase}`;
  const otlpTraces = `${base}${INGEST_PATHS.otlpTraces}`;
  const resourceAttributes = `burnrate.team=${EXAMPLE_TAGS.team},burnrate.feature=${EXAMPLE_TAGS.feature},burnrate.environment=${EXAMPLE_TAGS.environment}`;
  // The OTLP header variable is W3C-baggage shaped: values URL-encoded, so the space is %20.
  const sdkEnv = [
    `export OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="${otlpTraces}"`,
    `export OTEL_EXPORTER_OTLP_TRACES_HEADERS="Authorization=Bearer%20${key}"`,
    `export OTEL_EXPORTER_OTLP_TRACES_PROTOCOL="http/protobuf"`,
    `export OTEL_RESOURCE_ATTRIBUTES="${resourceAttributes}"`,
  ];

  return [
    {
      id: "collector",
      title: "OpenTelemetry Collector",
      language: "yaml",
      source: "otlp",
      description:
        "Add Burnrate as an otlphttp exporter of your Collector's traces pipeline. Spans that carry GenAI token counts become usage events; every other span is ignored. The exporter appends /v1/traces to the endpoint; its defaults (protobuf, gzip) are accepted. Collector v0.144 and later also spell the exporter otlp_http.",
      code: [
        "receivers:",
        "  otlp:",
        "    protocols:",
        "      grpc:",
        "        endpoint: 0.0.0.0:4317",
        "      http:",
        "        endpoint: 0.0.0.0:4318",
        "",
        "processors:",
        "  batch: {}",
        "",
        "exporters:",
        "  otlphttp/burnrate:",
        `    endpoint: ${otlpBase}`,
        "    headers:",
        `      Authorization: "Bearer ${key}"`,
        "",
        "service:",
        "  pipelines:",
        "    traces:",
        "      receivers: [otlp]",
        "      processors: [batch]",
        "      exporters: [otlphttp/burnrate]",
      ].join("\n"),
    },
    {
      id: "python-env",
      title: "Python (OpenTelemetry SDK)",
      language: "bash",
      source: "otlp",
      description:
        "Zero-code instrumentation of the OpenAI client: the OTLP/HTTP exporter reads these variables (the traces endpoint is used as-is). The burnrate.* resource attributes become tags on every call.",
      code: [
        "pip install opentelemetry-distro opentelemetry-exporter-otlp-proto-http opentelemetry-instrumentation-openai-v2",
        "",
        `export OTEL_SERVICE_NAME="my-app"`,
        ...sdkEnv,
        "",
        "opentelemetry-instrument python app.py",
      ].join("\n"),
    },
    {
      id: "node-env",
      title: "Node.js (OpenTelemetry SDK)",
      language: "bash",
      source: "otlp",
      description:
        "The Node SDK reads the same variables (protocol http/protobuf is its default). Any instrumentation that records GenAI token counts on its spans (gen_ai.*, OpenInference llm.*) is picked up; the burnrate.* resource attributes become tags.",
      code: [
        "npm install @opentelemetry/api @opentelemetry/auto-instrumentations-node",
        "",
        `export OTEL_SERVICE_NAME="my-app"`,
        ...sdkEnv,
        "",
        "node --require @opentelemetry/auto-instrumentations-node/register app.js",
      ].join("\n"),
    },
    {
      id: "vercel-ai-sdk",
      title: "Vercel AI SDK",
      language: "typescript",
      source: "otlp",
      description:
        "Register an OTLP exporter in instrumentation.ts with @vercel/otel (it reads the OTEL_* variables) and turn telemetry on per call. The metadata keys become tags; functionId becomes the feature when no feature tag is set.",
      code: [
        "// instrumentation.ts (project root, or src/): npm install @vercel/otel @opentelemetry/api",
        'import { registerOTel } from "@vercel/otel";',
        "",
        "export function register() {",
        '  registerOTel({ serviceName: "my-app" });',
        "}",
        "",
        "// .env",
        `// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=${otlpTraces}`,
        `// OTEL_EXPORTER_OTLP_TRACES_HEADERS=Authorization=Bearer%20${key}`,
        "",
        "// where you call the model",
        'import { generateText } from "ai";',
        'import { openai } from "@ai-sdk/openai";',
        "",
        "const { text } = await generateText({",
        '  model: openai("gpt-4o-mini"),',
        "  prompt: question,",
        "  experimental_telemetry: {",
        "    isEnabled: true,",
        '    functionId: "answer-question",',
        `    metadata: { team: "${EXAMPLE_TAGS.team}", feature: "${EXAMPLE_TAGS.feature}" },`,
        "  },",
        "});",
      ].join("\n"),
    },
    {
      id: "litellm",
      title: "LiteLLM proxy",
      language: "yaml",
      source: "litellm",
      description:
        "In the proxy's config.yaml, a named generic_api callback posts each batch of logged calls to Burnrate (headers are required by LiteLLM's loader). The key's team alias becomes the team tag; request tags written key:value (e.g. feature:answer) become tags. Without callback_settings: callbacks: [\"generic_api\"] with GENERIC_LOGGER_ENDPOINT and GENERIC_LOGGER_HEADERS.",
      code: [
        "model_list:",
        "  - model_name: gpt-4o-mini",
        "    litellm_params:",
        "      model: openai/gpt-4o-mini",
        "      api_key: os.environ/OPENAI_API_KEY",
        "",
        "litellm_settings:",
        '  callbacks: ["burnrate"]',
        "",
        "callback_settings:",
        "  burnrate:",
        "    callback_type: generic_api",
        `    endpoint: ${base}${INGEST_PATHS.litellm}`,
        "    headers:",
        `      Authorization: "Bearer ${key}"`,
        "    log_format: json_array",
        "",
        "# The same with environment variables instead of callback_settings:",
        '#   litellm_settings: { callbacks: ["generic_api"] }',
        `#   GENERIC_LOGGER_ENDPOINT=${base}${INGEST_PATHS.litellm}`,
        `#   GENERIC_LOGGER_HEADERS="Authorization=Bearer ${key}"`,
      ].join("\n"),
    },
    {
      id: "curl",
      title: "curl",
      language: "bash",
      source: "events",
      description:
        "One usage event straight to the events API: the quickest check that the key and the address work. The answer counts it as accepted; sending the same id again counts it as a duplicate, stored once.",
      code: [
        `curl -sS "${base}${INGEST_PATHS.events}" \\`,
        `  -H "Authorization: Bearer ${key}" \\`,
        '  -H "Content-Type: application/json" \\',
        `  --data '${curlBodyText(eventId, timestamp)}'`,
      ].join("\n"),
    },
  ];
}
