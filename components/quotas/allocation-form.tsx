"use client";

import { useState, type FormEvent } from "react";
import { apiFetch, ApiClientError } from "@/components/api-client";
import { Button } from "@/components/ui/button";
import { FieldError, SelectField, TextField } from "@/components/ui/form-fields";
import { amountProblem, type QuotaUnitKey } from "@/lib/quotas/view";
import type { CreateAllocationBody, UpdateAllocationBody } from "@/lib/schemas/quota";
import type { AllocationView } from "./quota-types";
import { asApiError } from "./use-quotas";

const FIELDS = ["team", "unit", "amount", "model", "requests_per_minute", "tokens_per_minute"] as const;

const trimZeros = (amount: string) => (amount.includes(".") ? amount.replace(/\.?0+$/, "") : amount);

/** An optional whole-number rate limit: null when empty; undefined (and a problem) when malformed. */
function rate(text: string): { value: number | null; problem: string | null } {
  if (!text) return { value: null, problem: null };
  if (!/^\d+$/.test(text) || Number(text) < 1) return { value: null, problem: "must be a whole number above zero" };
  return { value: Number(text), problem: null };
}

/** Create (POST /api/v1/quota/allocations) or edit (PATCH …/{id}) a team's monthly baseline. Admins only. */
export function AllocationForm({
  teams,
  allocation,
  onSaved,
  onCancel,
}: {
  teams: string[];
  allocation?: AllocationView;
  onSaved: (saved: AllocationView) => void;
  onCancel?: () => void;
}) {
  const [error, setError] = useState<ApiClientError | null>(null);
  const [pending, setPending] = useState(false);
  const [unit, setUnit] = useState<QuotaUnitKey>(allocation?.unit ?? "usd");

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? "").trim();
    const rpm = rate(text("requests_per_minute"));
    const tpm = rate(text("tokens_per_minute"));
    const problems = [
      ...(allocation || text("team") ? [] : [{ path: "team", message: "is required" }]),
      ...(amountProblem(text("amount"), unit) ? [{ path: "amount", message: amountProblem(text("amount"), unit) ?? "" }] : []),
      ...(rpm.problem ? [{ path: "requests_per_minute", message: rpm.problem }] : []),
      ...(tpm.problem ? [{ path: "tokens_per_minute", message: tpm.problem }] : []),
    ];
    if (problems.length) {
      setError(new ApiClientError("Check the highlighted fields.", 400, "invalid_request", problems));
      return;
    }
    const limits = { requests_per_minute: rpm.value, tokens_per_minute: tpm.value };
    const model = text("model");
    setPending(true);
    setError(null);
    try {
      const saved = allocation
        ? await apiFetch<AllocationView>(`/api/v1/quota/allocations/${allocation.id}`, {
            method: "PATCH",
            body: { unit, amount: text("amount"), model: model || null, ...limits } satisfies UpdateAllocationBody,
          })
        : await apiFetch<AllocationView>("/api/v1/quota/allocations", {
            method: "POST",
            body: {
              team: text("team"),
              unit,
              amount: text("amount"),
              period: "month",
              ...(model ? { model } : {}),
              ...(limits.requests_per_minute !== null ? { requests_per_minute: limits.requests_per_minute } : {}),
              ...(limits.tokens_per_minute !== null ? { tokens_per_minute: limits.tokens_per_minute } : {}),
            } satisfies CreateAllocationBody,
          });
      if (!allocation) {
        form.reset();
        setUnit("usd");
      }
      onSaved(saved);
    } catch (caught) {
      setError(asApiError(caught, "Saving the allocation failed."));
    } finally {
      setPending(false);
    }
  }

  const name = allocation ? `Edit allocation for ${allocation.team}${allocation.model ? ` (${allocation.model})` : ""}` : "New allocation";
  return (
    <form onSubmit={submit} aria-label={name} className="space-y-3" noValidate>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3">
        {allocation ? (
          <TextField label="Team" name="team_readonly" value={allocation.team} readOnly disabled />
        ) : (
          <SelectField label="Team" name="team" defaultValue="" required error={error?.field("team")}>
            <option value="" disabled>Choose a team…</option>
            {teams.map((slug) => (
              <option key={slug} value={slug}>{slug}</option>
            ))}
          </SelectField>
        )}
        <SelectField label="Unit" name="unit" value={unit} onChange={(e) => setUnit(e.target.value as QuotaUnitKey)} error={error?.field("unit")}>
          <option value="usd">US dollars</option>
          <option value="tokens">Tokens</option>
        </SelectField>
        <TextField
          label="Monthly amount"
          name="amount"
          inputMode={unit === "usd" ? "decimal" : "numeric"}
          defaultValue={allocation ? trimZeros(allocation.amount) : undefined}
          // Opening "Edit" lands on the field that is usually changed.
          autoFocus={allocation !== undefined}
          required
          hint={unit === "usd" ? "In USD, e.g. 500 or 1250.50" : "Whole tokens, e.g. 20000000"}
          error={error?.field("amount")}
        />
        <TextField label="Model (optional)" name="model" defaultValue={allocation?.model ?? ""} hint="Empty: the allocation covers every model" error={error?.field("model")} />
        <TextField label="Requests per minute (optional)" name="requests_per_minute" inputMode="numeric" defaultValue={allocation?.requests_per_minute ?? ""} error={error?.field("requests_per_minute")} />
        <TextField label="Tokens per minute (optional)" name="tokens_per_minute" inputMode="numeric" defaultValue={allocation?.tokens_per_minute ?? ""} error={error?.field("tokens_per_minute")} />
      </div>
      {error && !FIELDS.some((f) => error.field(f)) ? <FieldError message={error.message} /> : null}
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>{pending ? "Saving…" : allocation ? "Save allocation" : "Set allocation"}</Button>
        {onCancel ? <Button variant="secondary" onClick={onCancel}>Cancel</Button> : null}
      </div>
    </form>
  );
}
