"use client";

import { useState } from "react";
import type { RuleView } from "@/lib/alerts/rule-store";
import { describeRule } from "@/lib/alerts/rule-describe";
import { apiFetch } from "@/components/api-client";
import { useAlertRules } from "@/components/queries/hooks";
import { Button } from "@/components/ui/button";
import { Panel } from "@/components/ui/panel";
import { useApiMutation } from "@/components/settings/use-api-mutation";
import { PanelRowsSkeleton } from "./panel-rows-skeleton";
import { RULES_KEY, RuleEditor, useRuleTargets } from "./rule-editor";

/** The rules, each as the sentence of when it fires; tune them in a form, add scoped and routed ones. */
export function RulesPanel() {
  const { data, error, isPending } = useAlertRules();
  const [adding, setAdding] = useState(false);
  return (
    <Panel title="Rules" titleId="rules-title" description="Each rule fires once per period and scope, and resolves when its condition clears.">
      <div className="mb-3 flex justify-end">
        <Button size="sm" onClick={() => setAdding(true)}>Add rule</Button>
      </div>
      {adding ? <RuleEditor onClose={() => setAdding(false)} /> : null}
      {isPending ? (
        <PanelRowsSkeleton label="Loading rules…" />
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
  const targets = useRuleTargets();
  const update = useApiMutation(RULES_KEY, (body: Record<string, unknown>) => apiFetch<RuleView>(`/api/v1/alert-rules/${rule.id}`, { method: "PATCH", body }));
  const remove = useApiMutation(RULES_KEY, () => apiFetch(`/api/v1/alert-rules/${rule.id}`, { method: "DELETE" }));
  const budget = rule.budget_id ? { name: targets.budgets.find((b) => b.id === rule.budget_id)?.name ?? "(archived or hidden)" } : null;
  const sentence = describeRule(rule.type, rule.params, { scope: rule.scope, budget });
  const channelNames = rule.channel_ids.map((id) => targets.channels.find((c) => c.id === id)?.name ?? "a deleted channel");
  return (
    <li className="py-3" data-rule={rule.name} data-rule-type={rule.type}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0 flex-1 text-sm">
          <p className="font-medium text-zinc-900">
            {rule.name} <code className="text-xs font-normal text-zinc-500">{rule.alert_type}</code>
            {rule.built_in ? <span className="ml-1 rounded bg-zinc-100 px-1.5 py-0.5 text-xs font-normal text-zinc-600">built-in</span> : null}
          </p>
          <p className="mt-0.5 text-zinc-700" data-testid="rule-sentence">{sentence}</p>
          <p className="mt-0.5 text-xs text-zinc-500" data-testid="rule-channels">
            {channelNames.length ? `Sends to ${channelNames.join(", ")}` : "Sends to every enabled channel"}
            {rule.enabled ? "" : " · disabled"}
          </p>
        </div>
        <div className="flex items-center gap-1">
          <label className="flex items-center gap-1.5 text-xs text-zinc-700">
            <input type="checkbox" checked={rule.enabled} onChange={(e) => update.mutate({ enabled: e.target.checked })} aria-label={`${rule.name} enabled`} />
            enabled
          </label>
          <Button size="sm" variant="secondary" aria-haspopup="dialog" onClick={() => setEditing(true)} aria-label={`Tune ${rule.name}`}>Tune</Button>
          {rule.built_in ? null : (
            <Button
              size="sm"
              variant="danger"
              disabled={remove.isPending}
              aria-label={`Delete ${rule.name}`}
              onClick={() => {
                if (window.confirm(`Delete rule "${rule.name}"? Its open alerts are resolved.`)) remove.mutate(undefined);
              }}
            >
              Delete
            </Button>
          )}
        </div>
      </div>
      {update.error || remove.error ? <p role="alert" className="mt-1 text-xs text-rose-700">{(update.error ?? remove.error)?.message}</p> : null}
      {editing ? <RuleEditor rule={rule} onClose={() => setEditing(false)} /> : null}
    </li>
  );
}
