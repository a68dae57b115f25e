import type { TokensMetrics } from "@/lib/analytics/tokens-per-request";
import { type SortDirection, type TokensSortKey } from "@/lib/schemas/pages/cache";
import { formatAverageTokens, formatChangePct } from "@/lib/view/cache-format";
import { type TokensRow } from "@/lib/view/cache-tables";
import { formatCount } from "@/lib/format";
import { cn } from "@/components/ui/cn";
import { SortHeader } from "@/components/ui/sort-header";
import { ScrollRegion } from "@/components/ui/scroll-region";

function PriorToRecent({ prior, recent, field }: { prior: TokensMetrics; recent: TokensMetrics; field: "avg_input_tokens" | "avg_output_tokens" }) {
  return (
    <>
      <span className="text-zinc-500">{formatAverageTokens(prior[field])}</span>
      <span aria-hidden="true" className="text-zinc-400"> → </span>
      <span className="sr-only"> then </span>
      <span className="text-zinc-900">{formatAverageTokens(recent[field])}</span>
    </>
  );
}

function Change({ pct, jump }: { pct: string | null; jump: boolean }) {
  return <span className={cn(jump ? "font-semibold text-rose-700" : "text-zinc-700")}>{formatChangePct(pct)}</span>;
}

/** Groups with their window averages and the last 7 days against the 28 before; jumps highlighted. */
export function TokensTable({
  rows,
  groupLabel,
  sort,
  onSort,
}: {
  rows: TokensRow[];
  groupLabel: string;
  sort: { key: TokensSortKey; direction: SortDirection };
  onSort: (key: TokensSortKey) => void;
}) {
  const header = (key: TokensSortKey, label: string, title?: string) => <SortHeader column={key} label={label} sort={sort} onSort={onSort} title={title} numeric />;
  return (
    <ScrollRegion label={`Tokens per request by ${groupLabel.toLowerCase()}`}>
      <table className="w-full text-sm" aria-label={`Tokens per request by ${groupLabel.toLowerCase()}`} data-testid="tokens-table">
        <caption className="sr-only">Average tokens per request by {groupLabel.toLowerCase()}, window and last 7 days against the 28 before; column headers sort</caption>
        <thead className="bg-zinc-50 text-xs text-zinc-500">
          <tr>
            <SortHeader column="key" label={groupLabel} sort={sort} onSort={onSort} />
            {header("requests", "Requests")}
            {header("avg_input", "Avg input")}
            {header("recent_input", "Input: prior → last 7 d", "Average input tokens per request, 28 days before → last 7 days (sorts by the last 7 days)")}
            {header("input_change", "Δ input")}
            {header("avg_output", "Avg output")}
            {header("recent_output", "Output: prior → last 7 d", "Average output tokens per request, 28 days before → last 7 days (sorts by the last 7 days)")}
            {header("output_change", "Δ output")}
            <th scope="col" className="px-2 py-2 text-left font-medium">Flag</th>
          </tr>
        </thead>
        <tbody className="tabular">
          {rows.map((row) => {
            const { jump } = row;
            return (
              <tr key={row.id} data-jump={jump.jump ? "true" : undefined} className={cn("border-t border-zinc-100", jump.jump && "bg-amber-50")}>
                <th scope="row" className="px-2 py-1.5 text-left font-medium text-zinc-900">{row.name}</th>
                <td className="px-2 py-1.5 text-right text-zinc-700">{formatCount(row.requests)}</td>
                <td className="px-2 py-1.5 text-right text-zinc-700">{formatAverageTokens(row.avgInput)}</td>
                <td className="px-2 py-1.5 text-right whitespace-nowrap"><PriorToRecent prior={jump.prior} recent={jump.recent} field="avg_input_tokens" /></td>
                <td className="px-2 py-1.5 text-right"><Change pct={jump.input_change_pct} jump={jump.input_jump} /></td>
                <td className="px-2 py-1.5 text-right text-zinc-700">{formatAverageTokens(row.avgOutput)}</td>
                <td className="px-2 py-1.5 text-right whitespace-nowrap"><PriorToRecent prior={jump.prior} recent={jump.recent} field="avg_output_tokens" /></td>
                <td className="px-2 py-1.5 text-right"><Change pct={jump.output_change_pct} jump={jump.output_jump} /></td>
                <td className="px-2 py-1.5 text-left whitespace-nowrap">
                  {jump.input_jump ? <span data-testid="prompt-bloat" className="rounded bg-rose-100 px-1.5 py-px text-xs font-medium text-rose-800 ring-1 ring-rose-200 ring-inset">Prompt bloat</span> : null}
                  {jump.output_jump ? <span className="ml-1 rounded bg-amber-100 px-1.5 py-px text-xs font-medium text-amber-900 ring-1 ring-amber-200 ring-inset">Output jump</span> : null}
                  {!jump.jump ? <span className="text-zinc-400">—</span> : null}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
