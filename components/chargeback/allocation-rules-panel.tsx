"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { apiFetch, ApiClientError } from "@/components/api-client";
import { useApiQuery, useTeams } from "@/components/queries/hooks";
import { QUERY_ROOTS, queries } from "@/components/queries/keys";
import { Button } from "@/components/ui/button";
import { FieldError, SelectField, TextField } from "@/components/ui/form-fields";
import { Panel } from "@/components/ui/panel";
import { ScrollRegion } from "@/components/ui/scroll-region";
import type { AllocationMethod, RuleMatch } from "@/lib/chargeback/allocate";
import type { AllocationRuleView, RulePreview } from "@/lib/chargeback/rules";
import { formatMoney } from "@/lib/format";
import { Money } from "@/lib/money";
import { ALLOCATION_METHODS } from "@/lib/schemas/chargeback";
import { matchSummary, METHOD_LABELS, monthLabel } from "@/lib/view/chargeback";

/**
 * The allocation rules, in the order they claim spend; finance and admins add one from a
 * preview of what each team would get in the page's month, or delete one.
 */
export function AllocationRulesPanel({ canManage, month }: { canManage: boolean; month: string }) {
  const rules = useApiQuery(queries.allocationRules());
  const titleId = useId();
  const list = rules.data?.rules ?? [];
  return (
    <Panel
      title="Allocation rules"
      titleId={titleId}
      description="Shared and untagged spend, spread over teams. A line goes to the first rule that matches it: more specific rules first (more match keys), then the earlier effective month, then the older rule. Closed months keep the rules they were closed with."
    >
      {rules.isError ? <FieldError message={rules.error.message} /> : null}
      {rules.isSuccess && list.length === 0 ? (
        <p className="text-sm text-zinc-600" data-testid="rules-empty">
          No rules yet: every team pays its own direct spend and untagged spend stays unallocated.
        </p>
      ) : null}
      {list.length > 0 ? (
        <ScrollRegion label="Allocation rules">
          <table className="w-full text-sm" aria-labelledby={titleId} data-testid="allocation-rules">
            <thead className="text-xs text-zinc-500">
              <tr>
                <th scope="col" className="px-2 py-2 text-right font-medium">#</th>
                <th scope="col" className="px-2 py-2 text-left font-medium">Rule</th>
                <th scope="col" className="px-2 py-2 text-left font-medium">Matches</th>
                <th scope="col" className="px-2 py-2 text-left font-medium">Spread</th>
                <th scope="col" className="px-2 py-2 text-left font-medium">From</th>
                {canManage ? <th scope="col" className="px-2 py-2"><span className="sr-only">Actions</span></th> : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {list.map((rule) => (
                <RuleRow key={rule.id} rule={rule} canManage={canManage} />
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      ) : null}
      {canManage ? <NewRuleForm month={month} /> : null}
    </Panel>
  );
}

function RuleRow({ rule, canManage }: { rule: AllocationRuleView; canManage: boolean }) {
  const client = useQueryClient();
  const remove = useMutation<unknown, ApiClientError>({
    mutationFn: () => apiFetch(`/api/v1/allocation-rules/${rule.id}`, { method: "DELETE" }),
    onSettled: () => client.invalidateQueries({ queryKey: QUERY_ROOTS.chargeback }),
  });
  return (
    <tr data-testid="allocation-rule">
      <td className="tabular px-2 py-2 text-right text-zinc-500">{rule.order}</td>
      <td className="px-2 py-2 font-medium text-zinc-900">{rule.name}</td>
      <td className="px-2 py-2 text-zinc-700">{matchSummary(rule.match)}</td>
      <td className="px-2 py-2 text-zinc-700">
        {METHOD_LABELS[rule.method]}
        {rule.targets ? `: ${rule.targets.map((t) => `${t.team} ${t.percent}%`).join(", ")}` : ""}
      </td>
      <td className="px-2 py-2 whitespace-nowrap text-zinc-700">{monthLabel(rule.effective_from)}</td>
      {canManage ? (
        <td className="px-2 py-2 text-right">
          <Button size="sm" variant="danger" onClick={() => remove.mutate()} disabled={remove.isPending} aria-label={`Delete the rule ${rule.name}`}>
            {remove.isPending ? "Deleting…" : "Delete"}
          </Button>
          {remove.isError ? <FieldError message={remove.error.message} /> : null}
        </td>
      ) : null}
    </tr>
  );
}

const MATCH_TEXT_KEYS = ["feature", "environment", "tenant", "provider", "model"] as const;
type TeamChoice = "any" | "none" | "team";

interface Draft {
  name: string;
  teamChoice: TeamChoice;
  team: string;
  fields: Record<(typeof MATCH_TEXT_KEYS)[number], string>;
  method: AllocationMethod;
  targets: { team: string; percent: string }[];
  effectiveFrom: string;
}

function bodyOf(draft: Draft) {
  const match: RuleMatch = {};
  if (draft.teamChoice === "none") match.team = null;
  if (draft.teamChoice === "team") match.team = draft.team.trim();
  for (const key of MATCH_TEXT_KEYS) if (draft.fields[key].trim()) match[key] = draft.fields[key].trim();
  return {
    name: draft.name,
    match,
    method: draft.method,
    ...(draft.method === "fixed" ? { targets: draft.targets.map((t) => ({ team: t.team.trim(), percent: t.percent.trim() })) } : {}),
    effective_from: draft.effectiveFrom,
  };
}

function NewRuleForm({ month }: { month: string }) {
  const client = useQueryClient();
  const teams = useTeams();
  const listId = useId();
  const empty = (): Draft => ({
    name: "",
    teamChoice: "none",
    team: "",
    fields: { feature: "", environment: "", tenant: "", provider: "", model: "" },
    method: "proportional",
    targets: [
      { team: "", percent: "50" },
      { team: "", percent: "50" },
    ],
    effectiveFrom: month,
  });
  const [draft, setDraft] = useState<Draft>(empty);
  const [previewed, setPreviewed] = useState<string | null>(null);
  const preview = useMutation<RulePreview, ApiClientError, ReturnType<typeof bodyOf>>({
    mutationFn: (body) => apiFetch<RulePreview>("/api/v1/allocation-rules/preview", { method: "POST", body: { ...body, month } }),
    onSuccess: (_data, body) => setPreviewed(JSON.stringify(body)),
  });
  const save = useMutation<AllocationRuleView, ApiClientError, ReturnType<typeof bodyOf>>({
    mutationFn: (body) => apiFetch<AllocationRuleView>("/api/v1/allocation-rules", { method: "POST", body }),
    onSuccess: () => {
      setDraft(empty());
      setPreviewed(null);
      preview.reset();
    },
    onSettled: () => client.invalidateQueries({ queryKey: QUERY_ROOTS.chargeback }),
  });
  const change = (next: Partial<Draft>) => setDraft((current) => ({ ...current, ...next }));
  const body = bodyOf(draft);
  // Saving is offered for exactly the rule that was previewed.
  const upToDate = previewed === JSON.stringify(body) && preview.isSuccess;
  const error = (save.error ?? preview.error) instanceof ApiClientError ? (save.error ?? preview.error) : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    preview.mutate(body);
  };
  return (
    <form onSubmit={submit} className="mt-4 space-y-3 border-t border-zinc-100 pt-4" aria-label="New allocation rule">
      <h3 className="text-sm font-semibold text-zinc-900">New rule</h3>
      <datalist id={listId}>
        {(teams.data?.teams ?? []).map((team) => (
          <option key={team.slug} value={team.slug} />
        ))}
      </datalist>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-3">
        <TextField label="Name" required value={draft.name} onChange={(event) => change({ name: event.target.value })} error={error?.field("name")} />
        <SelectField label="Team" value={draft.teamChoice} onChange={(event) => change({ teamChoice: event.target.value as TeamChoice })} error={error?.field("match.team")}>
          <option value="none">Spend with no team tag</option>
          <option value="team">A team’s spend (shared)</option>
          <option value="any">Any team</option>
        </SelectField>
        {draft.teamChoice === "team" ? (
          <TextField label="Team slug" list={listId} value={draft.team} onChange={(event) => change({ team: event.target.value })} />
        ) : (
          <div />
        )}
        {MATCH_TEXT_KEYS.map((key) => (
          <TextField
            key={key}
            label={`${key[0]?.toUpperCase()}${key.slice(1)} (optional)`}
            value={draft.fields[key]}
            onChange={(event) => change({ fields: { ...draft.fields, [key]: event.target.value } })}
            error={error?.field(`match.${key}`)}
          />
        ))}
        <SelectField label="Spread" value={draft.method} onChange={(event) => change({ method: event.target.value as AllocationMethod })} error={error?.field("method")}>
          {ALLOCATION_METHODS.map((method) => (
            <option key={method} value={method}>
              {METHOD_LABELS[method]}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Effective from (month)"
          type="month"
          required
          value={draft.effectiveFrom}
          onChange={(event) => change({ effectiveFrom: event.target.value })}
          error={error?.field("effective_from")}
        />
      </div>
      {error?.field("match") && !MATCH_TEXT_KEYS.some((key) => error.field(`match.${key}`)) ? <FieldError message={`Match: ${error.field("match")}`} /> : null}
      {draft.method === "fixed" ? (
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium text-zinc-800">Targets (percents summing to 100)</legend>
          {draft.targets.map((target, i) => (
            <div key={i} className="flex flex-wrap items-end gap-2">
              <TextField label={`Team ${i + 1}`} list={listId} value={target.team} onChange={(event) => change({ targets: draft.targets.map((t, j) => (j === i ? { ...t, team: event.target.value } : t)) })} error={error?.field(`targets.${i}.team`)} />
              <TextField label={`Percent ${i + 1}`} inputMode="decimal" value={target.percent} onChange={(event) => change({ targets: draft.targets.map((t, j) => (j === i ? { ...t, percent: event.target.value } : t)) })} error={error?.field(`targets.${i}.percent`)} />
              {draft.targets.length > 1 ? (
                <Button size="sm" variant="secondary" onClick={() => change({ targets: draft.targets.filter((_, j) => j !== i) })} aria-label={`Remove target ${i + 1}`}>
                  Remove
                </Button>
              ) : null}
            </div>
          ))}
          <Button size="sm" variant="secondary" onClick={() => change({ targets: [...draft.targets, { team: "", percent: "0" }] })}>
            Add a target
          </Button>
          {error?.details.find((d) => d.path === "targets") ? <FieldError message={error.details.find((d) => d.path === "targets")?.message ?? ""} /> : null}
        </fieldset>
      ) : null}
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" variant="secondary" disabled={preview.isPending || draft.name.trim() === ""}>
          {preview.isPending ? "Previewing…" : `Preview ${monthLabel(month)}`}
        </Button>
        {error && error.details.length === 0 ? <FieldError message={error.message} /> : null}
        {save.isSuccess ? (
          <p role="status" className="text-sm text-emerald-700">
            Rule saved: the statements now include it.
          </p>
        ) : null}
      </div>
      {preview.data ? (
        <div className="space-y-2" data-testid="rule-preview">
          <p className="text-sm text-zinc-700" role="status">
            In {monthLabel(preview.data.month)} this rule claims {formatMoney(preview.data.matched_usd)}. Unallocated: {formatMoney(preview.data.unallocated_before_usd)} →{" "}
            {formatMoney(preview.data.unallocated_after_usd)}.
          </p>
          <ScrollRegion label="Preview by team">
            <table className="w-full text-sm">
              <thead className="text-xs text-zinc-500">
                <tr>
                  <th scope="col" className="px-2 py-2 text-left font-medium">Team</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">Now</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">With the rule</th>
                  <th scope="col" className="px-2 py-2 text-right font-medium">Change</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-zinc-100">
                {preview.data.rows.map((row) => (
                  <tr key={row.team} data-testid="preview-row">
                    <td className="px-2 py-2">{row.team}</td>
                    <td className="tabular px-2 py-2 text-right">{formatMoney(row.before_usd)}</td>
                    <td className="tabular px-2 py-2 text-right">{formatMoney(row.after_usd)}</td>
                    <td className="tabular px-2 py-2 text-right">{new Money(row.change_usd).isZero() ? "—" : `${new Money(row.change_usd).isNegative() ? "−" : "+"}${formatMoney(new Money(row.change_usd).abs())}`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
          <Button onClick={() => save.mutate(body)} disabled={!upToDate || save.isPending}>
            {save.isPending ? "Saving…" : upToDate ? "Save rule" : "Preview again to save"}
          </Button>
        </div>
      ) : null}
    </form>
  );
}
