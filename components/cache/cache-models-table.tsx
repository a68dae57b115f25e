import Link from "next/link";
import type { CacheModel } from "@/lib/analytics/cache";
import { type ModelSortKey, type SortDirection } from "@/lib/schemas/pages/cache";
import { formatHitRate, formatPerMtok } from "@/lib/view/cache-format";
import { modelName } from "@/lib/view/cache-tables";
import { formatCount, formatDay, formatMoney, formatTokens } from "@/lib/format";
import { Panel } from "@/components/ui/panel";
import { SortHeader } from "@/components/ui/sort-header";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { withQuery } from "@/components/queries/query-string";

const COLUMNS: { key: ModelSortKey; label: string }[] = [
  { key: "requests", label: "Requests" },
  { key: "input_tokens", label: "Input" },
  { key: "cache_read_input_tokens", label: "Cache read" },
  { key: "cache_creation_input_tokens", label: "Cache write" },
  { key: "hit_rate", label: "Hit rate" },
  { key: "saved_usd", label: "Saved" },
];

function PriceBasis({ model }: { model: CacheModel }) {
  if (!model.price) {
    const href = `${withQuery("/prices", { provider: model.provider, model: model.model })}#add-price`;
    return (
      <span className="text-amber-800">
        no price ·{" "}
        <Link href={href} className="font-medium underline underline-offset-2">
          add one
        </Link>
      </span>
    );
  }
  return (
    <span title={`Standard tier, effective from ${model.price.effective_from}`}>
      {formatPerMtok(model.price.input_per_mtok)} → {formatPerMtok(model.price.cache_read_per_mtok)} per Mtok
      <span className="block text-xs text-zinc-500">since {formatDay(new Date(model.price.effective_from))}</span>
    </span>
  );
}

/** Per provider/model: cache tokens, hit rate and what caching saved at the model's current price. */
export function CacheModelsTable({
  models,
  sort,
  onSort,
}: {
  models: CacheModel[];
  sort: { key: ModelSortKey; direction: SortDirection };
  onSort: (key: ModelSortKey) => void;
}) {
  return (
    <Panel
      title="By model"
      titleId="cache-models-title"
      description="Saved = cache-read tokens × (input rate − cache-read rate), at each model's current standard-tier price"
      className="min-w-0"
    >
      {models.length === 0 ? (
        <p className="text-sm text-zinc-600">No models in this window.</p>
      ) : (
        <ScrollRegion label="Prompt cache by model">
          <table className="w-full text-sm" aria-labelledby="cache-models-title" data-testid="cache-models">
            <caption className="sr-only">Prompt cache by model; column headers sort</caption>
            <thead className="bg-zinc-50 text-xs text-zinc-500">
              <tr>
                <SortHeader column="model" label="Model" sort={sort} onSort={onSort} />
                {COLUMNS.map((c) => (
                  <SortHeader key={c.key} column={c.key} label={c.label} sort={sort} onSort={onSort} numeric />
                ))}
                <th scope="col" className="px-2 py-2 text-left font-medium whitespace-nowrap">Price basis (input → cache read)</th>
              </tr>
            </thead>
            <tbody className="tabular">
              {models.map((m) => (
                <tr key={modelName(m)} className="border-t border-zinc-100" data-model={modelName(m)}>
                  <th scope="row" className="px-2 py-2 text-left font-medium text-zinc-900">{modelName(m)}</th>
                  <td className="px-2 py-2 text-right text-zinc-700">{formatCount(m.requests)}</td>
                  <td className="px-2 py-2 text-right text-zinc-700">{formatTokens(m.input_tokens)}</td>
                  <td className="px-2 py-2 text-right text-zinc-700">{formatTokens(m.cache_read_input_tokens)}</td>
                  <td className="px-2 py-2 text-right text-zinc-700">{formatTokens(m.cache_creation_input_tokens)}</td>
                  <td className="px-2 py-2 text-right text-zinc-900">{formatHitRate(m.hit_rate)}</td>
                  <td className="px-2 py-2 text-right font-medium text-zinc-900">
                    {m.saved_usd === null ? <span className="font-normal text-amber-800">no price</span> : formatMoney(m.saved_usd)}
                  </td>
                  <td className="px-2 py-2 text-left text-zinc-700">
                    <PriceBasis model={m} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
    </Panel>
  );
}
