"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { RuleView } from "@/lib/alerts/rule-store";
import { apiFetch } from "@/components/api-client";
import { Button } from "@/components/ui/button";
import { Panel } from "@/components/ui/panel";
import { useApiMutation } from "@/components/settings/use-api-mutation";

const RULES_KEY = ["alert-rules"] as const;

/** The rules and their tuning (defaults exist out of the box; finance adjusts them). */
export function RulesPanel() {
  const { data, error, isPending } = useQuery({ queryKey: RULES_KEY, queryFn: () => apiFetch<{ rules: RuleView[] }>("/api/v1/alert-rules") });
  return (
    <Panel title="Rules" titleId="rules-title" description="Each rule fires once per period and scope, and resolves when its condition clears.">
      {isPending ? (
        <div aria-busy="true" className="h-16 animate-pulse rounded bg-zinc-100" />
      ) : error ? (
        <p role="alert" className="text-sm text-rose-700">{error.message}</p>
      ) : data.rules.length === 0 ? (
        <p className="text-sm text-zinc-600">The default rules are created on the first evaluation.</p>
      ) : (
        <ul className="divide-y divide-zinc-100" data-testid="rule-list">
          {data.rules.map((rule) => (
            <RuleRow key={rule.id} rule={rule} />
          ))}
        </ul>
      )}
    </Panel>
  );
}

function RuleRow({ rule }: { rule: RuleView }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(JSON.stringify(rule.params, null, 2));
  const [parseError, setParseError] = useState<string | null>(null);
  const update = useApiMutation(RULES_KEY, (body: Record<string, unknown>) => apiFetch<RuleView>(`/api/v1/alert-rules/${rule.id}`, { method: "PATCH", body }));
  const effective = rule.effective_params ?? rule.params;
  return (
    <li className="py-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="text-sm">
          <p className="font-medium text-zinc-900">
            {rule.name} <code className="text-xs font-normal text-zinc-500">{rule.alert_type}</code>
          </p>
          <p className="text-xs text-zinc-500">
            {Object.entries(effective).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(" · ") || "no parameters"}
            {rule.channel_ids.length ? ` · ${rule.channel_ids.length} channel(s)` : " · every enabled channel"}
          </p>
        </div>
        <div className="flex gap-1">
          <label className="flex items-center gap-1.5 text-xs text-zinc-700">
            <input type="checkbox" checked={rule.enabled} onChange={(e) => update.mutate({ enabled: e.target.checked })} aria-label={`${rule.name} enabled`} />
            enabled
          </label>
          <Button size="sm" variant="secondary" aria-expanded={editing} onClick={() => setEditing(!editing)}>Tune</Button>
        </div>
      </div>
      {editing ? (
        <form
          className="mt-2 space-y-2"
          onSubmit={(event) => {
            event.preventDefault();
            try {
              const params = JSON.parse(text) as Record<string, unknown>;
              setParseError(null);
              update.mutate({ params }, { onSuccess: () => setEditing(false) });
            } catch {
              setParseError("Parameters must be a JSON object.");
            }
          }}
        >
          <label className="block text-xs font-medium text-zinc-700">
            Parameters (JSON)
            <textarea value={text} onChange={(e) => setText(e.target.value)} rows={5} className="mt-1 block w-full rounded-md border border-zinc-300 p-2 font-mono text-xs" />
          </label>
          {parseError ?? update.error ? (
            <p role="alert" className="text-xs text-rose-700">
              {parseError ?? `${update.error?.message ?? ""} ${update.error?.details.map((d) => `${d.path}: ${d.message}`).join("; ") ?? ""}`}
            </p>
          ) : null}
          <Button type="submit" size="sm" disabled={update.isPending}>Save</Button>
        </form>
      ) : null}
    </li>
  );
}
