import Link from "next/link";
import type { AlertView } from "@/lib/alerts/alerts";
import type { AllocationView } from "@/lib/quotas/standing";
import type { BurstView } from "@/lib/quotas/bursts";
import { formatDayTime } from "@/lib/format";
import { Money } from "@/lib/money";
import { formatQuotaAmount } from "@/lib/quotas/view";
import { withQuery } from "@/components/queries/query-string";
import { Panel } from "@/components/ui/panel";
import { UtilizationBar } from "@/components/quotas/utilization-bar";
import { Failed, type Settled } from "./settled";

/**
 * The team page's quota and alert panels. Each is an async server component that awaits
 * its own report (started by the page beside the others) inside its own <Suspense>: a slow
 * one shows its skeleton while the rest of the page is already there, and a failing one
 * says so in its place.
 */

const LINK = "font-medium underline underline-offset-2";

/** The team's allocations this period: used of limit (baseline + active bursts). */
export async function TeamAllocations({ report, slug }: { report: Promise<Settled<AllocationView[]>>; slug: string }) {
  const result = await report;
  return (
    <Panel title="Quota" titleId="team-quota-title" description="This month (UTC); the limit includes approved bursts in effect">
      {!result.ok ? (
        <Failed what="The allocations" message={result.message} />
      ) : result.value.length === 0 ? (
        <p className="text-sm text-zinc-600" data-testid="team-allocations-empty">
          No quota allocation for this team. Admins set allocations on the <Link href="/quotas" className={LINK}>Quotas</Link> page.
        </p>
      ) : (
        <ul className="space-y-3 text-sm" data-testid="team-allocations">
          {result.value.map((a) => (
            <li key={a.id} data-allocation={a.model ?? "team-wide"}>
              <div className="flex flex-wrap items-baseline justify-between gap-2">
                <span className="font-medium text-zinc-900">{a.model ?? "All models"}</span>
                <span className="tabular text-zinc-700" data-testid="team-allocation-usage">
                  {formatQuotaAmount(a.used, a.unit)} of {formatQuotaAmount(a.limit, a.unit)}
                </span>
              </div>
              <div className="mt-1 flex flex-wrap items-center gap-2">
                <UtilizationBar allocation={a} label={`Quota used by ${slug}${a.model ? ` on ${a.model}` : ""}`} />
                {a.over ? <span className="rounded-full bg-rose-50 px-2 py-0.5 text-xs font-medium text-rose-800 ring-1 ring-rose-200 ring-inset">over</span> : null}
                {a.idle ? <span className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs font-medium text-zinc-700 ring-1 ring-zinc-200 ring-inset">idle</span> : null}
              </div>
              {new Money(a.burst_amount).gt(0) ? (
                <p className="mt-0.5 text-xs text-zinc-500">includes {formatQuotaAmount(a.burst_amount, a.unit)} of approved bursts</p>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}

/** The team's pending burst requests, and where to decide or file them. */
export async function TeamBursts({
  report,
  canDecide,
  canRequest,
}: {
  report: Promise<Settled<BurstView[]>>;
  canDecide: boolean;
  canRequest: boolean;
}) {
  const result = await report;
  const reviewHref = canDecide ? "/quotas#approval-queue-title" : "/quotas#my-requests-title";
  return (
    <Panel title="Open burst requests" titleId="team-bursts-title" description="Waiting for an admin's decision">
      {!result.ok ? (
        <Failed what="The burst requests" message={result.message} />
      ) : result.value.length === 0 ? (
        <p className="text-sm text-zinc-600" data-testid="team-bursts-empty">No burst request is pending.</p>
      ) : (
        <ul className="space-y-2 text-sm" data-testid="team-bursts">
          {result.value.map((b) => (
            <li key={b.id} data-burst={b.id}>
              <p className="font-medium text-zinc-900">
                +{formatQuotaAmount(b.amount, b.unit)} <span className="font-normal text-zinc-600">until {formatDayTime(new Date(b.ends_at))}</span>
              </p>
              <p className="text-xs text-zinc-600">
                {b.reason}
                {b.requested_by ? ` · ${b.requested_by.email}` : ""}
              </p>
            </li>
          ))}
        </ul>
      )}
      <p className="mt-3 flex flex-wrap gap-x-3 text-sm">
        <Link href={reviewHref} className={LINK}>{canDecide ? "Decide on the Quotas page" : "Requests on the Quotas page"}</Link>
        {canRequest ? <Link href="/quotas#burst-form-title" className={LINK}>Request a burst</Link> : null}
      </p>
    </Panel>
  );
}

/** The team's firing alerts that nobody acknowledged yet. */
export async function TeamOpenAlerts({ report }: { report: Promise<Settled<AlertView[]>> }) {
  const result = await report;
  return (
    <Panel title="Open alerts" titleId="team-alerts-title" description="Firing and not acknowledged">
      {!result.ok ? (
        <Failed what="The alerts" message={result.message} />
      ) : result.value.length === 0 ? (
        <p className="text-sm text-zinc-600" data-testid="team-alerts-empty">No open alerts for this team.</p>
      ) : (
        <ul className="space-y-2 text-sm" data-testid="team-alerts">
          {result.value.map((alert) => (
            <li key={alert.id} data-alert-type={alert.type}>
              <Link href={withQuery("/alerts", { type: alert.type })} className="text-zinc-900 hover:underline">
                {alert.message}
              </Link>
              <p className="text-xs text-zinc-500">
                <code>{alert.type}</code> · fired {formatDayTime(new Date(alert.fired_at))}
              </p>
            </li>
          ))}
        </ul>
      )}
      <Link href="/alerts" className={`mt-3 inline-block text-sm ${LINK}`}>All alerts</Link>
    </Panel>
  );
}
