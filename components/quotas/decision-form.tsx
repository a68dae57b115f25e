"use client";

import { useState } from "react";
import { apiFetch, ApiClientError } from "@/components/api-client";
import { Button } from "@/components/ui/button";
import { TextField } from "@/components/ui/form-fields";
import { approvalAmountProblem, formatQuotaAmount, unitLabel } from "@/lib/quotas/view";
import type { BurstRequestView } from "./quota-types";
import { decisionErrorMessage, useQuotaMutation } from "./use-quotas";

type Decision = { action: "approve" | "reject"; comment: string; amount: string };

/** Approve (optionally a smaller amount) or reject one pending request, with a comment for the requester. */
export function DecisionForm({ request, onOutcome }: { request: BurstRequestView; onOutcome: (outcome: { ok: boolean; message: string }) => void }) {
  const [amount, setAmount] = useState("");
  const [comment, setComment] = useState("");
  const [amountError, setAmountError] = useState<string | null>(null);
  const label = `+${formatQuotaAmount(request.amount, request.unit)} for ${request.team}`;
  // The outcome is reported inside the mutation itself: once the list refreshes this row
  // unmounts, and react-query skips a mutate() call's own callbacks after that.
  const decide = useQuotaMutation(async ({ action, comment, amount }: Decision) => {
    try {
      const decided = await apiFetch<BurstRequestView>(`/api/v1/quota/requests/${request.id}/${action}`, {
        method: "POST",
        body: {
          ...(comment ? { comment } : {}),
          ...(action === "approve" && amount ? { amount } : {}),
        },
      });
      const granted = decided.approved_amount ?? decided.amount;
      onOutcome({ ok: true, message: decided.status === "approved" ? `Approved +${formatQuotaAmount(granted, decided.unit)} for ${decided.team}.` : `Rejected ${label}.` });
      return decided;
    } catch (caught) {
      if (caught instanceof ApiClientError && caught.status === 409) onOutcome({ ok: false, message: decisionErrorMessage(caught) });
      throw caught;
    }
  });


  function run(action: Decision["action"]) {
    const problem = action === "approve" ? approvalAmountProblem(amount, request.amount, request.unit) : null;
    setAmountError(problem);
    if (problem) return;
    decide.mutate({ action, comment: comment.trim(), amount: amount.trim() });
  }

  const error: ApiClientError | null = decide.error;
  const serverAmountError = error?.field("amount");
  return (
    <form aria-label={`Decide ${label}`} className="space-y-2" noValidate onSubmit={(e) => e.preventDefault()}>
      <TextField
        label={`Approve amount (${unitLabel(request.unit)}, optional)`}
        name="amount"
        inputMode={request.unit === "usd" ? "decimal" : "numeric"}
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
        placeholder={request.amount.replace(/\.?0+$/, "")}
        hint="Empty approves the full amount; a smaller figure approves part of it"
        error={amountError ?? serverAmountError}
      />
      <TextField label="Comment (optional)" name="comment" value={comment} onChange={(e) => setComment(e.target.value)} error={error?.field("comment")} />
      {error && error.status !== 409 && !serverAmountError && !error.field("comment") ? (
        <p role="alert" className="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-800">{decisionErrorMessage(error)}</p>
      ) : null}
      <div className="flex gap-2">
        <Button size="sm" onClick={() => run("approve")} disabled={decide.isPending} aria-label={`Approve ${label}`}>Approve</Button>
        <Button variant="danger" size="sm" disabled={decide.isPending} onClick={() => run("reject")} aria-label={`Reject ${label}`}>Reject</Button>
      </div>
    </form>
  );
}
