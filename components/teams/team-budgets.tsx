import Link from "next/link";
import type { BudgetView } from "@/lib/budgets/budgets";
import { formatMoney } from "@/lib/format";
import { BudgetStatusChip } from "@/components/budgets/budget-status-chip";
import { Panel } from "@/components/ui/panel";

/** The budgets that cover a team, this month. */
export function TeamBudgets({ budgets }: { budgets: BudgetView[] }) {
  return (
    <Panel title="Budgets" titleId="team-budgets-title" description="This month">
      {budgets.length === 0 ? (
        <p className="text-sm text-zinc-600">
          No budget covers this team yet. Finance sets budgets on the <Link href="/budgets" className="font-medium underline underline-offset-2">Budgets</Link> page.
        </p>
      ) : (
        <ul className="space-y-2 text-sm" data-testid="team-budgets">
          {budgets.map((b) => (
            <li key={b.id} className="flex flex-wrap items-center justify-between gap-2">
              <span className="font-medium text-zinc-900">{b.name}</span>
              <span className="tabular text-zinc-700">
                {formatMoney(b.spent_usd)} of {formatMoney(b.amount_usd)} · forecast {formatMoney(b.forecast_usd)}
              </span>
              <BudgetStatusChip status={b.status} />
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
