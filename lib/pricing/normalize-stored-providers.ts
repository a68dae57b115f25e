import "server-only";
import type pg from "pg";
import { prisma } from "@/lib/db";
import { writeAudit } from "@/lib/audit/audit-log";
import { withTransaction } from "@/lib/db/sql";
import { normalizeProvider } from "@/lib/pricing/provider-name";
import { repriceForNewPrice } from "@/lib/pricing/reprice";
import { ROLLUP_DIMENSIONS, ROLLUP_MEASURES } from "@/lib/rollups/rebuild";
import { TAG_ROLLUP_DIMENSIONS, TAG_ROLLUP_MEASURES } from "@/lib/rollups/tag-rollups";
import { foldHourlyPending, PENDING_LOCK_SQL } from "@/lib/rollups/pending";

/**
 * The data half of the provider-name migration (20261206062844): events and prices stored
 * before every path normalized provider names ("Anthropic", "openai.chat") are renamed to the
 * normalized name, the name as sent kept on each event, and the events that a price now covers
 * are re-priced. Run at every start after the SQL migrations (and by `burnrate migrate`); it is
 * idempotent and costs one small query once everything is normalized. In TypeScript, not SQL, so
 * the rule lives in one place (normalizeProvider).
 */
export interface ProviderRename {
  from: string;
  to: string;
  events: number;
  prices: number;
  /** Prices left under the old name because the normalized name already has the same entry. */
  pricesKept: number;
}

export interface NormalizeResult {
  renamed: ProviderRename[];
  /** Events priced by the re-pricing that followed. */
  newlyPriced: number;
}

// One instance at a time (several app processes may start together): pg_advisory_xact_lock(hashtext(…)).
const NORMALIZE_LOCK = "burnrate:normalize-providers";

const DIMENSIONS_BUT_PROVIDER = ROLLUP_DIMENSIONS.filter((column) => column !== "provider");
const MEASURES = ROLLUP_MEASURES.join(", ");

// Moves one provider's hourly rollup rows to the normalized name, adding into rows that exist
// there. Insert-then-delete (never an UPDATE of a dimension): the daily-rollup triggers turn both
// into exact deltas.
const MERGE_ROLLUPS_SQL = `
INSERT INTO usage_rollup_hourly AS r (${DIMENSIONS_BUT_PROVIDER.join(", ")}, provider, ${MEASURES})
SELECT ${DIMENSIONS_BUT_PROVIDER.join(", ")}, $2, ${MEASURES} FROM usage_rollup_hourly WHERE provider = $1
ORDER BY ${ROLLUP_DIMENSIONS.filter((c) => c !== "provider").join(", ")}
ON CONFLICT (${ROLLUP_DIMENSIONS.join(", ")}) DO UPDATE SET
  ${ROLLUP_MEASURES.map((m) => `${m} = r.${m} + EXCLUDED.${m}`).join(",\n  ")}`;

// The same for the tag rollups (no triggers there).
const TAG_DIMENSIONS_BUT_PROVIDER = TAG_ROLLUP_DIMENSIONS.filter((column) => column !== "provider");
const MERGE_TAG_ROLLUPS_SQL = `
INSERT INTO usage_rollup_tag_hourly AS r (${TAG_DIMENSIONS_BUT_PROVIDER.join(", ")}, provider, ${TAG_ROLLUP_MEASURES.join(", ")})
SELECT ${TAG_DIMENSIONS_BUT_PROVIDER.join(", ")}, $2, ${TAG_ROLLUP_MEASURES.join(", ")} FROM usage_rollup_tag_hourly WHERE provider = $1
ORDER BY ${TAG_DIMENSIONS_BUT_PROVIDER.join(", ")}
ON CONFLICT (tag_key, hour, tag_value, team, feature, environment, tenant, prompt_version, provider, model, service_tier) DO UPDATE SET
  ${TAG_ROLLUP_MEASURES.map((m) => `${m} = r.${m} + EXCLUDED.${m}`).join(",\n  ")}`;

