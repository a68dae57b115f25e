"use client";

import { useSearchParams } from "next/navigation";
import { useMemo, useState } from "react";
import { formatWindow, nextSort, windowDays, type DayWindow } from "@/lib/view/outcomes";
import { type FeatureSortKey, type OutcomesPageState } from "@/lib/schemas/pages/outcomes";
import { useFeatureCosts, useOutcomeReport } from "@/components/queries/hooks";
import { FormBlock, LoadingRegion } from "@/components/ui/skeleton";
import { useUrlNavigation } from "@/components/ui/url-navigation";
import { CostPerSuccessPanel } from "./cost-per-success-panel";
import { FeatureCostTable } from "./feature-cost-table";
import { OutcomeFilters } from "./outcome-filters";
import { outcomeRequests, tableTypes } from "./outcome-params";
import { OutcomeTypeStats } from "./outcome-type-stats";
import { OutcomesEmpty } from "./outcomes-empty";
import { LoadError, OutcomesSkeleton } from "./states";
import { TopTracesTable } from "./top-traces-table";
import { TraceDialog } from "./trace-dialog";
import { TraceDistributionPanel } from "./trace-distribution-panel";
import { useOutcomesState } from "./use-outcomes-state";

/**
 * The Outcomes page's panels. Window, filters and the feature table's sort live in the URL
 * (shareable, back-button friendly); the open trace is local state. They read GET
 * /api/v1/outcomes/report (this window and the one before, for the change badges),
 * /outcomes/cost by feature per type, and /traces/{id} on demand; the page prefetches all
 * but the last on the server, each panel inside its own <Suspense>.
 */

function useTypes(window: DayWindow): readonly string[] {
  const options = useOutcomeReport(outcomeRequests({}, window).options, false);
  return useMemo(() => options.data?.types.map((t) => t.type) ?? [], [options.data]);
}

/** Window presets and dates, the outcome type and the feature; every type and feature of the window is a choice. */
export function OutcomesFiltersPanel({ state, window, today }: { state: OutcomesPageState; window: DayWindow; today: string }) {
  const [shown, update] = useOutcomesState(state, window);
  const allTypes = useTypes(window);
  const featureCosts = useFeatureCosts(window, allTypes);
  const featureOptions = useMemo(() => {
    const set = new Set<string>();
    for (const q of featureCosts) for (const row of q.data?.rows ?? []) if (row.feature !== null && row.feature !== undefined) set.add(String(row.feature));
    return [...set].sort();
  }, [featureCosts]);
  return (
    <OutcomeFilters
      window={window}
      today={today}
      type={shown.type}
      feature={shown.feature}
      types={allTypes}
      features={featureOptions}
      onChange={update}
    />
  );
}

/** Each type's figures, cost per success over time, by feature, the cost per trace distribution and the top traces. */
export function OutcomesReportPanel({ state, window, scoped }: { state: OutcomesPageState; window: DayWindow; scoped: boolean }) {
  const [shown, update] = useOutcomesState(state, window);
  const { pending } = useUrlNavigation();
  // ?trace=<id> (a runaway-trace alert's link) opens that trace's calls at once.
  const search = useSearchParams();
  const [openTrace, setOpenTrace] = useState<string | null>(() => search.get("trace"));
  const filtered = Boolean(state.type || state.feature);
  const requests = outcomeRequests(state, window);

  const report = useOutcomeReport(requests.report);
  const previous = useOutcomeReport(requests.previous, false);
  const allTypes = useTypes(window);
  const types = useMemo(() => tableTypes(state, allTypes), [state, allTypes]);
  const featureCosts = useFeatureCosts(window, types);

  const sort = { key: shown.sort, direction: shown.dir };
  const onSortFeatures = (key: FeatureSortKey) => {
    const next = nextSort(sort, key, key === "type" || key === "feature" ? "asc" : "desc");
    update({ sort: next.key, dir: next.direction });
  };
  const previousLabel = `the previous ${windowDays(window)} days`;
  const data = report.data;
  const updating = report.isPlaceholderData || pending;

  return (
    <>
      <p className="text-sm text-zinc-600" aria-live="polite" data-testid="outcomes-window">
        {formatWindow(window)} (UTC)
        {state.type ? <> · type <span className="font-mono text-zinc-900">{state.type}</span></> : null}
        {state.feature ? <> · feature <span className="font-medium text-zinc-900">{state.feature}</span></> : null}
        {updating ? <span className="text-zinc-500"> · updating…</span> : null}
      </p>

      {report.error && !data ? (
        <LoadError title="Outcomes could not be loaded" error={report.error} onRetry={() => void report.refetch()} testId="outcomes-error" />
      ) : !data ? (
        <OutcomesSkeleton />
      ) : data.types.length === 0 ? (
        <OutcomesEmpty window={window} filtered={filtered} onClearFilters={() => update({ type: undefined, feature: undefined })} />
      ) : (
        <div className={updating ? "space-y-6 opacity-60 transition-opacity" : "space-y-6"} aria-busy={updating}>
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
          <FeatureCostTable types={types} queries={featureCosts} feature={state.feature} sort={sort} onSort={onSortFeatures} />
          <TraceDistributionPanel distribution={data.distribution} />
          <TopTracesTable traces={data.top_traces} onOpen={setOpenTrace} />
        </div>
      )}
      {openTrace ? <TraceDialog key={openTrace} traceId={openTrace} scoped={scoped} onClose={() => setOpenTrace(null)} /> : null}
    </>
  );
}

export function OutcomesFiltersSkeleton() {
  return (
    <LoadingRegion label="Loading the filters…" testId="outcomes-filters-loading">
      <FormBlock fields={5} />
    </LoadingRegion>
  );
}

export { OutcomesSkeleton as OutcomesReportSkeleton };
