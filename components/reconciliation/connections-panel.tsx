"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useId, useState, type FormEvent } from "react";
import { apiFetch, ApiClientError } from "@/components/api-client";
import { useApiQuery } from "@/components/queries/hooks";
import { QUERY_ROOTS, queries } from "@/components/queries/keys";
import { Button } from "@/components/ui/button";
import { FieldError, SelectField, TextField } from "@/components/ui/form-fields";
import { Panel } from "@/components/ui/panel";
import { StatusChip } from "@/components/ui/status-chip";
import { DEFAULT_BASE_URLS, RECONCILIATION_PROVIDERS, type ConnectionJson, type ReconciliationProvider } from "@/lib/schemas/reconciliation";
import { PROVIDER_LABELS, reconciliationPageState } from "@/lib/view/reconciliation";

interface RunAnswer {
  connections: { id: string; provider: ReconciliationProvider; status: "ok" | "failed"; error: string | null; rows: number }[];
}

function useReconciliationWrite<TInput, TResult>(run: (input: TInput) => Promise<TResult>) {
  const client = useQueryClient();
  return useMutation<TResult, ApiClientError, TInput>({
    mutationFn: run,
    onSettled: () => client.invalidateQueries({ queryKey: QUERY_ROOTS.reconciliation }),
  });
}

/** Admins: the provider connections (admin keys shown by their last 4 characters), adding one, and pulling the page's window now. */
export function ConnectionsPanel() {
  const connections = useApiQuery(queries.reconciliationConnections());
  const search = useSearchParams();
  const pullWindow = reconciliationPageState(search, new Date());
  const titleId = useId();
  const pull = useReconciliationWrite(() => apiFetch<RunAnswer>("/api/v1/reconciliation/run", { method: "POST", body: { from: pullWindow.from, to: pullWindow.to } }));
  const remove = useReconciliationWrite((id: string) => apiFetch(`/api/v1/reconciliation/connections/${id}`, { method: "DELETE" }));
  const list = connections.data?.connections ?? [];
  return (
    <Panel title="Provider connections" titleId={titleId} description="Admin API keys are encrypted at rest and never shown again. The server pulls the last 3 days once a day.">
      {connections.isError ? <FieldError message={connections.error.message} /> : null}
      {list.length === 0 && connections.isSuccess ? <p className="text-sm text-zinc-600">No connection yet.</p> : null}
      <ul className="divide-y divide-zinc-100" aria-labelledby={titleId} data-testid="connections">
        {list.map((connection) => (
          <ConnectionItem key={connection.id} connection={connection} onRemove={() => remove.mutate(connection.id)} removing={remove.isPending && remove.variables === connection.id} />
        ))}
      </ul>
      {list.length > 0 ? (
        <div className="mt-3 flex flex-wrap items-center gap-3">
          <Button onClick={() => pull.mutate(undefined)} disabled={pull.isPending} data-testid="pull-now">
            {pull.isPending ? "Pulling…" : `Pull ${pullWindow.from} to ${pullWindow.to} now`}
          </Button>
          {pull.isSuccess ? (
            <p role="status" className="text-sm text-zinc-700">
              {pull.data.connections.map((c) => `${PROVIDER_LABELS[c.provider]}: ${c.status === "ok" ? `${c.rows} rows` : `failed (${c.error})`}`).join(" · ")}
            </p>
          ) : null}
          {pull.isError ? <FieldError message={pull.error.message} /> : null}
        </div>
      ) : null}
      <AddConnectionForm />
    </Panel>
  );
}

function ConnectionItem({ connection, onRemove, removing }: { connection: ConnectionJson; onRemove: () => void; removing: boolean }) {
  const run = connection.last_run;
  return (
    <li className="flex flex-wrap items-start justify-between gap-2 py-2 text-sm" data-testid="connection">
      <div>
        <p className="font-medium text-zinc-900">
          {PROVIDER_LABELS[connection.provider]} <span className="font-normal text-zinc-500">key {connection.key_hint} · {connection.base_url}</span>
        </p>
        <p className="mt-0.5 text-xs text-zinc-600">
          {run === null ? (
            "Not pulled yet."
          ) : (
            <>
              <StatusChip tone={run.status === "ok" ? "good" : run.status === "failed" ? "bad" : "warn"}>{run.status === "ok" ? "Pulled" : run.status === "failed" ? "Failed" : "Pulling"}</StatusChip>{" "}
              {run.from} to {run.to}, {new Date(run.started_at).toISOString().slice(0, 16).replace("T", " ")} UTC{run.error ? `: ${run.error}` : ""}
            </>
          )}
        </p>
      </div>
      <Button variant="danger" size="sm" onClick={onRemove} disabled={removing} aria-label={`Remove the ${PROVIDER_LABELS[connection.provider]} connection ${connection.key_hint}`}>
        {removing ? "Removing…" : "Remove"}
      </Button>
    </li>
  );
}

function AddConnectionForm() {
  const [provider, setProvider] = useState<ReconciliationProvider>("openai");
  const [adminKey, setAdminKey] = useState("");
  const [baseUrl, setBaseUrl] = useState("");
  const add = useReconciliationWrite((body: { provider: ReconciliationProvider; admin_key: string; base_url?: string }) =>
    apiFetch<ConnectionJson>("/api/v1/reconciliation/connections", { method: "POST", body }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate(
      { provider, admin_key: adminKey, ...(baseUrl.trim() ? { base_url: baseUrl.trim() } : {}) },
      { onSuccess: () => (setAdminKey(""), setBaseUrl("")) },
    );
  };
  const error = add.error instanceof ApiClientError ? add.error : null;
  return (
    <form onSubmit={submit} className="mt-4 grid grid-cols-1 gap-3 border-t border-zinc-100 pt-4 sm:grid-cols-3" aria-label="Connect a provider">
      <SelectField label="Provider" value={provider} onChange={(event) => setProvider(event.target.value as ReconciliationProvider)} error={error?.field("provider")}>
        {RECONCILIATION_PROVIDERS.map((p) => (
          <option key={p} value={p}>
            {PROVIDER_LABELS[p]}
          </option>
        ))}
      </SelectField>
      <TextField
        label="Admin API key"
        type="password"
        autoComplete="off"
        required
        value={adminKey}
        onChange={(event) => setAdminKey(event.target.value)}
        error={error?.field("admin_key")}
        hint={provider === "openai" ? "An OpenAI admin key (sk-admin-…)." : "An Anthropic admin key (sk-ant-admin…)."}
      />
      <TextField
        label="Base URL (optional)"
        value={baseUrl}
        placeholder={DEFAULT_BASE_URLS[provider]}
        onChange={(event) => setBaseUrl(event.target.value)}
        error={error?.field("base_url")}
        hint="For a proxy; private addresses need BURNRATE_OUTBOUND_ALLOW."
      />
      <div className="sm:col-span-3 flex items-center gap-3">
        <Button type="submit" disabled={add.isPending || adminKey === ""}>
          {add.isPending ? "Connecting…" : "Connect"}
        </Button>
        {add.isSuccess ? <p role="status" className="text-sm text-emerald-700">Connected: pull a window to compare it.</p> : null}
        {error && !error.details.length ? <FieldError message={error.message} /> : null}
      </div>
    </form>
  );
}
