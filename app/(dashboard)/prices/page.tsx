import type { SearchParams } from "@/lib/schemas/pages/search-params";
import type { Metadata } from "next";
import Link from "next/link";
import { listUnpricedModels } from "@/lib/analytics/unpriced-models";
import { can, canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { listPrices } from "@/lib/pricing/prices";
import { formatCount, formatDayTime } from "@/lib/format";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { Panel } from "@/components/ui/panel";
import { AddPriceForm } from "@/components/prices/add-price-form";
import { PriceRowActions } from "@/components/prices/price-row-actions";
import { ScrollRegion } from "@/components/ui/scroll-region";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Prices" };

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? "";

export default async function PricesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/prices");
  if (!canSee(user, "prices")) return <AccessDenied what="prices" />;
  const params = await searchParams;
  const q = one(params.q).trim().toLowerCase();
  const admin = can(user, "prices:write");
  const [prices, unpriced] = await Promise.all([
    listPrices({ principal: user }),
    listUnpricedModels({ principal: user }, { days: 90 }),
  ]);
  const shown = prices
    .filter((p) => !q || `${p.provider}/${p.model}`.toLowerCase().includes(q))
    .sort((a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model) || a.serviceTier.localeCompare(b.serviceTier) || b.effectiveFrom.getTime() - a.effectiveFrom.getTime());
  const preset = one(params.provider) && one(params.model) ? { provider: one(params.provider), model: one(params.model), serviceTier: one(params.tier) || "standard" } : null;

  return (
    <>
      <PageHeader title="Prices" description="Effective-dated list prices, USD per million tokens. Every event is priced with the entry in effect at its time." />
      <div className="space-y-4">
        {unpriced.length > 0 ? (
          <Panel title="Models without a price" titleId="unpriced-title" description="Last 90 days. Their usage is counted as unpriced, never as $0." className="border-amber-300">
            <table aria-labelledby="unpriced-title" data-testid="unpriced-models" className="w-full text-sm">
              <thead>
                <tr className="text-left text-xs text-zinc-500">
                  <th scope="col" className="pb-2 font-medium">Model</th>
                  <th scope="col" className="pb-2 font-medium">Tier</th>
                  <th scope="col" className="pb-2 text-right font-medium">Unpriced requests</th>
                  <th scope="col" className="pb-2 font-medium">Seen</th>
                  {admin ? <th scope="col" className="pb-2"><span className="sr-only">Action</span></th> : null}
                </tr>
              </thead>
              <tbody>
                {unpriced.map((m) => (
                  <tr key={`${m.provider}/${m.model}/${m.serviceTier}`} className="border-t border-zinc-100">
                    <th scope="row" className="py-2 text-left font-medium text-zinc-900">{m.provider}/{m.model}</th>
                    <td className="py-2 text-zinc-600">{m.serviceTier}</td>
                    <td className="tabular py-2 text-right">{formatCount(m.unpricedRequests)}</td>
                    <td className="tabular py-2 text-zinc-600">{formatDayTime(m.firstSeen)} – {formatDayTime(m.lastSeen)}</td>
                    {admin ? (
                      <td className="py-2 text-right">
                        <Link href={`/prices?${new URLSearchParams({ provider: m.provider, model: m.model, tier: m.serviceTier }).toString()}#add-price`} className="text-sm font-medium underline underline-offset-2">
                          Add its price
                        </Link>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </Panel>
        ) : null}

        {admin ? (
          <section id="add-price" aria-labelledby="add-price-title" className="rounded-lg border border-zinc-200 bg-white p-4 shadow-xs">
            <h2 id="add-price-title" className="mb-3 text-sm font-semibold text-zinc-900">Add a price</h2>
            <AddPriceForm preset={preset} />
          </section>
        ) : null}

        <Panel title={`Catalog (${formatCount(shown.length)} of ${formatCount(prices.length)} entries)`} titleId="catalog-title">
          <form method="get" className="mb-3 flex gap-2" role="search">
            <label className="sr-only" htmlFor="price-search">Search models</label>
            <input id="price-search" name="q" defaultValue={q} placeholder="Search provider or model" className="w-64 rounded-md border border-zinc-300 px-2 py-1.5 text-sm" />
            <button type="submit" className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium">Search</button>
          </form>
          <ScrollRegion label="Price catalog" className="max-h-[32rem] overflow-y-auto">
            <table aria-labelledby="catalog-title" data-testid="price-catalog" className="w-full text-sm">
              <thead className="sticky top-0 bg-white">
                <tr className="text-left text-xs text-zinc-500">
                  <th scope="col" className="py-2 font-medium">Model</th>
                  <th scope="col" className="py-2 font-medium">Tier</th>
                  <th scope="col" className="py-2 font-medium">From</th>
                  <th scope="col" className="py-2 text-right font-medium">Input</th>
                  <th scope="col" className="py-2 text-right font-medium">Cache read</th>
                  <th scope="col" className="py-2 text-right font-medium">Cache write</th>
                  <th scope="col" className="py-2 text-right font-medium">1-hour write</th>
                  <th scope="col" className="py-2 text-right font-medium">Output</th>
                  <th scope="col" className="py-2 text-right font-medium">Reasoning</th>
                  <th scope="col" className="py-2 font-medium">Source</th>
                  {admin ? <th scope="col" className="py-2"><span className="sr-only">Actions</span></th> : null}
                </tr>
              </thead>
              <tbody className="tabular">
                {shown.map((p) => (
                  <tr key={p.id} className="border-t border-zinc-100">
                    <th scope="row" className="py-1.5 pr-2 text-left font-medium text-zinc-900">{p.provider}/{p.model}</th>
                    <td className="py-1.5 pr-2 text-zinc-600">{p.serviceTier}</td>
                    <td className="py-1.5 pr-2 text-zinc-600">{p.effectiveFrom.toISOString().slice(0, 10)}</td>
                    <td className="py-1.5 text-right">${p.rates.inputPerMtok}</td>
                    <td className="py-1.5 text-right">${p.rates.cacheReadPerMtok}</td>
                    <td className="py-1.5 text-right">${p.rates.cacheWritePerMtok}</td>
                    <td className="py-1.5 text-right">${p.rates.cacheWrite1hPerMtok}</td>
                    <td className="py-1.5 text-right">${p.rates.outputPerMtok}</td>
                    <td className="py-1.5 text-right">
                      ${p.rates.reasoningPerMtok}
                      {p.longContext ? (
                        <span className="block text-xs text-zinc-500">
                          above {formatCount(p.longContext.threshold)} input: ${p.longContext.rates.inputPerMtok} / ${p.longContext.rates.outputPerMtok}
                        </span>
                      ) : null}
                    </td>
                    <td className="max-w-48 truncate py-1.5 pl-2 text-xs text-zinc-500" title={p.source ?? undefined}>{p.source ?? "—"}{p.sourceDate ? ` (${p.sourceDate})` : ""}</td>
                    {admin ? (
                      <td className="py-1.5 pl-2 align-top">
                        <PriceRowActions
                          price={{
                            id: p.id,
                            name: `${p.provider}/${p.model} (${p.serviceTier}, from ${p.effectiveFrom.toISOString().slice(0, 10)})`,
                            rates: {
                              input_per_mtok: p.rates.inputPerMtok,
                              output_per_mtok: p.rates.outputPerMtok,
                              cache_read_per_mtok: p.rates.cacheReadPerMtok,
                              cache_write_per_mtok: p.rates.cacheWritePerMtok,
                              cache_write_1h_per_mtok: p.rates.cacheWrite1hPerMtok,
                              reasoning_per_mtok: p.rates.reasoningPerMtok,
                            },
                          }}
                        />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollRegion>
        </Panel>
      </div>
    </>
  );
}
