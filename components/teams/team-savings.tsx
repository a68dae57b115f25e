"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type FormEvent } from "react";
import { apiFetch, ApiClientError } from "@/components/api-client";
import { useApiQuery } from "@/components/queries/hooks";
import { QUERY_ROOTS, queries } from "@/components/queries/keys";
import { withQuery } from "@/components/queries/query-string";
import { Button } from "@/components/ui/button";
import { FieldError, TextField } from "@/components/ui/form-fields";
import { Panel } from "@/components/ui/panel";
import { ScrollRegion } from "@/components/ui/scroll-region";
import type { ChangeWindow, FeatureChangeView } from "@/lib/savings/feature-changes";
import { formatDayTime, formatMoney, formatPercent } from "@/lib/format";
import { Money } from "@/lib/money";
import { KIND_LABELS } from "@/lib/view/savings";

/** The team's top savings opportunities over the last 30 days, linking to the Savings page. */
export function TeamSavingsPanel({ slug, from, to }: { slug: string; from: string; to: string }) {
  const query = useApiQuery(queries.savings({ from, to, team: slug }));
  const top = (query.data?.opportunities ?? []).slice(0, 5);
  return (
    <Panel title="Savings" titleId="team-savings-title" description="What a cheaper model, the batch tier or prompt caching would have saved in the last 30 days.">
      {query.isError ? <FieldError message={query.error.message} /> : null}
      {query.isPending ? <p className="text-sm text-zinc-500">Loading…</p> : null}
      {query.isSuccess && top.length === 0 ? <p className="text-sm text-zinc-600">No opportunity found for this team.</p> : null}
      <ul className="divide-y divide-zinc-100 text-sm" data-testid="team-savings">
        {top.map((o) => (
          <li key={`${o.kind}/${o.feature}/${o.model}`} className="flex items-start justify-between gap-2 py-1.5">
            <span>
              <span className="font-medium">{KIND_LABELS[o.kind]}</span> · {o.feature ?? "no feature"} · {o.model}
              {o.suggested_model ? ` → ${o.suggested_model}` : o.suggested_tier ? ` (${o.suggested_tier})` : ""}
            </span>
            <span className="tabular font-semibold text-emerald-700">{formatMoney(o.savings_per_month_usd)}/mo</span>
          </li>
        ))}
      </ul>
      <Link className="mt-2 inline-block text-sm text-indigo-700 hover:underline" href={withQuery("/savings", { team: slug })}>
        All of the team&apos;s savings
      </Link>
    </Panel>
  );
}

function delta(before: string | null, after: string | null): string {
  if (before === null || after === null || new Money(before).isZero()) return "—";
  const change = new Money(after).minus(before).div(before);
  return `${change.isNegative() ? "" : "+"}${formatPercent(change)}`;
}

function Figures({ label, window }: { label: string; window: ChangeWindow }) {
  return (
    <tr>
      <th scope="row" className="px-2 py-1.5 text-left font-medium text-zinc-700">{label}</th>
      <td className="tabular px-2 py-1.5 text-right">{window.requests.toLocaleString("en-US")}</td>
      <td className="tabular px-2 py-1.5 text-right">{formatMoney(window.cost_usd)}</td>
      <td className="tabular px-2 py-1.5 text-right">{window.cost_per_request_usd === null ? "—" : formatMoney(window.cost_per_request_usd)}</td>
      <td className="tabular px-2 py-1.5 text-right">{window.success_rate === null ? "—" : formatPercent(window.success_rate)}</td>
      <td className="tabular px-2 py-1.5 text-right">{window.cost_per_success_usd === null ? "—" : formatMoney(window.cost_per_success_usd)}</td>
    </tr>
  );
}

