"use client";

import { useMemo } from "react";
import type { TokensPerRequestReport } from "@/lib/analytics/tokens-per-request";
import { cacheDimensionLabel, TOKENS_GROUPS, type CachePageState } from "@/lib/schemas/pages/cache";
import { formatChangePct, groupPlural, tokensGroupName } from "@/lib/view/cache-format";
import { dayTicks, tokensChartRows, tokensSummary } from "@/lib/view/cache-charts";
import { sortTokensRows, tokensRows } from "@/lib/view/cache-tables";
import { formatDayRange } from "@/lib/format";
import { TokensPerRequestChart } from "@/components/charts/tokens-per-request-chart";
import { Callout } from "@/components/ui/callout";
import { Panel } from "@/components/ui/panel";
import { cn } from "@/components/ui/cn";
import type { Update } from "./cache-filters";
import { useApiQuery } from "@/components/queries/hooks";
import { queries } from "@/components/queries/keys";
import { isTagDimension } from "@/lib/schemas/spend";
import { SectionEmpty, SectionError, SectionSkeleton } from "./section-states";
import { TokensTable } from "./tokens-table";

interface Query {
  data: TokensPerRequestReport | undefined;
  error: Error | null;
  isFetching: boolean;
  refetch: () => unknown;
}

const range = (r: { from: string; to: string }) => formatDayRange(new Date(r.from), new Date(Date.parse(r.to) - 1));

function JumpCallout({ report }: { report: TokensPerRequestReport }) {
  const flagged = report.groups.filter((g) => g.jump.jump);
  if (flagged.length === 0) return null;
  return (
    <Callout tone="warning" title={`Tokens per request jumped in ${flagged.length} ${flagged.length === 1 ? "group" : "groups"}`} testId="tokens-jumps">
      <ul className="list-disc pl-5">
        {flagged.map((g) => (
          <li key={JSON.stringify([g.feature ?? null, g.key])}>
            <span className="font-medium">{tokensGroupName(g, report.group_by)}</span>:{" "}
            {[g.jump.input_jump ? `input ${formatChangePct(g.jump.input_change_pct)} (prompt bloat)` : null, g.jump.output_jump ? `output ${formatChangePct(g.jump.output_change_pct)}` : null]
              .filter(Boolean)
              .join(", ")}
          </li>
        ))}
      </ul>
      <p className="mt-1">A prompt that grows (more context stuffed in, a longer system prompt, an agent looping longer) costs more on every call.</p>
    </Callout>
  );
}

/** Average input and output tokens per request over time by group, and the jump flags. */
export function TokensPanel({ query, state, update }: { query: Query; state: CachePageState; update: Update }) {
  const report = query.data;
  const metric = state.tmetric;
  const chart = useMemo(() => (report ? tokensChartRows(report, metric) : null), [report, metric]);
  const rows = useMemo(() => (report ? sortTokensRows(tokensRows(report), state.tsort, state.tdir) : []), [report, state.tsort, state.tdir]);
  const domain = useMemo((): [number, number] => (report ? [Date.parse(report.from), Date.parse(report.to)] : [0, 1]), [report]);
  const ticks = useMemo(() => dayTicks(domain[0], domain[1]), [domain]);
  const rule = report?.jump_rule;
  const by = report?.group_by ?? state.tby;
  const label = cacheDimensionLabel(by);
  // Extra tags seen in usage are groupings too (tag.<key>).
  const tagKeys = useApiQuery(queries.tagKeys()).data?.keys ?? [];
  const tagGroups = tagKeys.map((key) => `tag.${key}`).filter((g) => g !== state.tby);
  if (isTagDimension(state.tby)) tagGroups.unshift(state.tby);

  return (
    <div id="tokens-per-request" className="scroll-mt-4">
      <Panel
        title="Tokens per request"
        titleId="tokens-per-request-title"
        description={
          rule
            ? `Average input and output tokens per request. Jumps compare the last ${rule.recent_days} days (${range(rule.recent)}) with the ${rule.prior_days} before (${range(rule.prior)}): flagged at +${rule.threshold_pct}% with at least ${rule.min_requests} requests in each.`
            : "Average input and output tokens per request"
        }
        className="min-w-0"
      >
        <div className="mb-3 flex flex-wrap items-end gap-3">
          <label className="text-sm font-medium text-zinc-800">
            Tokens by
            <select aria-label="Tokens by" value={state.tby} onChange={(e) => update({ tby: e.target.value })} className="mt-1 block rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm">
              {[...TOKENS_GROUPS, ...tagGroups].map((g) => (
                <option key={g} value={g}>{cacheDimensionLabel(g)}</option>
              ))}
            </select>
          </label>
          <div role="group" aria-label="Chart shows" className="flex overflow-hidden rounded-md border border-zinc-300">
            {(["input", "output"] as const).map((m, i) => (
              <button
                key={m}
                type="button"
                aria-pressed={metric === m}
                onClick={() => update({ tmetric: m })}
                className={cn("px-2.5 py-1.5 text-sm", i > 0 && "border-l border-zinc-300", metric === m ? "bg-zinc-900 text-white" : "bg-white text-zinc-700 hover:bg-zinc-50")}
              >
                {m === "input" ? "Input tokens" : "Output tokens"}
              </button>
            ))}
          </div>
        </div>
        {query.error && !report ? (
          <SectionError title="Tokens per request could not be loaded" error={query.error} onRetry={() => void query.refetch()} />
        ) : !report || !chart ? (
          <SectionSkeleton testId="tokens-loading" />
        ) : report.totals.requests === 0 ? (
          <SectionEmpty testId="tokens-empty">No requests in this window.</SectionEmpty>
        ) : (
          <div aria-busy={query.isFetching} className={cn("space-y-3 transition-opacity", query.isFetching && "opacity-60")}>
            <JumpCallout report={report} />
            <TokensPerRequestChart rows={chart.rows} series={chart.series} domain={domain} ticks={ticks} summary={tokensSummary(report, metric)} />
            {report.groups.length > chart.series.length - 1 ? (
              <p className="text-xs text-zinc-500">
                The chart shows {chart.series.length - 1} of {report.groups.length} {groupPlural(by)} (flagged first, then the busiest); the table lists them all.
              </p>
            ) : null}
            <TokensTable
              rows={rows}
              groupLabel={by === "prompt_version" ? "Feature · version" : label}
              sort={{ key: state.tsort, direction: state.tdir }}
              onSort={(key) => update({ tsort: key, tdir: state.tsort === key && state.tdir === "desc" ? "asc" : "desc" })}
            />
          </div>
        )}
      </Panel>
    </div>
  );
}
