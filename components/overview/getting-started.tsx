function exampleRequest(now: Date): string {
  const timestamp = now.toISOString().replace(/\.\d{3}Z$/, "Z");
  return `curl -X POST "$BURNRATE_URL/api/v1/events" \\
  -H "Authorization: Bearer $BURNRATE_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"events": [{
    "id": "evt-0001", "timestamp": "${timestamp}",
    "provider": "openai", "model": "gpt-4o-mini",
    "usage": {"input_tokens": 1200, "output_tokens": 300},
    "tags": {"team": "search", "feature": "answers"}
  }]}'`;
}

/** A command to copy; it scrolls sideways on a phone, so it is reachable by keyboard and named. */
function Code({ label, children }: { label: string; children: string }) {
  return (
    <pre
      role="region"
      aria-label={label}
      tabIndex={0}
      className="mt-2 overflow-x-auto rounded-md bg-zinc-900 px-3 py-2.5 text-xs leading-relaxed text-zinc-100"
    >
      <code>{children}</code>
    </pre>
  );
}

/** Shown on an installation with no usage at all: how to get the first numbers in. */
export function GettingStarted({ now }: { now: Date }) {
  return (
    <section
      aria-labelledby="getting-started-title"
      data-testid="overview-empty"
      className="rounded-lg border border-zinc-200 bg-white p-6 shadow-xs"
    >
      <h2 id="getting-started-title" className="text-base font-semibold text-zinc-900">
        No usage recorded yet
      </h2>
      <p className="mt-1 max-w-2xl text-sm text-zinc-600">
        Burnrate shows spend as soon as your applications, gateway or OpenTelemetry exporter send usage events. Nothing
        is estimated: every figure here comes from events you send and the price catalog.
      </p>
      <ol className="mt-5 flex max-w-3xl list-decimal flex-col gap-5 pl-5 text-sm text-zinc-800 marker:font-semibold">
        <li>
          <p className="font-medium">Create an API key with the ingest scope</p>
          <Code label="Command to create an ingest key">npm run -s burnrate -- key create --name my-app --scope ingest</Code>
        </li>
        <li>
          <p className="font-medium">
            Send events to <code className="rounded bg-zinc-100 px-1">POST /api/v1/events</code>
          </p>
          <p className="mt-1 text-zinc-600">
            Up to 1,000 events per request. Each needs an idempotency <code>id</code>, a timestamp, provider, model and
            token usage; tags such as <code>team</code> and <code>feature</code> drive showback. Events may
            also carry OpenAI- or Anthropic-style usage objects as they are; the API contract lists every field.
          </p>
          <Code label="Example request sending one event">{exampleRequest(now)}</Code>
        </li>
        <li>
          <p className="font-medium">Or explore with demo data</p>
          <Code label="Command to seed demo data">npm run seed</Code>
        </li>
      </ol>
    </section>
  );
}
