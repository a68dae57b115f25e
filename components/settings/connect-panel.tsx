"use client";

import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import type { KeyView } from "@/lib/access/api-keys";
import type { SourceActivity } from "@/lib/ingestion/ingest-receipts";
import { INGEST_PATHS, KEY_PLACEHOLDER, connectSnippets, newEventId, type ConnectSnippet } from "@/lib/integrations/snippets";
import { formatCount, formatDayTime } from "@/lib/format";
import { apiFetch } from "@/components/api-client";
import { useApiQuery } from "@/components/queries/hooks";
import { queries } from "@/components/queries/keys";
import { Button } from "@/components/ui/button";
import { Callout } from "@/components/ui/callout";
import { FieldError, SelectField, TextField } from "@/components/ui/form-fields";
import { Panel } from "@/components/ui/panel";
import { cn } from "@/components/ui/cn";
import { useApiMutation } from "./use-api-mutation";

const POLL_MS = 5_000;

const SOURCE_LABELS: Record<SourceActivity["source"], { name: string; path: string }> = {
  events: { name: "Events API", path: INGEST_PATHS.events },
  otlp: { name: "OpenTelemetry (OTLP)", path: INGEST_PATHS.otlpTraces },
  litellm: { name: "LiteLLM", path: INGEST_PATHS.litellm },
};

export interface ConnectKeyForm {
  teamOptions: string[];
  teamRequired: boolean;
}

/**
 * Settings → Connect: where to send usage, a one-time ingest key for those who may mint one,
 * a copyable snippet per sender (lib/integrations/snippets.ts, the source of docs/INTEGRATIONS.md
 * too) and, for admins, what each receiver took lately.
 */
export function ConnectPanel({
  baseUrl,
  initialEventId,
  initialTimestamp,
  keyForm,
  canSeeArrivals,
}: {
  baseUrl: string;
  initialEventId: string;
  initialTimestamp: string;
  keyForm: ConnectKeyForm | null;
  canSeeArrivals: boolean;
}) {
  const [key, setKey] = useState<string | null>(null);
  const [event, setEvent] = useState({ id: initialEventId, timestamp: initialTimestamp });
  const snippets = useMemo(
    () => connectSnippets({ baseUrl, key, eventId: event.id, timestamp: event.timestamp }),
    [baseUrl, key, event],
  );
  const freshEvent = () => setEvent({ id: newEventId(), timestamp: new Date().toISOString() });

  return (
    <div className="space-y-4">
      <Panel title="Where to send usage" titleId="connect-where-title">
        <dl className="grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
          <dt className="text-zinc-500">Base URL</dt>
          <dd>
            <code data-testid="connect-base-url" className="font-mono text-xs text-zinc-900">
              {baseUrl}
            </code>
          </dd>
          <dt className="text-zinc-500">Header</dt>
          <dd>
            <code className="font-mono text-xs text-zinc-900">Authorization: Bearer {KEY_PLACEHOLDER}</code>
            <span className="ml-2 text-xs text-zinc-500">a key with the ingest scope</span>
          </dd>
          {(["events", "otlp", "litellm"] as const).map((source) => (
            <div key={source} className="contents">
              <dt className="text-zinc-500">{SOURCE_LABELS[source].name}</dt>
              <dd>
                <code className="font-mono text-xs break-all text-zinc-900">POST {baseUrl}{SOURCE_LABELS[source].path}</code>
              </dd>
            </div>
          ))}
        </dl>
      </Panel>

      {keyForm ? (
        <CreateIngestKey
          form={keyForm}
          onCreated={(secret) => {
            setKey(secret);
            freshEvent();
          }}
        />
      ) : (
        <Callout title="You need an ingest key">
          An admin (or your team lead, for your team) creates one under Settings → API keys. Put it where the snippets
          show <code className="font-mono">{KEY_PLACEHOLDER}</code>.
        </Callout>
      )}

      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <SnippetTabs snippets={snippets} onFreshEvent={freshEvent} />
        </div>
        <div>{canSeeArrivals ? <Arrivals /> : <ArrivalsForOthers />}</div>
      </div>
    </div>
  );
}

// ------------------------------------------------------------------ the key

