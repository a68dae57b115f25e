"use client";

import type { UseQueryResult } from "@tanstack/react-query";
import type { OutcomeCostResult } from "@/lib/analytics/outcome-cost";
import { allUnpriced, featureCostRows, sortFeatureRows, type FeatureCostRow } from "@/lib/view/outcomes";
import { type FeatureSortKey, type SortState } from "@/lib/schemas/pages/outcomes";
import { formatCount, formatMoney, formatPercent } from "@/lib/format";
import { Panel } from "@/components/ui/panel";
import { LoadError, LoadingRows } from "./states";
import { SortHeader } from "@/components/ui/sort-header";
import { ScrollRegion } from "@/components/ui/scroll-region";

interface Column {
  key: FeatureSortKey;
  label: string;
  numeric: boolean;
  cell: (row: FeatureCostRow) => string;
}

const COLUMNS: Column[] = [
  { key: "outcomes", label: "Outcomes", numeric: true, cell: (r) => formatCount(r.outcomes) },
  { key: "successful", label: "Successful", numeric: true, cell: (r) => formatCount(r.successful) },
  { key: "success_rate", label: "Success rate", numeric: true, cell: (r) => (r.success_rate === null ? "—" : formatPercent(r.success_rate)) },
  { key: "cost_usd", label: "Cost", numeric: true, cell: (r) => (allUnpriced(r) ? "unpriced" : formatMoney(r.cost_usd)) },
  {
    key: "cost_per_success_usd",
    label: "Cost per success",
    numeric: true,
    cell: (r) => (allUnpriced(r) ? "unpriced" : r.cost_per_success_usd === null ? "—" : formatMoney(r.cost_per_success_usd)),
  },
  { key: "requests", label: "Calls", numeric: true, cell: (r) => formatCount(r.requests) },
  { key: "unpriced_requests", label: "Unpriced", numeric: true, cell: (r) => formatCount(r.unpriced_requests) },
];

/** Cost per success by the outcome's feature tag (GET /api/v1/outcomes/cost?group_by=feature), sortable. */
export function FeatureCostTable({
  types,
  queries,
  feature,
  sort,
  onSort,
}: {
  types: readonly string[];
  queries: ReadonlyArray<UseQueryResult<OutcomeCostResult>>;
  feature: string | undefined;
  sort: SortState<FeatureSortKey>;
  onSort: (key: FeatureSortKey) => void;
}) {
  const showType = types.length !== 1;
  const failed = queries.filter((q) => q.error);
  const loading = queries.some((q) => !q.data && !q.error);
  const answers = queries.flatMap((q, i) => (q.data && types[i] !== undefined ? [{ type: types[i], rows: q.data.rows }] : []));
  const rows = sortFeatureRows(featureCostRows(answers, feature), sort);
  const description = `${types.length === 1 ? `Type ${types[0]}` : "Every outcome type"}${feature ? `, feature ${feature}` : ""}; by the outcome's feature tag. Headers sort.`;

  return (
    <Panel title="Cost per success by feature" titleId="feature-cost-title" description={description} className="min-w-0">
      {failed[0]?.error ? (
        <LoadError title="Costs by feature could not be loaded" error={failed[0].error} onRetry={() => void Promise.all(failed.map((q) => q.refetch()))} />
      ) : loading ? (
        <LoadingRows label="Loading costs by feature…" />
      ) : rows.length === 0 ? (
        <p className="py-6 text-center text-sm text-zinc-600" data-testid="feature-costs-empty">
          No outcomes{feature ? ` with feature ${feature}` : ""} in this window.
        </p>
      ) : (
        <ScrollRegion label="Cost per success by feature" className="max-h-96 overflow-y-auto">
          <table className="w-full text-sm" data-testid="feature-costs" aria-labelledby="feature-cost-title">
            <thead className="sticky top-0 bg-white text-xs text-zinc-500">
              <tr>
                {showType ? <SortHeader column="type" label="Type" sort={sort} onSort={onSort} className="pl-0" /> : null}
                <SortHeader column="feature" label="Feature" sort={sort} onSort={onSort} className={showType ? undefined : "pl-0"} />
                {COLUMNS.map((c) => (
                  <SortHeader key={c.key} column={c.key} label={c.label} sort={sort} onSort={onSort} numeric={c.numeric} />
                ))}
              </tr>
            </thead>
            <tbody className="tabular">
              {rows.map((row) => (
                <tr key={row.id} className="border-t border-zinc-100" data-testid="feature-cost-row" data-feature={row.feature ?? ""}>
                  {showType ? <td className="py-2 pr-2 font-mono text-xs text-zinc-700">{row.type}</td> : null}
                  <th scope="row" className="px-2 py-2 text-left font-medium text-zinc-900 first:pl-0">
                    {row.feature ?? <em className="font-normal text-zinc-500">untagged</em>}
                  </th>
                  {COLUMNS.map((c) => (
                    <td
                      key={c.key}
                      className={
                        c.key === "cost_per_success_usd"
                          ? "px-2 py-2 text-right font-medium text-zinc-900"
                          : c.key === "unpriced_requests" && row.unpriced_requests > 0
                            ? "px-2 py-2 text-right text-amber-700"
                            : "px-2 py-2 text-right text-zinc-700"
                      }
                    >
                      {c.cell(row)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </Panel>
  );
}
