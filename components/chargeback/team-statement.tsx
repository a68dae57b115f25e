"use client";

import Link from "next/link";
import { useApiQuery } from "@/components/queries/hooks";
import { queries } from "@/components/queries/keys";
import { withQuery } from "@/components/queries/query-string";
import { Button } from "@/components/ui/button";
import { Callout } from "@/components/ui/callout";
import { PanelBlock } from "@/components/ui/skeleton";
import type { StatementView } from "@/lib/chargeback/chargeback";
import { formatCount, formatDayTime, formatMoney } from "@/lib/format";
import { Money } from "@/lib/money";
import { signedMoney } from "@/lib/view/reconciliation";
import { METHOD_LABELS, monthLabel } from "@/lib/view/chargeback";

/**
 * One team's statement for a month, laid out to print: the browser's "Save as PDF" gives a
 * clean page (the navigation and the buttons are hidden in print: app/globals.css).
 */
export function TeamStatement({ month, team }: { month: string; team: string }) {
  const query = useApiQuery(queries.statement(month, team));
  if (query.isError) {
    return (
      <Callout tone="warning" title="The statement could not be loaded">
        {query.error.message}
      </Callout>
    );
  }
  if (!query.data) return <PanelBlock rows={8} />;
  return <StatementBody view={query.data} />;
}


function StatementBody({ view }: { view: StatementView }) {
  const empty = view.direct_lines.length === 0 && view.allocated_lines.length === 0 && view.adjustment_lines.length === 0;
  return (
    <article className="statement space-y-6 rounded-lg border border-zinc-200 bg-white p-6 shadow-xs print:border-0 print:p-0 print:shadow-none" data-testid="statement">
      <header className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="text-xs tracking-wide text-zinc-500 uppercase">Burnrate chargeback statement</p>
          <h2 className="mt-1 text-xl font-semibold text-zinc-900">
            {view.team} · {monthLabel(view.month)}
          </h2>
          <p className="mt-1 text-xs text-zinc-500">
            {view.status === "closed" && view.closed_at ? `Closed ${formatDayTime(new Date(view.closed_at))}` : "Open month: figures may still change."} All amounts in USD; UTC month.
          </p>
        </div>
        <div className="flex gap-2 print:hidden">
          <Link className="rounded-md border border-zinc-300 bg-white px-3.5 py-2 text-sm font-medium text-zinc-800 hover:bg-zinc-50" href={withQuery("/chargeback", { month: view.month })}>
            Back to the month
          </Link>
          <a className="rounded-md border border-zinc-300 bg-white px-3.5 py-2 text-sm font-medium text-zinc-800 hover:bg-zinc-50" href={withQuery("/api/v1/chargeback/statement", { month: view.month, team: view.team, format: "csv" })} download>
            CSV
          </a>
          <Button onClick={() => window.print()}>Print or save as PDF</Button>
        </div>
      </header>

      {empty ? <p className="text-sm text-zinc-600">No spend for {view.team} in {monthLabel(view.month)}.</p> : null}

      {view.direct_lines.length > 0 ? (
        <section aria-labelledby="direct-title">
          <h3 id="direct-title" className="text-sm font-semibold text-zinc-900">
            Direct spend
          </h3>
          <table className="mt-2 w-full text-sm" data-testid="direct-lines">
            <thead className="text-xs text-zinc-500">
              <tr>
                <th scope="col" className="py-1 pr-2 text-left font-medium">Feature</th>
                <th scope="col" className="px-2 py-1 text-left font-medium">Model</th>
                <th scope="col" className="px-2 py-1 text-right font-medium">Calls</th>
                <th scope="col" className="py-1 pl-2 text-right font-medium">Amount</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {view.direct_lines.map((line) => (
                <tr key={`${line.feature}/${line.provider}/${line.model}`}>
                  <td className="py-1.5 pr-2">{line.feature ?? <span className="text-zinc-500">no feature tag</span>}</td>
                  <td className="px-2 py-1.5 break-all">
                    {line.provider} / {line.model}
                  </td>
                  <td className="tabular px-2 py-1.5 text-right">{formatCount(line.requests)}</td>
                  <td className="tabular py-1.5 pl-2 text-right">{formatMoney(line.cost_usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}

      {view.allocated_lines.length > 0 ? (
        <section aria-labelledby="allocated-title">
          <h3 id="allocated-title" className="text-sm font-semibold text-zinc-900">
            Allocated shared spend
          </h3>
          <table className="mt-2 w-full text-sm" data-testid="allocated-lines">
            <thead className="text-xs text-zinc-500">
              <tr>
                <th scope="col" className="py-1 pr-2 text-left font-medium">Rule</th>
                <th scope="col" className="px-2 py-1 text-left font-medium">Method</th>
                <th scope="col" className="px-2 py-1 text-right font-medium">Share</th>
                <th scope="col" className="px-2 py-1 text-right font-medium">Of</th>
                <th scope="col" className="py-1 pl-2 text-right font-medium">Amount</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100">
              {view.allocated_lines.map((line) => (
                <tr key={line.rule_id}>
                  <td className="py-1.5 pr-2">{line.rule_name}</td>
                  <td className="px-2 py-1.5">{METHOD_LABELS[line.method]}</td>
                  <td className="tabular px-2 py-1.5 text-right">{new Money(line.share_percent).toDecimalPlaces(2).toFixed(2)}%</td>
                  <td className="tabular px-2 py-1.5 text-right">{formatMoney(line.pool_usd)}</td>
                  <td className="tabular py-1.5 pl-2 text-right">{formatMoney(line.cost_usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}

      {view.adjustment_lines.length > 0 ? (
        <section aria-labelledby="adjustments-title">
          <h3 id="adjustments-title" className="text-sm font-semibold text-zinc-900">
            Adjustments for closed months
          </h3>
          <ul className="mt-2 divide-y divide-zinc-100 text-sm" data-testid="adjustment-lines">
            {view.adjustment_lines.map((line) => (
              <li key={line.for_month} className="flex justify-between py-1.5">
                <span>{monthLabel(line.for_month)}: late events and re-pricing after the close</span>
                <span className="tabular">{signedMoney(line.cost_usd)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <dl className="ml-auto grid max-w-xs grid-cols-2 gap-x-4 gap-y-1 border-t border-zinc-200 pt-3 text-sm" data-testid="statement-totals">
        <dt className="text-zinc-600">Direct</dt>
        <dd className="tabular text-right">{formatMoney(view.direct_usd)}</dd>
        <dt className="text-zinc-600">Allocated</dt>
        <dd className="tabular text-right">{formatMoney(view.allocated_usd)}</dd>
        <dt className="text-zinc-600">Total for {monthLabel(view.month)}</dt>
        <dd className="tabular text-right">{formatMoney(view.total_usd)}</dd>
        {view.adjustment_lines.length > 0 ? (
          <>
            <dt className="text-zinc-600">Adjustments</dt>
            <dd className="tabular text-right">{signedMoney(view.adjustments_usd)}</dd>
          </>
        ) : null}
        <dt className="font-semibold text-zinc-900">Charge</dt>
        <dd className="tabular text-right font-semibold text-zinc-900" data-testid="statement-charge">
          {formatMoney(view.charge_usd)}
        </dd>
      </dl>
    </article>
  );
}
