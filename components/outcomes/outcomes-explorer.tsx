"use client";

import { usePathname, useRouter } from "next/navigation";
import { useMemo, useState } from "react";
import { formatWindow, nextSort, previousWindow, windowDays, type DayWindow, type FeatureSortKey, type OutcomesPageState } from "@/lib/analytics/outcomes-view";
import { CostPerSuccessPanel } from "./cost-per-success-panel";
import { FeatureCostTable } from "./feature-cost-table";
import { OutcomeFilters, type FilterChanges } from "./outcome-filters";
import { OutcomeTypeStats } from "./outcome-type-stats";
import { OutcomesEmpty } from "./outcomes-empty";
import { LoadError, OutcomesSkeleton } from "./states";
import { TopTracesTable } from "./top-traces-table";
import { TraceDialog } from "./trace-dialog";
import { TraceDistributionPanel } from "./trace-distribution-panel";
import { useFeatureCosts, useOutcomeReport } from "./use-outcomes";

/**
 * The Outcomes page's client side. Window, filters and the feature table's sort live in
 * the URL (router.replace, so shareable and back-button friendly); the open trace is
 * local state. Reads GET /api/v1/outcomes/report (this window and the one before, for
 * the change badges), /outcomes/cost by feature per type, and /traces/{id} on demand.
 */
export function OutcomesExplorer({ state, window, today, scoped }: { state: OutcomesPageState; window: DayWindow; today: string; scoped: boolean }) {
  const router = useRouter();
  const pathname = usePathname();
  const [openTrace, setOpenTrace] = useState<string | null>(null);
  const filters = { type: state.type, feature: state.feature };
  const filtered = Boolean(state.type || state.feature);

  const report = useOutcomeReport({ from: window.from, to: window.to, ...filters });
  // Filter options: the unfiltered report (the same request as the page's when nothing is filtered).
  const options = useOutcomeReport({ from: window.from, to: window.to }, false);
  const before = previousWindow(window);
  const previous = useOutcomeReport({ from: before.from, to: before.to, ...filters }, false);

  const allTypes = useMemo(() => options.data?.types.map((t) => t.type) ?? [], [options.data]);
  const tableTypes = useMemo(() => (state.type ? [state.type] : allTypes), [state.type, allTypes]);
  const featureCosts = useFeatureCosts(window, tableTypes);
  const featureOptions = useMemo(() => {
    const set = new Set<string>();
    for (const q of featureCosts) for (const row of q.data?.rows ?? []) if (row.feature !== null && row.feature !== undefined) set.add(String(row.feature));
    return [...set].sort();
  }, [featureCosts]);

  function update(changes: FilterChanges & { sort?: string; dir?: string }) {
    const next: Record<string, string | undefined> = { ...state, from: window.from, to: window.to, ...changes };
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v !== undefined && v !== "") params.set(k, v);
    router.replace(`${pathname}?${params.toString()}`, { scroll: false });
  }

  const sort = { key: state.sort, direction: state.dir };
  const onSortFeatures = (key: FeatureSortKey) => {
    const next = nextSort(sort, key, key === "type" || key === "feature" ? "asc" : "desc");
    update({ sort: next.key, dir: next.direction });
  };
  const previousLabel = `the previous ${windowDays(window)} days`;
  const data = report.data;

  return (
    <div className="space-y-4">
      <OutcomeFilters
        window={window}
        today={today}
        type={state.type}
        feature={state.feature}
        types={allTypes}
        features={featureOptions}
        onChange={update}
      />
      <p className="text-sm text-zinc-600" aria-live="polite" data-testid="outcomes-window">
        {formatWindow(window)} (UTC)
        {state.type ? <> · type <span className="font-mono text-zinc-900">{state.type}</span></> : null}
        {state.feature ? <> · feature <span className="font-medium text-zinc-900">{state.feature}</span></> : null}
        {report.isPlaceholderData ? <span className="text-zinc-500"> · updating…</span> : null}
      </p>

      {report.error && !data ? (
        <LoadError title="Outcomes could not be loaded" error={report.error} onRetry={() => void report.refetch()} testId="outcomes-error" />
      ) : !data ? (
        <OutcomesSkeleton />
      ) : data.types.length === 0 ? (
        <OutcomesEmpty window={window} filtered={filtered} onClearFilters={() => update({ type: undefined, feature: undefined })} />
      ) : (
        <div className={report.isPlaceholderData ? "space-y-6 opacity-60 transition-opacity" : "space-y-6"} aria-busy={report.isPlaceholderData}>
          {report.error ? (
            <LoadError title="These filters could not be loaded; the figures shown are the previous ones" error={report.error} onRetry={() => void report.refetch()} />
          ) : null}
          {data.types.map((t) => (
            <OutcomeTypeStats
              key={t.type}
              report={t}
              previous={previous.data?.types.find((p) => p.type === t.type)}
              previousLabel={previousLabel}
              onFocus={state.type || data.types.length < 2 ? undefined : () => update({ type: t.type })}
            />
          ))}
          <CostPerSuccessPanel types={data.types} window={window} />
          <FeatureCostTable types={tableTypes} queries={featureCosts} feature={state.feature} sort={sort} onSort={onSortFeatures} />
          <TraceDistributionPanel distribution={data.distribution} />
          <TopTracesTable traces={data.top_traces} onOpen={setOpenTrace} />
        </div>
      )}
      {openTrace ? <TraceDialog key={openTrace} traceId={openTrace} scoped={scoped} onClose={() => setOpenTrace(null)} /> : null}
    </div>
  );
}
