"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { apiFetch, ApiClientError } from "@/components/api-client";
import { useApiQuery } from "@/components/queries/hooks";
import { QUERY_ROOTS, queries } from "@/components/queries/keys";
import { Button } from "@/components/ui/button";
import { FieldError, TextField } from "@/components/ui/form-fields";
import { Panel } from "@/components/ui/panel";
import { STARTER_SUBSTITUTES } from "@/lib/savings/starter-substitutes";

function useSavingsWrite<I>(run: (input: I) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation<unknown, ApiClientError, I>({ mutationFn: run, onSettled: () => client.invalidateQueries({ queryKey: QUERY_ROOTS.savings }) });
}

type ModelRef = { provider: string; model: string };
const same = (a: ModelRef, b: ModelRef) => a.provider === b.provider && a.model === b.model;

/** Which models may stand in for which: declared by admins (the starter list is only offered), listed for everyone. */
export function SubstitutesPanel({ canManage }: { canManage: boolean }) {
  const list = useApiQuery(queries.savingsSubstitutes());
  const declared = list.data?.substitutes ?? [];
  const add = useSavingsWrite((body: { from: ModelRef; to: ModelRef; note?: string }) => apiFetch("/api/v1/savings/substitutes", { method: "POST", body }));
  const remove = useSavingsWrite((id: string) => apiFetch(`/api/v1/savings/substitutes/${id}`, { method: "DELETE" }));
  const offered = STARTER_SUBSTITUTES.filter((starter) => !declared.some((d) => same(d.from, starter.from) && same(d.to, starter.to)));
  return (
    <Panel title="Substitutes" titleId="substitutes-title" description="A substitute may serve another model's work; the advisor prices each feature's real token mix at the substitute's price.">
      {list.isError ? <FieldError message={list.error.message} /> : null}
      {declared.length === 0 && list.isSuccess ? <p className="text-sm text-zinc-600">None declared yet.</p> : null}
      <ul className="divide-y divide-zinc-100 text-sm" data-testid="substitutes">
        {declared.map((s) => (
          <li key={s.id} className="flex items-center justify-between gap-2 py-1.5">
            <span>
              {s.from.provider}/{s.from.model} → {s.to.model}
              {s.note ? <span className="text-zinc-500"> · {s.note}</span> : null}
            </span>
            {canManage ? (
              <Button size="sm" variant="danger" onClick={() => remove.mutate(s.id)} aria-label={`Remove ${s.from.model} → ${s.to.model}`}>
                Remove
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      {canManage && offered.length > 0 ? (
        <div className="mt-4 border-t border-zinc-100 pt-3">
          <p className="text-xs text-zinc-600">Suggested within the default catalog&apos;s families (off until you confirm one):</p>
          <ul className="mt-2 flex flex-wrap gap-2">
            {offered.map((starter) => (
              <li key={`${starter.from.model}>${starter.to.model}`}>
                <Button size="sm" variant="secondary" onClick={() => add.mutate({ ...starter, note: "starter list" })} disabled={add.isPending}>
                  Confirm {starter.from.model} → {starter.to.model}
                </Button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {canManage ? <NewSubstituteForm onAdd={(body) => add.mutate(body)} error={add.error} /> : null}
      {remove.isError ? <FieldError message={remove.error.message} /> : null}
    </Panel>
  );
}

function NewSubstituteForm({ onAdd, error }: { onAdd: (body: { from: ModelRef; to: ModelRef }) => void; error: ApiClientError | null }) {
  const [fields, setFields] = useState({ fromProvider: "", fromModel: "", toProvider: "", toModel: "" });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onAdd({ from: { provider: fields.fromProvider, model: fields.fromModel }, to: { provider: fields.toProvider || fields.fromProvider, model: fields.toModel } });
  };
  const set = (key: keyof typeof fields) => (event: { target: { value: string } }) => setFields((current) => ({ ...current, [key]: event.target.value }));
  return (
    <form onSubmit={submit} aria-label="Declare a substitute" className="mt-4 grid grid-cols-2 gap-3 border-t border-zinc-100 pt-3 sm:grid-cols-4">
      <TextField label="From provider" value={fields.fromProvider} onChange={set("fromProvider")} error={error?.field("from.provider")} />
      <TextField label="From model" value={fields.fromModel} onChange={set("fromModel")} error={error?.field("from.model")} />
      <TextField label="To provider" value={fields.toProvider} placeholder="same" onChange={set("toProvider")} error={error?.field("to.provider")} />
      <TextField label="To model" value={fields.toModel} onChange={set("toModel")} error={error?.field("to.model") ?? error?.field("to")} />
      <div className="col-span-2 sm:col-span-4">
        <Button type="submit" variant="secondary" disabled={!fields.fromModel || !fields.toModel || !fields.fromProvider}>Declare</Button>
        {error && error.details.length === 0 ? <FieldError message={error.message} /> : null}
      </div>
    </form>
  );
}

/** Features whose calls could wait for the batch tier: marked by finance, admins or the team's leads. */
export function DeferrablePanel({ teams }: { teams: "all" | string[] }) {
  const list = useApiQuery(queries.deferrableFeatures());
  const mark = useSavingsWrite((body: { team: string; feature: string }) => apiFetch("/api/v1/savings/deferrable", { method: "POST", body }));
  const unmark = useSavingsWrite((id: string) => apiFetch(`/api/v1/savings/deferrable/${id}`, { method: "DELETE" }));
  const [team, setTeam] = useState(teams === "all" ? "" : (teams[0] ?? ""));
  const [feature, setFeature] = useState("");
  const error = mark.error instanceof ApiClientError ? mark.error : null;
  const may = (slug: string) => teams === "all" || teams.includes(slug);
  return (
    <Panel title="Deferrable features" titleId="deferrable-title" description="Calls that could wait hours (nightly jobs, enrichment): the advisor prices them at the batch tier where the model has one.">
      <ul className="divide-y divide-zinc-100 text-sm" data-testid="deferrable">
        {(list.data?.features ?? []).map((f) => (
          <li key={f.id} className="flex items-center justify-between gap-2 py-1.5">
            <span>{f.team} · {f.feature}</span>
            {may(f.team) ? <Button size="sm" variant="secondary" onClick={() => unmark.mutate(f.id)} aria-label={`Unmark ${f.team} ${f.feature}`}>Unmark</Button> : null}
          </li>
        ))}
      </ul>
      {list.isSuccess && (list.data?.features.length ?? 0) === 0 ? <p className="text-sm text-zinc-600">None marked yet.</p> : null}
      {teams === "all" || teams.length > 0 ? (
        <form
          aria-label="Mark a feature deferrable"
          className="mt-3 flex flex-wrap items-end gap-3 border-t border-zinc-100 pt-3"
          onSubmit={(event) => {
            event.preventDefault();
            mark.mutate({ team, feature }, { onSuccess: () => setFeature("") });
          }}
        >
          <TextField label="Team" value={team} onChange={(e) => setTeam(e.target.value)} error={error?.field("team")} />
          <TextField label="Feature" value={feature} onChange={(e) => setFeature(e.target.value)} error={error?.field("feature")} />
          <Button type="submit" variant="secondary" disabled={!team || !feature || mark.isPending}>Mark deferrable</Button>
          {error && error.details.length === 0 ? <FieldError message={error.message} /> : null}
        </form>
      ) : null}
    </Panel>
  );
}
