import "server-only";
import { dbOf, nowOf, teamScopeOf, type Ctx } from "@/lib/context";
import { iso, rows, SqlParams, toCount } from "@/lib/db/sql";
import { DAY_MS } from "@/lib/time";

/** Models that sent unpriced usage recently: what the Prices page asks an admin to fix. */
export interface UnpricedModel {
  provider: string;
  model: string;
  serviceTier: string;
  unpricedRequests: number;
  firstSeen: Date;
  lastSeen: Date;
}

/** Unpriced usage of the caller's teams in the last `days` days. */
export async function listUnpricedModels(ctx: Ctx, input: { days: number }): Promise<UnpricedModel[]> {
  const db = dbOf(ctx);
  const scope = teamScopeOf(ctx);
  const since = new Date(nowOf(ctx).getTime() - input.days * DAY_MS);
  const p = new SqlParams();
  const result = await rows<{ provider: string; model: string; service_tier: string; n: string; first: Date; last: Date }>(
    db,
    `SELECT provider, model, service_tier::text, sum(unpriced_requests)::text AS n, min(hour) AS first, max(hour) AS last
     FROM usage_rollup_hourly_all
     WHERE hour >= ${p.add(iso(since), "timestamptz")} AND unpriced_requests > 0${p.teamScope(scope)}
     GROUP BY provider, model, service_tier
     ORDER BY sum(unpriced_requests) DESC, provider, model`,
    p,
  );
  return result.map((row) => ({
    provider: row.provider,
    model: row.model,
    serviceTier: row.service_tier,
    unpricedRequests: toCount(row.n),
    firstSeen: row.first,
    lastSeen: row.last,
  }));
}