function CreateIngestKey({ form, onCreated }: { form: ConnectKeyForm; onCreated: (secret: string) => void }) {
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const create = useApiMutation(["api-keys"], (body: { name: string; scopes: string[]; team: string | null }) =>
    apiFetch<KeyView & { secret: string }>("/api/v1/keys", { method: "POST", body }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const element = event.currentTarget;
    const data = new FormData(element);
    const team = String(data.get("team") ?? "");
    create.mutate(
      { name: String(data.get("name") ?? "").trim(), scopes: ["ingest"], team: team || null },
      {
        onSuccess: (key) => {
          setCreated({ name: key.name, secret: key.secret });
          onCreated(key.secret);
          element.reset();
        },
      },
    );
  }
  return (
    <Panel
      title="Create an ingest key"
      titleId="connect-key-title"
      description="A key with the ingest scope only: it sends usage and reads nothing. It is shown once and filled into the snippets below."
    >
      {created ? (
        <div role="status" data-testid="connect-new-key" className="mb-4 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-950">
          <p className="font-medium">
            Key &ldquo;{created.name}&rdquo; created. Copy it now: it is shown only once, and the snippets below hold it until you leave
            this page.
          </p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code className="rounded bg-white px-2 py-1 font-mono text-xs break-all" data-testid="connect-new-key-value">
              {created.secret}
            </code>
            <CopyButton text={created.secret} what="the key" />
          </div>
        </div>
      ) : null}
      <form onSubmit={submit} aria-labelledby="connect-key-title" className="flex flex-wrap items-end gap-3" noValidate>
        <TextField label="Key name" name="name" placeholder="prod-ingest" required error={create.error?.field("name")} />
        {form.teamRequired || form.teamOptions.length > 0 ? (
          <SelectField
            label="Team"
            name="team"
            defaultValue={form.teamRequired ? (form.teamOptions[0] ?? "") : ""}
            error={create.error?.field("team")}
          >
            {form.teamRequired ? null : <option value="">All teams</option>}
            {form.teamOptions.map((slug) => (
              <option key={slug} value={slug}>
                {slug}
              </option>
            ))}
          </SelectField>
        ) : null}
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create ingest key"}
        </Button>
        {create.error && !create.error.field("name") && !create.error.field("team") ? (
          <div className="basis-full">
            <FieldError message={create.error.message} />
          </div>
        ) : null}
      </form>
    </Panel>
  );
}

// ------------------------------------------------------------------ snippets

function SnippetTabs({ snippets, onFreshEvent }: { snippets: ConnectSnippet[]; onFreshEvent: () => void }) {
  const [selected, setSelected] = useState(0);
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const baseId = useId();

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    const last = snippets.length - 1;
    const next =
      event.key === "ArrowRight" ? (selected === last ? 0 : selected + 1)
      : event.key === "ArrowLeft" ? (selected === 0 ? last : selected - 1)
      : event.key === "Home" ? 0
      : event.key === "End" ? last
      : null;
    if (next === null) return;
    event.preventDefault();
    setSelected(next);
    tabs.current[next]?.focus();
  }

  return (
    <section aria-labelledby={`${baseId}-title`} className="rounded-lg border border-zinc-200 bg-white shadow-xs">
      <div className="border-b border-zinc-100 px-4 pt-3">
        <h2 id={`${baseId}-title`} className="text-sm font-semibold text-zinc-900">
          Snippets
        </h2>
        <p className="mt-0.5 text-xs text-zinc-500">Pick the sender you use; each snippet has this site&rsquo;s address and your key in place.</p>
        <div role="tablist" aria-label="Senders" className="mt-3 mb-3 flex flex-wrap gap-1.5">
          {snippets.map((snippet, index) => (
            <button
              key={snippet.id}
              ref={(element) => {
                tabs.current[index] = element;
              }}
              type="button"
              role="tab"
              id={`${baseId}-tab-${snippet.id}`}
              aria-selected={index === selected}
              aria-controls={`${baseId}-panel-${snippet.id}`}
              tabIndex={index === selected ? 0 : -1}
              onClick={() => setSelected(index)}
              onKeyDown={onKeyDown}
              className={cn(
                "rounded-md px-2.5 py-1 text-sm font-medium whitespace-nowrap focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-zinc-500",
                index === selected ? "bg-zinc-900 text-white" : "text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900",
              )}
            >
              {snippet.title}
            </button>
          ))}
        </div>
      </div>
      {snippets.map((snippet, index) => (
        <div
          key={snippet.id}
          role="tabpanel"
          id={`${baseId}-panel-${snippet.id}`}
          aria-labelledby={`${baseId}-tab-${snippet.id}`}
          hidden={index !== selected}
          tabIndex={0}
          data-testid={`snippet-panel-${snippet.id}`}
          className="p-4 focus-visible:outline-2 focus-visible:outline-zinc-400"
        >
          <p className="text-sm text-zinc-700">{snippet.description}</p>
          <div className="mt-3 flex flex-wrap items-center gap-2">
            <CopyButton text={snippet.code} what={`the ${snippet.title} snippet`} />
            {snippet.id === "curl" ? (
              <Button variant="secondary" size="sm" onClick={onFreshEvent}>
                New event id
              </Button>
            ) : null}
            <span className="text-xs text-zinc-500">{snippet.language}</span>
          </div>
          <pre
            data-testid={`snippet-${snippet.id}`}
            // Scrolls sideways on a phone: reachable by keyboard, and named.
            role="region"
            aria-label={`${snippet.title} snippet`}
            tabIndex={0}
            className="mt-2 overflow-x-auto rounded-md bg-zinc-950 p-3 font-mono text-xs leading-relaxed text-zinc-100"
          >
            <code>{snippet.code}</code>
          </pre>
        </div>
      ))}
    </section>
  );
}

