"use client";

import { useState, type FormEvent } from "react";
import { apiFetch, ApiClientError } from "@/components/api-client";
import { Button } from "@/components/ui/button";
import { FieldError, SelectField, TextField } from "@/components/ui/form-fields";
import type { BudgetJson } from "./budget-types";

/** Create (POST /api/v1/budgets) or edit (PATCH /api/v1/budgets/{id}) a monthly budget. */
export function BudgetForm({
  teams,
  budget,
  onSaved,
  onCancel,
}: {
  teams: string[];
  budget?: BudgetJson;
  onSaved: (saved: BudgetJson) => void;
  onCancel?: () => void;
}) {
  const [error, setError] = useState<ApiClientError | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? "").trim();
    const scope = Object.fromEntries(
      (["team", "feature", "environment", "tenant"] as const).flatMap((key) => (text(key) ? [[key, text(key)]] : [])),
    );
    const thresholds = text("thresholds")
      .split(/[,\s]+/)
      .filter(Boolean)
      .map((t) => Number(t.replace(/%$/, "")));
    // The cap: off (null), deny everything in scope, or deny the listed models only.
    const capAction = text("cap_action");
    const enforce =
      capAction === ""
        ? null
        : {
            at_percent: Number(text("cap_percent") || "100"),
            action: capAction,
            ...(capAction === "deny_models" ? { models: text("cap_models").split(/[,\s]+/).filter(Boolean) } : {}),
          };
    const body = {
      name: text("name"),
      amount_usd: text("amount_usd"),
      scope,
      ...(budget ? {} : { period: "month" }),
      ...(thresholds.length ? { thresholds } : {}),
      ...(budget && budget.enforce === null && enforce === null ? {} : { enforce }),
    };
    setPending(true);
    setError(null);
    try {
      const saved = budget
        ? await apiFetch<BudgetJson>(`/api/v1/budgets/${budget.id}`, { method: "PATCH", body })
        : await apiFetch<BudgetJson>("/api/v1/budgets", { method: "POST", body });
      if (!budget) form.reset();
      onSaved(saved);
    } catch (caught) {
      setError(caught instanceof ApiClientError ? caught : new ApiClientError("Saving failed.", 0, "unknown", []));
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label={budget ? `Edit ${budget.name}` : "New budget"} className="space-y-3" noValidate>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <TextField label="Name" name="name" defaultValue={budget?.name} required error={error?.field("name")} />
        <TextField label="Monthly amount (USD)" name="amount_usd" inputMode="decimal" defaultValue={budget?.amount_usd.replace(/\.?0+$/, "")} required error={error?.field("amount_usd")} />
        <TextField
          label="Alert thresholds (%)"
          name="thresholds"
          defaultValue={(budget?.thresholds ?? [50, 80, 100]).join(", ")}
          hint="Comma-separated, e.g. 50, 80, 100"
          error={error?.field("thresholds")}
        />
        <SelectField label="Team" name="team" defaultValue={budget?.scope.team ?? ""} error={error?.field("scope.team")}>
          <option value="">Whole organisation</option>
          {teams.map((slug) => (
            <option key={slug} value={slug}>{slug}</option>
          ))}
        </SelectField>
        <TextField label="Feature (optional)" name="feature" defaultValue={budget?.scope.feature ?? ""} error={error?.field("scope.feature")} />
        <TextField label="Environment (optional)" name="environment" defaultValue={budget?.scope.environment ?? ""} error={error?.field("scope.environment")} />
        <TextField label="Tenant (optional)" name="tenant" defaultValue={budget?.scope.tenant ?? ""} error={error?.field("scope.tenant")} />
        <SelectField label="Cap" name="cap_action" defaultValue={budget?.enforce?.action ?? ""} error={error?.field("enforce.action")}>
          <option value="">No cap (alerts only)</option>
          <option value="deny">Refuse calls in scope at the cap</option>
          <option value="deny_models">Refuse listed models at the cap</option>
        </SelectField>
        <TextField
          label="Cap at (% of amount)"
          name="cap_percent"
          inputMode="numeric"
          defaultValue={String(budget?.enforce?.at_percent ?? 100)}
          hint="The quota check refuses from this share of the amount"
          error={error?.field("enforce.at_percent")}
        />
        <TextField
          label="Models refused (for a model cap)"
          name="cap_models"
          defaultValue={(budget?.enforce?.models ?? []).join(", ")}
          hint="Comma-separated, e.g. gpt-4o, claude-opus-4"
          error={error?.field("enforce.models")}
        />
      </div>
      {error && !["name", "amount_usd", "thresholds", "scope", "enforce"].some((f) => error.field(f)) ? <FieldError message={error.message} /> : null}
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>{pending ? "Saving…" : budget ? "Save budget" : "Create budget"}</Button>
        {onCancel ? <Button variant="secondary" onClick={onCancel}>Cancel</Button> : null}
      </div>
    </form>
  );
}
