import { formatDayTime } from "@/lib/format";
import { formatQuotaAmount } from "@/lib/quotas/view";
import { Money } from "@/lib/money";
import type { BurstRequestView } from "./quota-types";
import { RequestStatusChip } from "./request-status-chip";

const at = (iso: string) => formatDayTime(new Date(iso));

/** "+$500.00 for search, Dec 1, 09:00 UTC → Dec 2, 09:00 UTC" and who asked why; shared by every request list. */
export function RequestSummary({ request, showRequester = true }: { request: BurstRequestView; showRequester?: boolean }) {
  const partial = request.approved_amount !== null && !new Money(request.approved_amount).eq(request.amount);
  return (
    <div className="min-w-0 space-y-1">
      <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-zinc-900">
        <RequestStatusChip status={request.status} />
        <span className="tabular">+{formatQuotaAmount(request.amount, request.unit)}</span>
        <span className="text-zinc-500">for</span>
        <span>{request.team}</span>
        {partial && request.approved_amount !== null ? (
          <span className="tabular text-xs font-normal text-emerald-800">approved {formatQuotaAmount(request.approved_amount, request.unit)}</span>
        ) : null}
      </p>
      <p className="tabular text-xs text-zinc-600">
        <span className="sr-only">Window: </span>
        {at(request.starts_at)} → {at(request.ends_at)}
      </p>
      <p className="text-sm text-zinc-800">{request.reason}</p>
      {request.expected_usage ? <p className="text-xs text-zinc-600">Expected usage: {request.expected_usage}</p> : null}
      <p className="text-xs text-zinc-500">
        {showRequester ? `Filed by ${request.requested_by?.email ?? "a removed user"} · ` : "Filed "}
        {at(request.created_at)}
        {request.decided_at ? ` · ${request.status} ${at(request.decided_at)}${request.decided_by ? ` by ${request.decided_by.email}` : ""}` : ""}
      </p>
      {request.decision_comment ? <p className="border-l-2 border-zinc-200 pl-2 text-xs text-zinc-700">“{request.decision_comment}”</p> : null}
    </div>
  );
}
