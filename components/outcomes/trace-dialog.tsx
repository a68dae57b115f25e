"use client";

import { useEffect, useRef } from "react";
import type { TraceDetail } from "@/lib/analytics/trace-detail";
import { formatCostWithUnpriced, formatDuration, spanMs } from "@/lib/view/outcomes";
import { formatCount, formatDayTime, formatTokens } from "@/lib/format";
import { Button } from "@/components/ui/button";
import { LoadError, LoadingRows } from "./states";
import { SuccessBadge } from "./top-traces-table";
import { TraceCallsTable } from "./trace-calls-table";
import { useTrace } from "@/components/queries/hooks";

/**
 * One trace's drill-down in a modal <dialog>: focus moves to its title when it opens,
 * Tab stays inside, Escape (or Close, or a click on the backdrop) closes it and focus
 * returns to the trace that opened it.
 */
export function TraceDialog({ traceId, scoped, onClose }: { traceId: string; scoped: boolean; onClose: () => void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);
  const trace = useTrace(traceId);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    titleRef.current?.focus();
    // No close() here: it would fire a late "close" event (closing the re-run dialog under
    // StrictMode); unmounting removes the element, which takes it out of the top layer.
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const notVisible = (trace.error as { status?: number } | null)?.status === 404;
  return (
    <dialog
      ref={dialogRef}
      aria-labelledby="trace-dialog-title"
      data-testid="trace-dialog"
      onClose={onClose}
      onClick={(event) => {
        if (event.target === event.currentTarget) event.currentTarget.close();
      }}
      className="m-0 ml-auto h-dvh max-h-dvh w-full max-w-5xl overflow-y-auto bg-white p-0 shadow-xl backdrop:bg-zinc-900/40"
    >
      <div className="px-5 py-4">
        <div className="flex items-start justify-between gap-4 border-b border-zinc-100 pb-3">
          <div className="min-w-0">
            <h2 id="trace-dialog-title" ref={titleRef} tabIndex={-1} className="text-base font-semibold text-zinc-900 focus:outline-none">
              Trace <span className="font-mono text-sm break-all">{traceId}</span>
            </h2>
            <p className="mt-0.5 text-xs text-zinc-500">
              Calls in time order and the outcomes they produced.
              {scoped ? " Only calls tagged with your teams, or untagged, are shown." : ""}
            </p>
          </div>
          <Button variant="secondary" size="sm" onClick={() => dialogRef.current?.close()}>
            Close<span className="sr-only"> trace details</span>
          </Button>
        </div>
        <div className="mt-4">
          {trace.data ? (
            <TraceBody detail={trace.data} />
          ) : notVisible ? (
            <p role="alert" className="py-8 text-center text-sm text-zinc-600">
              This trace is not visible to you, or it no longer exists.
            </p>
          ) : trace.error ? (
            <LoadError title="The trace could not be loaded" error={trace.error} onRetry={() => void trace.refetch()} />
          ) : (
            <LoadingRows rows={8} label="Loading the trace…" testId="trace-loading" />
          )}
        </div>
      </div>
    </dialog>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="tabular text-sm font-semibold text-zinc-900" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

function TraceBody({ detail }: { detail: TraceDetail }) {
  const s = detail.summary;
  const span = spanMs(s.first_call_at, s.last_call_at);
  const tags = detail.calls[0]?.tags ?? {};
  return (
    <div className="space-y-5">
      <dl className="grid grid-cols-2 gap-3 rounded-md bg-zinc-50 px-4 py-3 sm:grid-cols-4 lg:grid-cols-7">
        <Figure label="Calls" value={formatCount(s.calls)} testId="trace-call-count" />
        <Figure label="Retries" value={formatCount(s.retries)} />
        <Figure label="Errors" value={formatCount(s.errors)} />
        <Figure label="Cost" value={formatCostWithUnpriced(s.cost_usd, s.unpriced_requests)} testId="trace-cost" />
        <Figure label="Input tokens" value={formatTokens(s.input_tokens)} />
        <Figure label="Output tokens" value={formatTokens(s.output_tokens)} />
        <Figure label="Duration" value={span === null ? "—" : formatDuration(span)} />
      </dl>
      {s.first_call_at ? (
        <p className="text-xs text-zinc-600">
          First call {formatDayTime(new Date(s.first_call_at))}
          {Object.keys(tags).length > 0 ? (
            <>
              {" · "}
              {Object.entries(tags).map(([k, v]) => (
                <code key={k} className="mr-1 rounded bg-zinc-100 px-1">
                  {k}={v}
                </code>
              ))}
            </>
          ) : null}
        </p>
      ) : null}

      <section aria-labelledby="trace-outcomes-title">
        <h3 id="trace-outcomes-title" className="text-sm font-semibold text-zinc-900">
          Outcomes ({formatCount(detail.outcomes.length)})
        </h3>
        {detail.outcomes.length === 0 ? (
          <p className="mt-1 text-sm text-zinc-600">No outcome of this trace is visible to you.</p>
        ) : (
          <ul className="mt-2 space-y-1 text-sm" data-testid="trace-outcomes">
            {detail.outcomes.map((o) => (
              <li key={o.id} className="flex flex-wrap items-center gap-2">
                <time dateTime={o.timestamp} className="tabular text-xs text-zinc-600">{formatDayTime(new Date(o.timestamp))}</time>
                <span className="font-mono text-xs text-zinc-900">{o.type}</span>
                <SuccessBadge success={o.success} />
                {o.value !== null ? <span className="tabular text-xs text-zinc-700">value {o.value}</span> : null}
                {Object.entries(o.tags).map(([k, v]) => (
                  <code key={k} className="rounded bg-zinc-100 px-1 text-xs text-zinc-700">
                    {k}={v}
                  </code>
                ))}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="trace-calls-title">
        <h3 id="trace-calls-title" className="text-sm font-semibold text-zinc-900">
          Calls ({formatCount(s.calls)})
        </h3>
        {detail.calls_truncated ? (
          <p className="mt-1 text-xs text-amber-800">
            Showing the first {formatCount(detail.calls.length)} of {formatCount(s.calls)} calls; the figures above cover all of them.
          </p>
        ) : null}
        {detail.calls.length === 0 ? (
          <p className="mt-1 text-sm text-zinc-600">No calls recorded for this trace.</p>
        ) : (
          <div className="mt-2">
            <TraceCallsTable calls={detail.calls} />
          </div>
        )}
      </section>
    </div>
  );
}
