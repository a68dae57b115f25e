"use client";

import { useId, useMemo, useState, type FormEvent } from "react";
import type { AlertRuleType } from "@/lib/generated/prisma/client";
import type { RuleView } from "@/lib/alerts/rule-store";
import {
  BUDGET_RULE_TYPES,
  RULE_TYPE_LABELS,
  changedParams,
  defaultParams,
  formValuesOf,
  paramsFromForm,
  tryDescribeRule,
  type RuleFormValues,
} from "@/lib/alerts/rule-describe";
import { ALERT_RULE_TYPES, type AlertScope } from "@/lib/schemas/alerts";
import { apiFetch } from "@/components/api-client";
import { useAlertChannels, useBudgets, useTeams } from "@/components/queries/hooks";
import { QUERY_ROOTS } from "@/components/queries/keys";
import { Button } from "@/components/ui/button";
import { FieldError, SelectField, TextField } from "@/components/ui/form-fields";
import { useApiMutation } from "@/components/settings/use-api-mutation";
import { channelTypeLabel } from "./channel-labels";
import { RuleDialog } from "./rule-dialog";
import { RuleParamsFields } from "./rule-params-fields";

export const RULES_KEY = QUERY_ROOTS.alertRules;

type ScopeKind = "all" | "team" | "budget";

/** What a rule can watch and send to: the channels, teams and budgets (the page prefetches them with the rules). */
export function useRuleTargets() {
  const channels = useAlertChannels();
  const teams = useTeams();
  const budgets = useBudgets();
  return { channels: channels.data?.channels ?? [], teams: teams.data?.teams ?? [], budgets: budgets.data?.budgets ?? [] };
}

