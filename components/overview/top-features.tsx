import Link from "next/link";
import type { FeatureSpend } from "@/lib/analytics/overview";
import { formatMoney, formatPercent, ratio } from "@/lib/format";
import { Panel } from "@/components/ui/panel";
import { withQuery } from "@/components/queries/query-string";

export function TopFeatures({ features, totalCostUsd }: { features: FeatureSpend[]; totalCostUsd: string }) {
  return (
    <Panel title="Top features" titleId="top-features-title" description="By spend, month to date">
      {features.length === 0 ? (
        <p className="text-sm text-zinc-600">
          No feature-tagged spend this month. Send <code className="rounded bg-zinc-100 px-1 text-[13px]">tags.feature</code> to see it.
        </p>
      ) : (
        <table aria-labelledby="top-features-title" data-testid="top-features" className="w-full text-sm">
          <thead>
            <tr className="text-left text-xs text-zinc-500">
              <th scope="col" className="pb-2 font-medium">Feature</th>
              <th scope="col" className="pb-2 text-right font-medium">Spend</th>
              <th scope="col" className="w-16 pb-2 text-right font-medium">Share</th>
            </tr>
          </thead>
          <tbody>
            {features.map((f) => {
              const share = ratio(f.costUsd, totalCostUsd);
              const href = withQuery("/showback", { by: "feature", team: f.team });
              return (
                <tr key={`${f.team ?? ""}/${f.feature}`} className="border-t border-zinc-100">
                  <th scope="row" className="py-2 pr-2 text-left font-medium text-zinc-900">
                    <Link href={href} className="hover:underline">{f.feature}</Link>
                    <span className="block text-xs font-normal text-zinc-500">{f.team ?? "untagged team"}</span>
                  </th>
                  <td className="tabular py-2 text-right text-zinc-900">{formatMoney(f.costUsd)}</td>
                  <td className="tabular py-2 text-right text-zinc-600">{share ? formatPercent(share) : "—"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