/** Copies `text`; without a clipboard (plain-http origins) it says to copy by hand. */
function CopyButton({ text, what }: { text: string; what: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state !== "copied") return;
    const timer = setTimeout(() => setState("idle"), 2_000);
    return () => clearTimeout(timer);
  }, [state]);
  async function copy() {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  }
  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => void copy()} title={`Copy ${what}`}>
        {state === "copied" ? "Copied" : "Copy"}
      </Button>
      <span aria-live="polite" className={state === "failed" ? "text-xs text-rose-700" : "sr-only"}>
        {state === "copied" ? `Copied ${what}.` : state === "failed" ? "This browser gave no clipboard access: select the text and copy it." : ""}
      </span>
    </>
  );
}

// ------------------------------------------------------------------ arrivals

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** "just now", "12 s ago", "5 min ago", "3 h ago", "2 d ago". */
function timeAgo(at: Date, now: number): string {
  const seconds = Math.max(0, Math.floor((now - at.getTime()) / 1000));
  if (seconds < 1) return "just now";
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

function Arrivals() {
  const { data, error, isPending } = useApiQuery(queries.integrationActivity(), { refetchInterval: POLL_MS });
  const now = useNow(1_000);
  const nothingYet = data ? data.sources.every((s) => s.last_received_at === null) : false;
  return (
    <Panel title="Arrivals" titleId="arrivals-title" description="What each receiver stored lately; refreshed every 5 seconds.">
      {error ? (
        <div className="mb-3">
          <FieldError message={`Arrivals could not be loaded: ${error.message}`} />
        </div>
      ) : null}
      {isPending ? (
        <p className="text-sm text-zinc-600" role="status">
          Loading arrivals…
        </p>
      ) : data ? (
        <>
          {nothingYet ? (
            <p className="mb-3 text-sm text-zinc-600" data-testid="arrivals-empty">
              No events yet. Run a snippet: its events show up here within seconds.
            </p>
          ) : null}
          <table aria-labelledby="arrivals-title" data-testid="arrivals-table" className="w-full text-sm">
            <thead>
              <tr className="text-left text-xs text-zinc-500">
                <th scope="col" className="pb-2 font-medium">Source</th>
                <th scope="col" className="pb-2 font-medium">Last event</th>
                <th scope="col" className="pb-2 text-right font-medium">Last hour</th>
              </tr>
            </thead>
            <tbody>
              {data.sources.map((source) => {
                const at = source.last_received_at ? new Date(source.last_received_at) : null;
                return (
                  <tr key={source.source} data-testid={`arrivals-${source.source}`} className="border-t border-zinc-100">
                    <th scope="row" className="py-2 pr-2 text-left font-normal text-zinc-900">
                      {SOURCE_LABELS[source.source].name}
                    </th>
                    <td className="tabular py-2 pr-2 text-zinc-700">
                      {at ? (
                        <time dateTime={source.last_received_at ?? undefined} title={formatDayTime(at)}>
                          {timeAgo(at, now)}
                        </time>
                      ) : (
                        <span className="text-zinc-500">never</span>
                      )}
                    </td>
                    <td className="tabular py-2 text-right text-zinc-900" data-testid={`arrivals-count-${source.source}`}>
                      {formatCount(source.events_last_hour)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      ) : null}
    </Panel>
  );
}

function ArrivalsForOthers() {
  return (
    <Panel title="Arrivals" titleId="arrivals-title">
      <p className="text-sm text-zinc-600" data-testid="arrivals-admin-only">
        An admin sees here when each receiver last got an event and how many arrived in the last hour. Your data shows up on the
        Overview once it is stored.
      </p>
    </Panel>
  );
}
