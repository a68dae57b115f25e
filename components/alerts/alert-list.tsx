"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useSearchParams } from "next/navigation";
import { useOptimistic } from "react";
import type { AlertView } from "@/lib/alerts/alerts";
import { apiFetch } from "@/components/api-client";
import { useApiQuery } from "@/components/queries/hooks";
import { queries, QUERY_ROOTS } from "@/components/queries/keys";
import { withParam } from "@/components/queries/query-string";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { useUrlNavigation } from "@/components/ui/url-navigation";
import { formatDayTime } from "@/lib/format";
import { useApiMutation } from "@/components/settings/use-api-mutation";
import { REVEALED_CLASS, useReveal } from "@/components/ui/use-reveal";
import { alertListParams, alertsRequest } from "./alert-params";

const STATES = ["open", "acknowledged", "resolved"] as const;
const STATE_STYLES = {
  open: "bg-rose-50 text-rose-800 ring-rose-200",
  acknowledged: "bg-amber-50 text-amber-800 ring-amber-200",
  resolved: "bg-zinc-100 text-zinc-700 ring-zinc-200",
} as const;

function scopeText(scope: Record<string, unknown>): string {
  const parts = Object.entries(scope).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => `${k} ${String(v)}`);
  return parts.length ? parts.join(" · ") : "whole organisation";
}

function AlertItem({ alert, linked, acknowledging, onAcknowledge }: { alert: AlertView; linked: boolean; acknowledging: boolean; onAcknowledge: () => void }) {
  const ref = useReveal<HTMLLIElement>(linked);
  return (
    <li
      ref={ref}
      className={cn("flex flex-wrap items-start justify-between gap-3 py-3", linked && `-mx-2 px-2 ${REVEALED_CLASS}`)}
      data-alert-type={alert.type}
      data-alert-id={alert.id}
      data-linked={linked || undefined}
      tabIndex={linked ? -1 : undefined}
    >
      <div className="min-w-0">
        <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-zinc-900">
          <span className={cn("rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset", STATE_STYLES[alert.state])}>{alert.state}</span>
          <code className="text-xs text-zinc-500">{alert.type}</code>
        </p>
        <p className="mt-1 text-sm text-zinc-800">{alert.message}</p>
        <p className="mt-0.5 text-xs text-zinc-500">
          {scopeText(alert.scope)} · fired {formatDayTime(new Date(alert.fired_at))}
          {alert.acknowledged_by ? ` · acknowledged by ${alert.acknowledged_by.email}` : ""}
          {alert.resolved_at ? ` · resolved ${formatDayTime(new Date(alert.resolved_at))}` : ""}
          {alert.deliveries.failed > 0 ? <span className="text-rose-700"> · {alert.deliveries.failed} delivery failed</span> : null}
        </p>
      </div>
      {alert.state === "open" ? (
        <Button size="sm" variant="secondary" disabled={acknowledging} onClick={onAcknowledge} aria-label={`Acknowledge: ${alert.message}`}>
          Acknowledge
        </Button>
      ) : null}
    </li>
  );
}

/**
 * Alerts by state and type, filters in the URL; acknowledge from the list. `?id=<alert>`
 * (a notification's link) brings that alert into view, focused and marked, when the list
 * shows it, and offers every state when it does not.
 */