function ChangeItem({ change }: { change: FeatureChangeView }) {
  return (
    <li className="py-3" data-testid="feature-change">
      <p className="text-sm">
        <span className="font-medium text-zinc-900">{change.feature}</span>: {change.description}{" "}
        <span className="text-xs text-zinc-500">({formatDayTime(new Date(change.at))})</span>
      </p>
      {change.before && change.after ? (
        <ScrollRegion label={`Before and after ${change.description}`}>
          <table className="mt-1 w-full text-xs">
            <thead className="text-zinc-500">
              <tr>
                <th scope="col" className="px-2 py-1 text-left font-medium"><span className="sr-only">Window</span></th>
                <th scope="col" className="px-2 py-1 text-right font-medium">Calls</th>
                <th scope="col" className="px-2 py-1 text-right font-medium">Spend</th>
                <th scope="col" className="px-2 py-1 text-right font-medium">Per call</th>
                <th scope="col" className="px-2 py-1 text-right font-medium">Success rate</th>
                <th scope="col" className="px-2 py-1 text-right font-medium">Per success</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              <Figures label="Before" window={change.before} />
              <Figures label="After" window={change.after} />
              <tr className="text-zinc-700">
                <th scope="row" className="px-2 py-1.5 text-left font-medium">Change</th>
                <td className="px-2 py-1.5" />
                <td className="px-2 py-1.5" />
                <td className="tabular px-2 py-1.5 text-right" data-testid="per-call-change">{delta(change.before.cost_per_request_usd, change.after.cost_per_request_usd)}</td>
                <td className="tabular px-2 py-1.5 text-right">
                  {change.before.success_rate !== null && change.after.success_rate !== null
                    ? `${new Money(change.after.success_rate).minus(change.before.success_rate).times(100).toFixed(1)} pts`
                    : "—"}
                </td>
                <td className="tabular px-2 py-1.5 text-right">{delta(change.before.cost_per_success_usd, change.after.cost_per_success_usd)}</td>
              </tr>
            </tbody>
          </table>
        </ScrollRegion>
      ) : (
        <p className="text-xs text-zinc-500">Compared once an hour has passed since the change.</p>
      )}
    </li>
  );
}

/** Marked changes to the team's features, each with cost per call and per successful outcome before and after. */
export function TeamChangesPanel({ slug, canMark }: { slug: string; canMark: boolean }) {
  const query = useApiQuery(queries.featureChanges(slug));
  const client = useQueryClient();
  const [feature, setFeature] = useState("");
  const [description, setDescription] = useState("");
  const [at, setAt] = useState("");
  const mark = useMutation<FeatureChangeView, ApiClientError, { team: string; feature: string; at: string; description: string }>({
    mutationFn: (body) => apiFetch<FeatureChangeView>("/api/v1/feature-changes", { method: "POST", body }),
    onSuccess: () => {
      setFeature("");
      setDescription("");
    },
    onSettled: () => client.invalidateQueries({ queryKey: QUERY_ROOTS.savings }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const when = at ? new Date(at) : new Date();
    mark.mutate({ team: slug, feature: feature.trim(), description: description.trim(), at: when.toISOString() });
  };
  const error = mark.error instanceof ApiClientError ? mark.error : null;
  return (
    <Panel title="Did it pay off?" titleId="team-changes-title" description="Mark a change to a feature; it is compared over equal windows either side (up to 14 days), success rate beside the cost, so a cheaper model that fails more shows.">
      {query.isError ? <FieldError message={query.error.message} /> : null}
      {query.isSuccess && query.data.changes.length === 0 ? <p className="text-sm text-zinc-600">No change marked yet.</p> : null}
      <ul className="divide-y divide-zinc-100">{(query.data?.changes ?? []).map((change) => <ChangeItem key={change.id} change={change} />)}</ul>
      {canMark ? (
        <form onSubmit={submit} aria-label="Mark a change" className="mt-3 grid grid-cols-1 gap-3 border-t border-zinc-100 pt-3 sm:grid-cols-3">
          <TextField label="Feature" value={feature} onChange={(e) => setFeature(e.target.value)} required error={error?.field("feature")} />
          <TextField label="What changed" value={description} onChange={(e) => setDescription(e.target.value)} placeholder="moved to gpt-4o-mini" required error={error?.field("description")} />
          <TextField label="When (your time; empty: now)" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} error={error?.field("at")} />
          <div className="sm:col-span-3">
            <Button type="submit" variant="secondary" disabled={!feature.trim() || !description.trim() || mark.isPending}>{mark.isPending ? "Marking…" : "Mark change"}</Button>
            {error && error.details.length === 0 ? <FieldError message={error.message} /> : null}
          </div>
        </form>
      ) : null}
    </Panel>
  );
}
