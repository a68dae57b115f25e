"use client";

import { useMemo } from "react";
import { CACHE_FILTERS, type CachePageState, type CacheWindow } from "@/lib/schemas/pages/cache";
import { sortModels } from "@/lib/view/cache-tables";
import { useCacheReport, useSpend, useTokensPerRequest } from "@/components/queries/hooks";
import { cn } from "@/components/ui/cn";
import { FormBlock, LoadingRegion } from "@/components/ui/skeleton";
import { useUrlNavigation } from "@/components/ui/url-navigation";
import { Panel } from "@/components/ui/panel";
import { CacheFilters } from "./cache-filters";
import { CacheModelsTable } from "./cache-models-table";
import { cacheRequests } from "./cache-params";
import { CacheStats } from "./cache-stats";
import { GroupHitRatePanel } from "./group-hit-rate-panel";
import { HitRatePanel } from "./hit-rate-panel";
import { SectionEmpty, SectionError, SectionSkeleton } from "./section-states";
import { TokensPanel } from "./tokens-panel";
import { useCacheState } from "./use-cache-state";

/**
 * The Cache page's panels: state in the URL, data through react-query. The page prefetches
 * each panel's queries on the server inside its own <Suspense>; a change of view is a
 * navigation that brings the new figures, the current ones dimmed meanwhile.
 */

/** Window, bucket, grouping and the tag filters, whose choices are the window's own values. */
export function CacheFiltersPanel({ state, window }: { state: CachePageState; window: CacheWindow }) {
  const [shown, update] = useCacheState(state);
  const options = useSpend(cacheRequests(state, window).options);
  const optionValues = useMemo(() => {
    const values: Record<string, string[]> = {};
    for (const f of CACHE_FILTERS) {
      const set = new Set<string>();
      for (const row of options.data?.rows ?? []) if (row[f] !== null && row[f] !== undefined) set.add(String(row[f]));
      values[f] = [...set].sort();
    }
    return values;
  }, [options.data]);
  return <CacheFilters state={shown} window={window} options={optionValues} update={update} />;
}

/** Savings, the hit rate over time (drops shaded), by group and by model. */
export function CacheReportPanel({ state, window }: { state: CachePageState; window: CacheWindow }) {
  const [shown, update] = useCacheState(state);
  const { pending } = useUrlNavigation();
  const cache = useCacheReport(cacheRequests(state, window).report);
  const report = cache.data;
  const models = useMemo(() => (report ? sortModels(report.models, shown.msort, shown.mdir) : []), [report, shown.msort, shown.mdir]);
  const filtered = CACHE_FILTERS.some((f) => state[f]);
  const busy = cache.isFetching || pending;

  return (
    <>
      <p className="sr-only" aria-live="polite">
        {busy ? "Loading cache figures…" : report ? "Cache figures loaded." : ""}
      </p>
      {cache.error && !report ? (
        <SectionError title="Cache figures could not be loaded" error={cache.error} onRetry={() => void cache.refetch()} />
      ) : !report ? (
        <CacheReportSkeleton />
      ) : report.totals.requests === 0 ? (
        <SectionEmpty testId="cache-empty">
          No usage in this window{filtered ? " for these filters" : ""}. Pick a longer window{filtered ? " or clear the filters" : ""}.
        </SectionEmpty>
      ) : (
        <div aria-busy={busy} className={cn("space-y-4 transition-opacity", busy && "opacity-60")}>
          {cache.error ? (
            <SectionError title="The latest figures could not be loaded; showing the previous ones" error={cache.error} onRetry={() => void cache.refetch()} />
          ) : null}
          <CacheStats report={report} />
          <HitRatePanel report={report} />
          <GroupHitRatePanel report={report} by={state.by} />
          <CacheModelsTable
            models={models}
            sort={{ key: shown.msort, direction: shown.mdir }}
            onSort={(key) => update({ msort: key, mdir: shown.msort === key && shown.mdir === "desc" ? "asc" : "desc" })}
          />
        </div>
      )}
    </>
  );
}

/** Tokens per request by feature, prompt version or model, with the jump flags. */
export function CacheTokensPanel({ state, window }: { state: CachePageState; window: CacheWindow }) {
  const [shown, update] = useCacheState(state);
  const { pending } = useUrlNavigation();
  const tokens = useTokensPerRequest(cacheRequests(state, window).tokens);
  return <TokensPanel query={{ ...tokens, isFetching: tokens.isFetching || pending }} state={shown} update={update} />;
}

export function CacheFiltersSkeleton() {
  return (
    <LoadingRegion label="Loading the filters…" testId="cache-filters-loading">
      <FormBlock fields={9} />
    </LoadingRegion>
  );
}

export function CacheReportSkeleton() {
  return (
    <div className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4">
      <SectionSkeleton testId="cache-loading" rows={3} />
    </div>
  );
}

export function CacheTokensSkeleton() {
  return (
    <div id="tokens-per-request" className="scroll-mt-4">
      <Panel title="Tokens per request" titleId="tokens-per-request-title" className="min-w-0">
        <SectionSkeleton testId="tokens-loading" />
      </Panel>
    </div>
  );
}
