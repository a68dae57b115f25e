import { formatWindow, type DayWindow } from "@/lib/view/outcomes";
import { addDays } from "@/lib/time";
import { Button } from "@/components/ui/button";

function exampleRequest(window: DayWindow): string {
  return `curl -X POST "$BURNRATE_URL/api/v1/outcomes" \\
  -H "Authorization: Bearer $BURNRATE_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"outcomes": [{
    "id": "out-0001", "timestamp": "${addDays(window.to, -1)}T12:00:00Z",
    "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
    "type": "ticket_resolved", "success": true,
    "tags": {"team": "support", "feature": "ticket-triage"}
  }]}'`;
}

/**
 * No outcome in the window. With filters, a way back; without, how outcomes get here:
 * the same trace_id on the model calls and on the business result they produced.
 */
export function OutcomesEmpty({ window, filtered, onClearFilters }: { window: DayWindow; filtered: boolean; onClearFilters: () => void }) {
  if (filtered) {
    return (
      <section className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-10 text-center text-sm" data-testid="outcomes-empty">
        <h2 className="font-semibold text-zinc-900">No outcomes for these filters</h2>
        <p className="mt-1 text-zinc-600">Nothing matches this type and feature from {formatWindow(window)} (UTC).</p>
        <Button className="mt-4" variant="secondary" onClick={onClearFilters}>
          Clear filters
        </Button>
      </section>
    );
  }
  return (
    <section aria-labelledby="outcomes-empty-title" data-testid="outcomes-empty" className="rounded-lg border border-zinc-200 bg-white p-6 shadow-xs">
      <h2 id="outcomes-empty-title" className="text-base font-semibold text-zinc-900">
        No outcomes from {formatWindow(window)}
      </h2>
      <p className="mt-1 max-w-2xl text-sm text-zinc-600">
        Cost per outcome joins two things you send: the model calls of a workflow, and the business result it produced (a ticket
        resolved, a suggestion applied). Both carry the same <code className="rounded bg-zinc-100 px-1">trace_id</code>.
      </p>
      <ol className="mt-5 flex max-w-3xl list-decimal flex-col gap-5 pl-5 text-sm text-zinc-800 marker:font-semibold">
        <li>
          <p className="font-medium">
            Put a <code className="rounded bg-zinc-100 px-1">trace_id</code> on every usage event of the workflow
          </p>
          <p className="mt-1 text-zinc-600">
            In <code>POST /api/v1/events</code>, or as the OpenTelemetry trace id of your <code>gen_ai</code> spans. Retries keep the
            trace id and send <code>attempt</code> 2, 3, … so their cost shows as retry share.
          </p>
        </li>
        <li>
          <p className="font-medium">
            Send the result to <code className="rounded bg-zinc-100 px-1">POST /api/v1/outcomes</code> with the same trace_id
          </p>
          <p className="mt-1 text-zinc-600">
            Up to 1,000 per request, with a key that has the ingest scope. <code>success</code> says whether the workflow achieved
            it; tags <code>team</code> and <code>feature</code> decide who sees it and how it is grouped here.
          </p>
          <pre
            role="region"
            aria-label="Example request sending one outcome"
            tabIndex={0}
            className="mt-2 overflow-x-auto rounded-md bg-zinc-900 px-3 py-2.5 text-xs leading-relaxed text-zinc-100"
          >
            <code>{exampleRequest(window)}</code>
          </pre>
        </li>
        <li>
          <p className="font-medium">Or pick a longer window above</p>
          <p className="mt-1 text-zinc-600">Outcomes count on the day of their own timestamp (UTC).</p>
        </li>
      </ol>
    </section>
  );
}