/** Tune an existing rule (PATCH) or add one (POST): its parameters, what it watches, where it delivers. */
export function RuleEditor({ rule, onClose }: { rule?: RuleView; onClose: () => void }) {
  const targets = useRuleTargets();
  const [type, setType] = useState<AlertRuleType>(rule?.type ?? "spend_spike");
  const [values, setValues] = useState<RuleFormValues>(() => formValuesOf(rule?.type ?? "spend_spike", rule?.params ?? {}));
  const [name, setName] = useState(rule?.name ?? "");
  const [scopeKind, setScopeKind] = useState<ScopeKind>(rule?.budget_id ? "budget" : rule?.scope?.team ? "team" : "all");
  const [team, setTeam] = useState(rule?.scope?.team ?? "");
  const [budgetId, setBudgetId] = useState(rule?.budget_id ?? "");
  const [channelIds, setChannelIds] = useState<string[]>(rule?.channel_ids ?? []);
  const [submitted, setSubmitted] = useState(false);
  const save = useApiMutation(RULES_KEY, (body: Record<string, unknown>) =>
    rule ? apiFetch<RuleView>(`/api/v1/alert-rules/${rule.id}`, { method: "PATCH", body }) : apiFetch<RuleView>("/api/v1/alert-rules", { method: "POST", body }),
  );
  const scopeName = useId();

  const { params, problems } = useMemo(() => paramsFromForm(type, values), [type, values]);
  const budgetType = BUDGET_RULE_TYPES.includes(type);
  const budget = targets.budgets.find((b) => b.id === budgetId);
  // Tags other than the team (set through the API) are kept as they are.
  const otherTags: AlertScope = { ...(rule?.scope ?? {}) };
  delete otherTags.team;
  const scope: AlertScope = scopeKind === "team" && team ? { ...otherTags, team } : scopeKind === "budget" ? {} : otherTags;
  const preview = tryDescribeRule(
    type,
    Object.fromEntries(Object.entries(params).filter(([, v]) => v !== null)),
    scopeKind === "budget" ? { budget: { name: budget?.name ?? rule?.budget_id ?? "…" } } : { scope },
  );
  const scopeProblem = scopeKind === "team" && !team ? "Pick a team." : scopeKind === "budget" && !budgetId ? "Pick a budget." : null;

  function changeType(next: AlertRuleType) {
    setType(next);
    setValues(formValuesOf(next, {}));
    if (scopeKind === "budget" && !BUDGET_RULE_TYPES.includes(next)) setScopeKind("all");
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSubmitted(true);
    if (problems.length > 0 || scopeProblem) return;
    const dialog = event.currentTarget.closest("dialog");
    const done = () => dialog?.close();
    if (rule) {
      const body: Record<string, unknown> = {};
      const changed = changedParams(params, { ...defaultParams(rule.type), ...rule.params });
      if (Object.keys(changed).length > 0) body.params = changed;
      if (name.trim() && name.trim() !== rule.name) body.name = name.trim();
      if (!rule.budget_id && JSON.stringify(scope) !== JSON.stringify(rule.scope ?? {})) body.scope = Object.keys(scope).length ? scope : null;
      if (JSON.stringify([...channelIds].sort()) !== JSON.stringify([...rule.channel_ids].sort())) body.channel_ids = channelIds;
      if (Object.keys(body).length === 0) return done();
      save.mutate(body, { onSuccess: done });
    } else {
      save.mutate(
        {
          type,
          ...(name.trim() ? { name: name.trim() } : {}),
          params: changedParams(params, defaultParams(type)),
          ...(scopeKind === "budget" ? { budget_id: budgetId } : { scope: Object.keys(scope).length ? scope : null }),
          channel_ids: channelIds,
        },
        { onSuccess: done },
      );
    }
  }

  const serverProblem = (path: string) => save.error?.field(path) ?? null;
  const shownProblems = [
    ...problems,
    ...(save.error?.details ?? []).filter((d) => d.path.startsWith("params.")).map((d) => ({ field: d.path.split(".")[1] ?? "", message: d.message })),
  ];

  return (
    <RuleDialog
      title={rule ? `Tune "${rule.name}"` : "Add an alert rule"}
      description={rule ? RULE_TYPE_LABELS[rule.type] : "Pick what to watch, for whom, and where alerts go."}
      onClose={onClose}
      testId="rule-dialog"
    >
      <form onSubmit={submit} noValidate aria-label={rule ? "Tune rule" : "New rule"} className="space-y-4">
        <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
          {rule ? null : (
            <SelectField label="Rule type" value={type} onChange={(e) => changeType(e.target.value as AlertRuleType)} error={serverProblem("type")}>
              {ALERT_RULE_TYPES.map((t) => (
                <option key={t} value={t}>{RULE_TYPE_LABELS[t]}</option>
              ))}
            </SelectField>
          )}
          <TextField
            label="Name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder={rule ? undefined : "Default: the type and what it watches"}
            error={serverProblem("name")}
          />
        </div>

        <fieldset className="rounded-md border border-zinc-200 p-3">
          <legend className="px-1 text-sm font-medium text-zinc-800">Parameters</legend>
          <RuleParamsFields type={type} values={values} problems={shownProblems} onChange={(field, value) => setValues((v) => ({ ...v, [field]: value }))} />
        </fieldset>

        <fieldset className="rounded-md border border-zinc-200 p-3">
          <legend className="px-1 text-sm font-medium text-zinc-800">Applies to</legend>
          {rule?.budget_id ? (
            <p className="text-sm text-zinc-700">Budget &ldquo;{budget?.name ?? rule.budget_id}&rdquo; only.</p>
          ) : (
            <div className="space-y-2">
              <div className="flex flex-wrap gap-4">
                {(["all", "team", ...(budgetType && !rule ? (["budget"] as const) : [])] as ScopeKind[]).map((kind) => (
                  <label key={kind} className="flex items-center gap-1.5 text-sm text-zinc-800">
                    <input type="radio" name={scopeName} value={kind} checked={scopeKind === kind} onChange={() => setScopeKind(kind)} />
                    {kind === "all" ? "All spend" : kind === "team" ? "One team" : "One budget"}
                  </label>
                ))}
              </div>
              {scopeKind === "team" ? (
                <SelectField label="Team" value={team} onChange={(e) => setTeam(e.target.value)} error={(submitted ? scopeProblem : null) ?? serverProblem("scope")}>
                  <option value="">Choose a team…</option>
                  {team && !targets.teams.some((t) => t.slug === team) ? <option value={team}>{team}</option> : null}
                  {targets.teams.map((t) => (
                    <option key={t.slug} value={t.slug}>{t.name === t.slug ? t.slug : `${t.name} (${t.slug})`}</option>
                  ))}
                </SelectField>
              ) : null}
              {scopeKind === "budget" ? (
                <SelectField label="Budget" value={budgetId} onChange={(e) => setBudgetId(e.target.value)} error={(submitted ? scopeProblem : null) ?? serverProblem("budget_id")}>
                  <option value="">Choose a budget…</option>
                  {targets.budgets.map((b) => (
                    <option key={b.id} value={b.id}>{b.name}</option>
                  ))}
                </SelectField>
              ) : null}
              {Object.keys(otherTags).length > 0 ? (
                <p className="text-xs text-zinc-500">Also limited to {Object.entries(otherTags).map(([k, v]) => `${k} ${String(v)}`).join(", ")} (set through the API).</p>
              ) : null}
            </div>
          )}
        </fieldset>

        <fieldset className="rounded-md border border-zinc-200 p-3" aria-describedby={`${scopeName}-channels-hint`}>
          <legend className="px-1 text-sm font-medium text-zinc-800">Channels</legend>
          {targets.channels.length === 0 ? (
            <p className="text-sm text-zinc-600">No channels yet: add one in the Channels panel.</p>
          ) : (
            <div className="flex flex-wrap gap-x-4 gap-y-1">
              {targets.channels.map((channel) => (
                <label key={channel.id} className="flex items-center gap-1.5 text-sm text-zinc-800">
                  <input
                    type="checkbox"
                    checked={channelIds.includes(channel.id)}
                    onChange={(e) => setChannelIds((ids) => (e.target.checked ? [...ids, channel.id] : ids.filter((id) => id !== channel.id)))}
                  />
                  {channel.name}
                  <span className="text-xs text-zinc-500">{channelTypeLabel(channel.type)}{channel.enabled ? "" : ", disabled"}</span>
                </label>
              ))}
            </div>
          )}
          <p id={`${scopeName}-channels-hint`} className="mt-1 text-xs text-zinc-500">None checked: every enabled channel.</p>
          {serverProblem("channel_ids") ? <p className="mt-1 text-xs text-rose-700">{serverProblem("channel_ids")}</p> : null}
        </fieldset>

        <div className="rounded-md bg-zinc-50 px-3 py-2">
          <p className="text-xs font-medium text-zinc-500">Preview</p>
          <p aria-live="polite" data-testid="rule-preview" className="text-sm text-zinc-900">
            {preview.ok ? preview.sentence : "Fix the highlighted fields to see when this rule fires."}
          </p>
        </div>

        {save.error && save.error.details.length === 0 ? <FieldError message={save.error.message} /> : null}
        {save.error && save.error.details.length > 0 ? <FieldError message={`${save.error.message} ${save.error.details.map((d) => `${d.path}: ${d.message}`).join("; ")}`} /> : null}
        <div className="flex justify-end gap-2">
          <Button type="submit" disabled={save.isPending}>{save.isPending ? "Saving…" : rule ? "Save rule" : "Add rule"}</Button>
        </div>
      </form>
    </RuleDialog>
  );
}
