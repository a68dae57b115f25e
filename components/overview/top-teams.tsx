import Link from "next/link";
import type { TeamSpend } from "@/lib/analytics/overview";
import { Money } from "@/lib/money";
import { formatCount, formatMoney, formatPercent, ratio } from "@/lib/format";
import { Panel } from "@/components/ui/panel";

export function TopTeams({ teams, teamCount, totalCostUsd }: { teams: TeamSpend[]; teamCount: number; totalCostUsd: string }) {
  const description =
    teamCount > teams.length ? `Top ${teams.length} of ${formatCount(teamCount)} teams by spend` : "By spend, month to date";
  return (
    <Panel title="Top teams" titleId="top-teams-title" description={description}>
      {teams.length === 0 && new Money(totalCostUsd).isZero() ? (
        <p className="text-sm text-zinc-600">No spend recorded this month yet.</p>
      ) : teams.length === 0 ? (
        <p className="text-sm text-zinc-600">
          No team-tagged spend this month. Send <code className="rounded bg-zinc-100 px-1 text-[13px]">tags.team</code> with
          each event to see spend by team.
        </p>
      ) : (
        <table aria-labelledby="top-teams-title" data-testid="top-teams" className="w-full text-sm">
          <thead>
            <tr className="text-left text-xs text-zinc-500">
              <th scope="col" className="pb-2 font-medium">
                Team
              </th>
              <th scope="col" className="pb-2 text-right font-medium">
                Spend
              </th>
              <th scope="col" className="w-16 pb-2 text-right font-medium">
                Share
              </th>
            </tr>
          </thead>
          <tbody>
            {teams.map((team) => {
              const share = ratio(team.costUsd, totalCostUsd);
              return (
                <tr key={team.team} className="border-t border-zinc-100">
                  <th scope="row" className="py-2 pr-2 text-left font-medium text-zinc-900">
                    <Link href={`/teams/${encodeURIComponent(team.team)}`} className="block truncate hover:underline">
                      {team.team}
                    </Link>
                    <span aria-hidden="true" className="mt-1 block h-1 rounded-full bg-zinc-100">
                      <span
                        className="block h-1 rounded-full bg-indigo-500"
                        style={{ width: share ? `${share.mul(100).toFixed(1)}%` : "0%" }}
                      />
                    </span>
                  </th>
                  <td className="tabular py-2 text-right text-zinc-900">{formatMoney(team.costUsd)}</td>
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