export async function normalizeStoredProviders(pool: pg.Pool): Promise<NormalizeResult> {
  const names = await pool.query<{ provider: string }>(
    `SELECT DISTINCT provider FROM usage_rollup_daily_all UNION SELECT DISTINCT provider FROM prices`,
  );
  const pending = names.rows.map((row) => row.provider).filter((name) => normalizeProvider(name) !== name && normalizeProvider(name) !== "");
  const result: NormalizeResult = { renamed: [], newlyPriced: 0 };
  if (pending.length === 0) return result;

  for (const from of pending.sort()) {
    const to = normalizeProvider(from);
    const rename = await withTransaction(
      pool,
      async (client): Promise<ProviderRename> => {
        // Ingest's pending rows carry old names too: folded in first (pending lock before the rollups').
        await client.query(PENDING_LOCK_SQL);
        await foldHourlyPending(client);
        await client.query("LOCK TABLE usage_rollup_hourly IN EXCLUSIVE MODE");
        await client.query(MERGE_ROLLUPS_SQL, [from, to]);
        await client.query("DELETE FROM usage_rollup_hourly WHERE provider = $1", [from]);
        await client.query("LOCK TABLE usage_rollup_tag_hourly IN EXCLUSIVE MODE");
        await client.query(MERGE_TAG_ROLLUPS_SQL, [from, to]);
        await client.query("DELETE FROM usage_rollup_tag_hourly WHERE provider = $1", [from]);
        const events = await client.query(
          "UPDATE usage_events SET provider_as_sent = coalesce(provider_as_sent, provider), provider = $2 WHERE provider = $1",
          [from, to],
        );
        const prices = await client.query(
          `UPDATE prices p SET provider = $2 WHERE p.provider = $1 AND NOT EXISTS (
             SELECT 1 FROM prices q WHERE q.provider = $2 AND q.model = p.model
               AND q.service_tier = p.service_tier AND q.effective_from = p.effective_from)`,
          [from, to],
        );
        const kept = await client.query<{ n: string }>("SELECT count(*)::text AS n FROM prices WHERE provider = $1", [from]);
        return {
          from,
          to,
          events: events.rowCount ?? 0,
          prices: prices.rowCount ?? 0,
          pricesKept: Number(kept.rows[0]?.n ?? 0),
        };
      },
      { advisoryLock: NORMALIZE_LOCK },
    );
    result.renamed.push(rename);
  }

  for (const to of new Set(result.renamed.map((rename) => rename.to))) {
    result.newlyPriced += await repriceNewlyCovered(pool, to);
  }
  for (const rename of result.renamed) {
    await writeAudit(prisma, { kind: "system", label: "migration" }, {
      action: "provider.normalize",
      targetType: "provider",
      targetId: rename.to,
      before: { provider: rename.from },
      after: rename,
    });
  }
  return result;
}

/** Re-prices a provider's models that have unpriced events and now a price (the earliest entry covers them all). */
async function repriceNewlyCovered(pool: pg.Pool, provider: string): Promise<number> {
  const targets = await pool.query<{ model: string; service_tier: string; effective_from: Date }>(
    `SELECT DISTINCT ON (p.model) p.model, p.service_tier::text AS service_tier, p.effective_from
     FROM prices p
     WHERE p.provider = $1
       AND EXISTS (SELECT 1 FROM usage_events e WHERE e.provider = $1 AND e.model = p.model AND e.pricing_state = 'unpriced')
     ORDER BY p.model, p.effective_from`,
    [provider],
  );
  let newlyPriced = 0;
  for (const row of targets.rows) {
    const repriced = await repriceForNewPrice(
      pool,
      { provider, model: row.model, serviceTier: row.service_tier, effectiveFrom: row.effective_from },
      { transaction: "per-chunk" },
    );
    newlyPriced += repriced.newlyPriced;
  }
  return newlyPriced;
}
