"use client";

import { useSearchParams } from "next/navigation";
import { useEffect, useRef, useState, useSyncExternalStore, type FormEvent } from "react";
import { apiFetch, ApiClientError } from "@/components/api-client";
import { Button } from "@/components/ui/button";
import { FieldError, SelectField, TextField, TextAreaField } from "@/components/ui/form-fields";
import { amountProblem, datetimeLocalToUtc, formatQuotaAmount, toDatetimeLocal, utcOffsetLabel, windowProblems, type QuotaUnitKey } from "@/lib/quotas/view";
import type { CreateBurstBody } from "@/lib/schemas/quota";
import type { AllocationView, BurstRequestView } from "./quota-types";
import { asApiError } from "./use-quotas";

const FIELDS = ["team", "unit", "amount", "starts_at", "ends_at", "reason", "expected_usage"] as const;
const DAY_MS = 24 * 60 * 60 * 1000;
const noSubscribe = () => () => {};

/**
 * POST /api/v1/quota/requests: a team lead asks for more than the baseline for a while.
 * The window is typed in the browser's zone (datetime-local) and sent as RFC 3339 UTC.
 */
export function BurstRequestForm({ teams, allocations, onFiled }: { teams: string[]; allocations: AllocationView[]; onFiled: (filed: BurstRequestView) => void }) {
  // The default window (now → +1 day) is in the browser's zone, which the server does not know.
  const mounted = useSyncExternalStore(noSubscribe, () => true, () => false);
  if (!mounted) return <div aria-busy="true" className="h-64 animate-pulse rounded bg-zinc-100" />;
  return <Fields teams={teams} allocations={allocations} onFiled={onFiled} />;
}

function Fields({ teams, allocations, onFiled }: { teams: string[]; allocations: AllocationView[]; onFiled: (filed: BurstRequestView) => void }) {
  const [error, setError] = useState<ApiClientError | null>(null);
  const [pending, setPending] = useState(false);
  const [filed, setFiled] = useState<BurstRequestView | null>(null);
  // `?burst=<team>` (the link of a "budget cap reached" notification) opens the form for that team.
  const linked = useSearchParams().get("burst");
  const fromCapHit = linked !== null && teams.includes(linked);
  const [team, setTeam] = useState(fromCapHit ? linked : (teams[0] ?? ""));
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!fromCapHit) return;
    formRef.current?.scrollIntoView({ block: "center" });
    formRef.current?.querySelector<HTMLInputElement>('input[name="amount"]')?.focus();
  }, [fromCapHit]);
  const baseline = allocations.find((a) => a.team === team && a.model === null) ?? allocations.find((a) => a.team === team);
  const [unitChoice, setUnitChoice] = useState<QuotaUnitKey | null>(null);
  const unit = unitChoice ?? baseline?.unit ?? "usd";
  const [defaults] = useState(() => {
    const now = new Date();
    return { start: toDatetimeLocal(now), end: toDatetimeLocal(new Date(now.getTime() + DAY_MS)), zone: utcOffsetLabel(now.getTimezoneOffset()) };
  });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? "").trim();
    const startsAt = datetimeLocalToUtc(text("starts_at"));
    const endsAt = datetimeLocalToUtc(text("ends_at"));
    const amountIssue = amountProblem(text("amount"), unit);
    const problems = [
      ...(team ? [] : [{ path: "team", message: "is required" }]),
      ...(amountIssue ? [{ path: "amount", message: amountIssue }] : []),
      ...windowProblems(startsAt, endsAt),
      ...(text("reason") ? [] : [{ path: "reason", message: "is required: say what the extra quota is for" }]),
    ];
    if (problems.length || !startsAt || !endsAt) {
      setError(new ApiClientError("Check the highlighted fields.", 400, "invalid_request", problems));
      return;
    }
    setPending(true);
    setError(null);
    try {
      const saved = await apiFetch<BurstRequestView>("/api/v1/quota/requests", {
        method: "POST",
        body: {
          team,
          unit,
          amount: text("amount"),
          starts_at: startsAt,
          ends_at: endsAt,
          reason: text("reason"),
          ...(text("expected_usage") ? { expected_usage: text("expected_usage") } : {}),
        } satisfies CreateBurstBody,
      });
      form.reset();
      setFiled(saved);
      onFiled(saved);
    } catch (caught) {
      setError(asApiError(caught, "Filing the request failed."));
    } finally {
      setPending(false);
    }
  }

  if (teams.length === 0) return <p className="text-sm text-zinc-600">You lead no team, so you cannot file burst requests.</p>;
  return (
    <form ref={formRef} onSubmit={submit} aria-label="New burst request" className="space-y-3" noValidate>
      {fromCapHit ? (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900" role="note">
          A budget cap is refusing {linked}&apos;s calls. Ask for what the team needs to finish its work; the admin who decides sees this request and can ask finance to raise the cap.
        </p>
      ) : null}
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <SelectField label="Team" name="team" value={team} onChange={(e) => { setTeam(e.target.value); setUnitChoice(null); }} error={error?.field("team")}>
          {teams.map((slug) => (
            <option key={slug} value={slug}>{slug}</option>
          ))}
        </SelectField>
        <SelectField label="Unit" name="unit" value={unit} onChange={(e) => setUnitChoice(e.target.value as QuotaUnitKey)} error={error?.field("unit")}>
          <option value="usd">US dollars</option>
          <option value="tokens">Tokens</option>
        </SelectField>
        <TextField
          label="Extra amount"
          name="amount"
          inputMode={unit === "usd" ? "decimal" : "numeric"}
          required
          hint={baseline ? `On top of the ${formatQuotaAmount(baseline.amount, baseline.unit)} monthly baseline (${formatQuotaAmount(baseline.used, baseline.unit)} used)` : "This team has no allocation yet"}
          error={error?.field("amount")}
        />
        <div className="hidden sm:block" />
        <TextField label="Window start" name="starts_at" type="datetime-local" defaultValue={defaults.start} required hint={`Your time (${defaults.zone}); stored in UTC`} error={error?.field("starts_at")} />
        <TextField label="Window end" name="ends_at" type="datetime-local" defaultValue={defaults.end} required hint={`Your time (${defaults.zone})`} error={error?.field("ends_at")} />
        <TextAreaField
          label="Reason"
          name="reason"
          required
          className="sm:col-span-2"
          defaultValue={fromCapHit ? "A budget cap reached this month is refusing our calls." : undefined}
          hint="What the extra quota is for, e.g. a re-index or a launch"
          error={error?.field("reason")}
        />
        <TextField label="Expected usage (optional)" name="expected_usage" className="sm:col-span-2" hint="e.g. 40M tokens over two days for the nightly re-embedding" error={error?.field("expected_usage")} />
      </div>
      {error && !FIELDS.some((f) => error.field(f)) ? <FieldError message={error.message} /> : null}
      {filed ? (
        <p role="status" className="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          Request for {formatQuotaAmount(filed.amount, filed.unit)} filed for {filed.team}: an admin will approve or reject it.
        </p>
      ) : null}
      <Button type="submit" disabled={pending}>{pending ? "Filing…" : "File request"}</Button>
    </form>
  );
}
