"use client";

import { usePathname, useRouter } from "next/navigation";
import { useMemo } from "react";
import {
  CACHE_FILTERS,
  cachePageSchema,
  sortModels,
  type CachePageState,
  type CacheWindow,
} from "@/lib/analytics/cache-view";
import { useSpend } from "@/components/showback/use-spend";
import { Callout } from "@/components/ui/callout";
import { cn } from "@/components/ui/cn";
import { CacheFilters, type Update } from "./cache-filters";
import { CacheModelsTable } from "./cache-models-table";
import { CacheStats } from "./cache-stats";
import { GroupHitRatePanel } from "./group-hit-rate-panel";
import { HitRatePanel } from "./hit-rate-panel";
import { SectionEmpty, SectionError, SectionSkeleton } from "./section-states";
import { TokensPanel } from "./tokens-panel";
import { useCacheReport, useTokensPerRequest } from "./use-cache-data";

const DEFAULTS: Record<string, string | undefined> = cachePageSchema.parse({});

/** The Cache page's client side: state in the URL, data through react-query. */
export function CacheExplorer({ state, window }: { state: CachePageState; window: CacheWindow }) {
  const router = useRouter();
  const pathname = usePathname();
  const filters = Object.fromEntries(CACHE_FILTERS.map((f) => [f, state[f]]));
  const base = { from: window.from, to: window.to, bucket: window.bucket, ...filters };
  const cache = useCacheReport({ ...base, group_by: state.by });
  const tokens = useTokensPerRequest({ ...base, group_by: state.tby });
  const options = useSpend({ from: window.from, to: window.to, group_by: CACHE_FILTERS.join(",") });

  const update: Update = (changes) => {
    const next: Record<string, string | undefined> = { ...state, ...changes };
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(next)) if (v !== undefined && v !== "" && v !== DEFAULTS[k]) params.set(k, v);
    const search = params.toString();
    router.replace(search ? `${pathname}?${search}` : pathname, { scroll: false });
  };

  const optionValues = useMemo(() => {
    const values: Record<string, string[]> = {};
    for (const f of CACHE_FILTERS) {
      const set = new Set<string>();
      for (const row of options.data?.rows ?? []) if (row[f] !== null && row[f] !== undefined) set.add(String(row[f]));
      values[f] = [...set].sort();
    }
    return values;
  }, [options.data]);

  const report = cache.data;
  const models = useMemo(() => (report ? sortModels(report.models, state.msort, state.mdir) : []), [report, state.msort, state.mdir]);
  const filtered = CACHE_FILTERS.some((f) => state[f]);

  return (
    <div className="space-y-4">
      <CacheFilters state={state} window={window} options={optionValues} update={update} />
      {window.notice ? <Callout title="Shown by day">{window.notice}</Callout> : null}
      <p className="sr-only" aria-live="polite">
        {cache.isFetching || tokens.isFetching ? "Loading cache figures…" : report ? "Cache figures loaded." : ""}
      </p>

      {cache.error && !report ? (
        <SectionError title="Cache figures could not be loaded" error={cache.error} onRetry={() => void cache.refetch()} />
      ) : !report ? (
        <div className="space-y-4 rounded-lg border border-zinc-200 bg-white p-4">
          <SectionSkeleton testId="cache-loading" rows={3} />
        </div>
      ) : report.totals.requests === 0 ? (
        <SectionEmpty testId="cache-empty">
          No usage in this window{filtered ? " for these filters" : ""}. Pick a longer window{filtered ? " or clear the filters" : ""}.
        </SectionEmpty>
      ) : (
        <div aria-busy={cache.isFetching} className={cn("space-y-4 transition-opacity", cache.isFetching && "opacity-60")}>
          {cache.error ? (
            <SectionError title="The latest figures could not be loaded; showing the previous ones" error={cache.error} onRetry={() => void cache.refetch()} />
          ) : null}
          <CacheStats report={report} />
          <HitRatePanel report={report} />
          <GroupHitRatePanel report={report} by={state.by} />
          <CacheModelsTable
            models={models}
            sort={{ key: state.msort, direction: state.mdir }}
            onSort={(key) => update({ msort: key, mdir: state.msort === key && state.mdir === "desc" ? "asc" : "desc" })}
          />
        </div>
      )}

      <TokensPanel query={tokens} state={state} update={update} />
    </div>
  );
}
