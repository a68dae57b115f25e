import "server-only";
import { aggregateSpend } from "@/lib/analytics/spend";
import type { Queryable } from "@/lib/db/sql";
import { Money } from "@/lib/money";
import { monthStart } from "@/lib/schemas/chargeback";
import type { SpendLine } from "./allocate";

/** The month's spend lines, every team (allocation needs everybody's direct spend). */
export async function monthSpendLines(db: Queryable, month: string): Promise<SpendLine[]> {
  const { rows } = await aggregateSpend(
    db,
    {
      from: monthStart(month),
      to: monthStart(month, 1),
      groupBy: ["team", "feature", "environment", "tenant", "provider", "model"],
      filters: {},
    },
    { kind: "all" },
    { limit: null, order: "keys" },
  );
  return rows
    .filter((row) => row.requests > 0 || !new Money(row.cost_usd).isZero())
    .map((row) => ({
      team: row.team ?? null,
      feature: row.feature ?? null,
      environment: row.environment ?? null,
      tenant: row.tenant ?? null,
      provider: row.provider ?? "",
      model: row.model ?? "",
      cost_usd: row.cost_usd,
      requests: row.requests,
    }));
}

