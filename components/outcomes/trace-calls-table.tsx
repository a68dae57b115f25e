import type { TraceCall } from "@/lib/analytics/trace-detail";
import { formatDuration, formatTimeOfDay } from "@/lib/view/outcomes";
import { formatCount, formatMoney } from "@/lib/format";
import { cn } from "@/components/ui/cn";
import { ScrollRegion } from "@/components/ui/scroll-region";

const TOKEN_CLASSES = [
  ["input_tokens", "Input"],
  ["cache_read_input_tokens", "Cache read"],
  ["cache_creation_input_tokens", "Cache write"],
  ["output_tokens", "Output"],
  ["reasoning_output_tokens", "Reasoning"],
] as const;

/** A trace's calls in time order: tokens by class, cost (unpriced said so), status, attempt, latency. */
export function TraceCallsTable({ calls }: { calls: readonly TraceCall[] }) {
  const start = calls[0] ? Date.parse(calls[0].timestamp) : 0;
  return (
    <ScrollRegion label="Calls of this trace">
      <table className="w-full text-xs" data-testid="trace-calls">
        <caption className="sr-only">Calls of this trace in time order</caption>
        <thead className="text-zinc-500">
          <tr className="text-left">
            <th scope="col" className="py-1.5 pr-2 font-medium">#</th>
            <th scope="col" className="px-2 py-1.5 font-medium">Time (UTC)</th>
            <th scope="col" className="px-2 py-1.5 font-medium">Model</th>
            {TOKEN_CLASSES.map(([key, label]) => (
              <th key={key} scope="col" className="px-2 py-1.5 text-right font-medium">{label}</th>
            ))}
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Cost</th>
            <th scope="col" className="px-2 py-1.5 font-medium">Status</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Attempt</th>
            <th scope="col" className="px-2 py-1.5 text-right font-medium">Latency</th>
          </tr>
        </thead>
        <tbody className="tabular">
          {calls.map((call, i) => {
            const offset = Date.parse(call.timestamp) - start;
            return (
              <tr key={call.id} className={cn("border-t border-zinc-100", call.attempt > 1 && "bg-amber-50/50")} data-testid="trace-call">
                <td className="py-1.5 pr-2 text-zinc-500">{i + 1}</td>
                <td className="px-2 py-1.5 whitespace-nowrap text-zinc-800">
                  <time dateTime={call.timestamp}>{formatTimeOfDay(call.timestamp)}</time>
                  {i > 0 ? <span className="ml-1 text-zinc-500">+{formatDuration(offset)}</span> : null}
                </td>
                <td className="px-2 py-1.5">
                  <span className="block font-medium text-zinc-900">{call.model}</span>
                  <span className="block text-[11px] text-zinc-500">
                    {call.provider}
                    {call.provider_as_sent ? <span title="the provider name as the sender wrote it"> (sent as {call.provider_as_sent})</span> : null}
                    {" · "}
                    {call.operation}
                    {call.service_tier !== "standard" ? ` · ${call.service_tier}` : ""}
                    {call.response_cache_hit ? " · response cache hit" : ""}
                  </span>
                </td>
                {TOKEN_CLASSES.map(([key]) => (
                  <td key={key} className="px-2 py-1.5 text-right text-zinc-700">{formatCount(call.usage[key])}</td>
                ))}
                <td className={cn("px-2 py-1.5 text-right font-medium", call.cost_usd === null ? "text-amber-700" : "text-zinc-900")}>
                  {call.cost_usd === null ? "unpriced" : formatMoney(call.cost_usd)}
                </td>
                <td className="px-2 py-1.5">
                  <span className={call.status === "error" ? "font-medium text-rose-700" : "text-emerald-700"}>{call.status}</span>
                </td>
                <td className="px-2 py-1.5 text-right text-zinc-700">{call.attempt > 1 ? <span className="font-medium text-amber-800">retry {call.attempt}</span> : "1"}</td>
                <td className="px-2 py-1.5 text-right text-zinc-700">{call.latency_ms === null ? "—" : formatDuration(call.latency_ms)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