export function AlertList({ canManage, types }: { canManage: boolean; types: readonly string[] }) {
  const params = useSearchParams();
  const client = useQueryClient();
  const { pending, replaceQuery } = useUrlNavigation();
  const current = alertListParams(params);
  // The buttons and the select show a choice at once; the list follows with the page.
  const [{ state, type }, show] = useOptimistic(current, (shown, changes: { state?: string; type?: string }) => ({ ...shown, ...changes }));
  const linkedId = current.linkedId;
  const { data, error, isPending, refetch } = useApiQuery(queries.alerts(alertsRequest(current)));
  const acknowledge = useApiMutation(QUERY_ROOTS.alerts, (id: string) => apiFetch<AlertView>(`/api/v1/alerts/${id}/acknowledge`, { method: "POST" }));
  const evaluate = useApiMutation(QUERY_ROOTS.alerts, () => apiFetch<{ fired: unknown[] }>("/api/v1/alerts/evaluate", { method: "POST" }));

  // New alerts are new notifications too.
  function refreshAfterEvaluation() {
    for (const queryKey of [QUERY_ROOTS.alerts, QUERY_ROOTS.badges, QUERY_ROOTS.notifications]) void client.invalidateQueries({ queryKey });
  }

  /** Every state and type, keeping ?id= (the linked alert may be resolved, or of a type not shown). */
  function showAll() {
    replaceQuery(withParam(withParam(params, "state", "all"), "type", null), () => show({ state: "all", type: "" }));
  }

  const linkedMissing = linkedId !== null && data !== undefined && !data.alerts.some((alert) => alert.id === linkedId);

  function set(name: "state" | "type", value: string) {
    replaceQuery(withParam(params, name, value), () => show({ [name]: name === "state" ? value || "open" : value }));
  }

  return (
    <section aria-labelledby="alerts-title" className="rounded-lg border border-zinc-200 bg-white shadow-xs">
      <header className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-100 px-4 py-3">
        <h2 id="alerts-title" className="text-sm font-semibold text-zinc-900">Alerts</h2>
        <div className="flex flex-wrap items-center gap-2">
          <div role="group" aria-label="State" className="flex gap-1">
            {[...STATES, "all"].map((s) => (
              <Button key={s} size="sm" variant={state === s ? "primary" : "secondary"} aria-pressed={state === s} onClick={() => set("state", s === "open" ? "" : s)}>
                {s}
              </Button>
            ))}
          </div>
          <select aria-label="Alert type" value={type} onChange={(e) => set("type", e.target.value)} className="rounded-md border border-zinc-300 px-2 py-1 text-sm">
            <option value="">All types</option>
            {types.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
          {canManage ? (
            <Button size="sm" variant="secondary" disabled={evaluate.isPending} onClick={() => evaluate.mutate(undefined, { onSuccess: refreshAfterEvaluation })}>
              {evaluate.isPending ? "Evaluating…" : "Evaluate now"}
            </Button>
          ) : null}
        </div>
      </header>
      <div className="p-4">
        {evaluate.isSuccess ? <p role="status" className="mb-3 text-sm text-zinc-700">Evaluated: {evaluate.data.fired.length} new alert{evaluate.data.fired.length === 1 ? "" : "s"}.</p> : null}
        {linkedMissing ? (
          <p data-testid="linked-alert-missing" className="mb-3 flex flex-wrap items-center gap-2 rounded-md bg-zinc-50 px-3 py-2 text-sm text-zinc-700">
            The alert you followed is not in this list{current.state === "all" && !current.type ? " (it may be older than the newest shown, or outside your teams)" : ""}.
            {current.state !== "all" || current.type ? (
              <Button size="sm" variant="secondary" onClick={showAll}>
                Show all alerts
              </Button>
            ) : null}
          </p>
        ) : null}
        {isPending ? (
          <AlertListSkeleton />
        ) : error ? (
          <div role="alert" className="text-sm text-rose-700">
            Alerts could not be loaded: {error.message} <Button size="sm" variant="secondary" onClick={() => void refetch()}>Try again</Button>
          </div>
        ) : data.alerts.length === 0 ? (
          <p className="text-sm text-zinc-600" data-testid="alerts-empty">No {current.state === "all" ? "" : `${current.state} `}alerts{current.type ? ` of type ${current.type}` : ""}.</p>
        ) : (
          <ul aria-busy={pending} className={cn("divide-y divide-zinc-100 transition-opacity", pending && "opacity-60")} data-testid="alert-list">
            {data.alerts.map((alert) => (
              <AlertItem
                key={alert.id}
                alert={alert}
                linked={alert.id === linkedId}
                acknowledging={acknowledge.isPending}
                onAcknowledge={() => acknowledge.mutate(alert.id)}
              />
            ))}
          </ul>
        )}
        {acknowledge.error ? <p role="alert" className="mt-2 text-sm text-rose-700">{acknowledge.error.message}</p> : null}
      </div>
    </section>
  );
}

/** The list's place while its alerts load. */
export function AlertListSkeleton() {
  return (
    <div role="status" aria-busy="true" aria-live="polite" className="h-24 animate-pulse rounded bg-zinc-100">
      <span className="sr-only">Loading alerts…</span>
    </div>
  );
}

/** The whole panel while the page reads its alerts. */
export function AlertsPanelSkeleton() {
  return (
    <section aria-labelledby="alerts-title" className="rounded-lg border border-zinc-200 bg-white shadow-xs">
      <header className="border-b border-zinc-100 px-4 py-3">
        <h2 id="alerts-title" className="text-sm font-semibold text-zinc-900">Alerts</h2>
      </header>
      <div className="p-4">
        <AlertListSkeleton />
      </div>
    </section>
  );
}
