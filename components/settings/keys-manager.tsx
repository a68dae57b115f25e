"use client";

import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { KeyView } from "@/lib/access/api-keys";
import { apiFetch } from "@/components/api-client";
import { QUERY_ROOTS } from "@/components/queries/keys";
import { Button } from "@/components/ui/button";
import { FieldError, SelectField, TextField } from "@/components/ui/form-fields";
import { Panel } from "@/components/ui/panel";
import { formatDayTime } from "@/lib/format";
import { useApiMutation } from "./use-api-mutation";
import { ScrollRegion } from "@/components/ui/scroll-region";

const KEYS_KEY = QUERY_ROOTS.apiKeys;

const SCOPE_HINTS: Record<string, string> = {
  ingest: "send events, outcomes and OTLP spans; quota checks",
  read: "read spend, prices and reports",
  admin: "everything, including prices, budgets, quotas and keys",
};

export function KeysManager({
  initialKeys,
  grantableScopes,
  teamOptions,
  teamRequired,
}: {
  initialKeys: KeyView[];
  grantableScopes: readonly string[];
  teamOptions: string[];
  teamRequired: boolean;
}) {
  const { data } = useQuery({
    queryKey: KEYS_KEY,
    queryFn: () => apiFetch<{ keys: KeyView[] }>("/api/v1/keys"),
    initialData: { keys: initialKeys },
  });
  const revoke = useApiMutation(KEYS_KEY, (id: string) => apiFetch<KeyView>(`/api/v1/keys/${id}/revoke`, { method: "POST" }));

  return (
    <div className="space-y-4">
      <CreateKey grantableScopes={grantableScopes} teamOptions={teamOptions} teamRequired={teamRequired} />
      <Panel title="API keys" titleId="keys-title" description="Only a key's prefix and last 4 characters are kept in view. Revoked keys stop working within 5 seconds.">
        {revoke.error ? <div className="mb-3"><FieldError message={revoke.error.message} /></div> : null}
        {data.keys.length === 0 ? (
          <p className="text-sm text-zinc-600">No API keys yet.</p>
        ) : (
          <ScrollRegion label="API keys">
            <table aria-labelledby="keys-title" data-testid="keys-table" className="w-full text-sm">
              <thead>
                <tr className="text-left text-xs text-zinc-500">
                  <th scope="col" className="pb-2 font-medium">Name</th>
                  <th scope="col" className="pb-2 font-medium">Key</th>
                  <th scope="col" className="pb-2 font-medium">Scopes</th>
                  <th scope="col" className="pb-2 font-medium">Team</th>
                  <th scope="col" className="pb-2 font-medium">Last used</th>
                  <th scope="col" className="pb-2 text-right font-medium">Status</th>
                </tr>
              </thead>
              <tbody>
                {data.keys.map((key) => (
                  <tr key={key.id} className="border-t border-zinc-100">
                    <th scope="row" className="py-2 pr-2 text-left font-normal text-zinc-900">
                      {key.name}
                      {key.created_by ? <span className="block text-xs text-zinc-500">by {key.created_by}</span> : null}
                    </th>
                    <td className="py-2 pr-2 font-mono text-xs text-zinc-700">{key.display}</td>
                    <td className="py-2 pr-2 text-zinc-700">{key.scopes.join(", ")}</td>
                    <td className="py-2 pr-2 text-zinc-700">{key.team ?? "all teams"}</td>
                    <td className="tabular py-2 pr-2 text-zinc-600">{key.last_used_at ? formatDayTime(new Date(key.last_used_at)) : "never"}</td>
                    <td className="py-2 text-right">
                      {key.revoked_at ? (
                        <span className="text-xs text-zinc-500">revoked {formatDayTime(new Date(key.revoked_at))}</span>
                      ) : (
                        <Button
                          variant="danger"
                          size="sm"
                          disabled={revoke.isPending}
                          aria-label={`Revoke ${key.name}`}
                          onClick={() => {
                            if (window.confirm(`Revoke "${key.name}"? Clients using it will be refused within 5 seconds.`)) revoke.mutate(key.id);
                          }}
                        >
                          Revoke
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        )}
      </Panel>
    </div>
  );
}

function CreateKey({ grantableScopes, teamOptions, teamRequired }: { grantableScopes: readonly string[]; teamOptions: string[]; teamRequired: boolean }) {
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const create = useApiMutation(KEYS_KEY, (body: { name: string; scopes: string[]; team: string | null }) =>
    apiFetch<KeyView & { secret: string }>("/api/v1/keys", { method: "POST", body }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const team = String(data.get("team") ?? "");
    create.mutate(
      { name: String(data.get("name") ?? "").trim(), scopes: data.getAll("scopes").map(String), team: team || null },
      {
        onSuccess: (created) => {
          setSecret({ name: created.name, value: created.secret });
          setCopied(false);
          form.reset();
        },
      },
    );
  }
  return (
    <Panel title="New API key" titleId="new-key-title" description="For gateways, SDKs and scripts: Authorization: Bearer <key>.">
      {secret ? (
        <div role="status" data-testid="new-key-secret" className="mb-4 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-950">
          <p className="font-medium">Key &ldquo;{secret.name}&rdquo; created. Copy it now: it is shown only once.</p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <code className="rounded bg-white px-2 py-1 font-mono text-xs break-all" data-testid="new-key-value">
              {secret.value}
            </code>
            <Button
              variant="secondary"
              size="sm"
              onClick={() => void navigator.clipboard?.writeText(secret.value).then(() => setCopied(true))}
            >
              {copied ? "Copied" : "Copy"}
            </Button>
            <Button variant="secondary" size="sm" onClick={() => setSecret(null)}>
              Done
            </Button>
          </div>
        </div>
      ) : null}
      <form onSubmit={submit} aria-labelledby="new-key-title" className="space-y-3" noValidate>
        <div className="flex flex-wrap items-end gap-3">
          <TextField label="Name" name="name" placeholder="prod-gateway" required error={create.error?.field("name")} />
          <SelectField label="Team" name="team" defaultValue={teamRequired ? (teamOptions[0] ?? "") : ""} error={create.error?.field("team")}>
            {teamRequired ? null : <option value="">All teams</option>}
            {teamOptions.map((slug) => (
              <option key={slug} value={slug}>
                {slug}
              </option>
            ))}
          </SelectField>
        </div>
        <fieldset>
          <legend className="text-sm font-medium text-zinc-800">Scopes</legend>
          <div className="mt-1 flex flex-wrap gap-4">
            {grantableScopes.map((scope) => (
              <label key={scope} className="flex items-start gap-2 text-sm text-zinc-800">
                <input type="checkbox" name="scopes" value={scope} defaultChecked={scope === grantableScopes[0]} className="mt-0.5" />
                <span>
                  {scope}
                  <span className="block text-xs text-zinc-500">{SCOPE_HINTS[scope]}</span>
                </span>
              </label>
            ))}
          </div>
          {create.error?.field("scopes") ? <p className="mt-1 text-xs text-rose-700">{create.error.field("scopes")}</p> : null}
        </fieldset>
        {create.error && create.error.details.length === 0 ? <FieldError message={create.error.message} /> : null}
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create key"}
        </Button>
      </form>
    </Panel>
  );
}
