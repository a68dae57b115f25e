import { randomUUID } from "node:crypto";
import type pg from "pg";
import { hashPassword } from "@/lib/auth/password";
import type { PriceEntry } from "@/lib/pricing/match-price";
import { priceEntryColumns, priceEntryFromRow, type PriceEntryRow } from "@/lib/pricing/price-rows";
import { CATALOG_PRICES, MODELS, PRICE_EFFECTIVE_FROM, PRICE_SOURCE_DATE } from "./catalog";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, TEAMS } from "./company";

/**
 * The small tables the demo needs before its events: teams, the price catalog and the
 * demo accounts. Every write is an upsert that leaves what an operator already set up alone.
 */

export async function upsertTeams(db: pg.ClientBase | pg.Pool): Promise<void> {
  for (const team of TEAMS) {
    // A team auto-created by ingestion ("discovered") gets its proper name; a team
    // someone set up by hand keeps theirs.
    await db.query(
      `INSERT INTO teams (id, slug, name, discovered, updated_at) VALUES ($1, $2, $3, false, now())
       ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, discovered = false, updated_at = now()
       WHERE teams.discovered`,
      [randomUUID(), team.slug, team.name],
    );
  }
}

export async function upsertPrices(db: pg.ClientBase | pg.Pool): Promise<void> {
  for (const price of CATALOG_PRICES) {
    const r = price.rates;
    await db.query(
      `INSERT INTO prices (id, provider, model, service_tier, effective_from, input_per_mtok, output_per_mtok,
                           cache_read_per_mtok, cache_write_per_mtok, reasoning_per_mtok, source, source_date, cache_write_1h_per_mtok)
       VALUES ($1, $2, $3, $4::"ServiceTier", $5, $6, $7, $8, $9, $10, $11, $12::date, $13)
       ON CONFLICT (provider, model, service_tier, effective_from) DO NOTHING`,
      [
        randomUUID(),
        price.provider,
        price.model,
        price.serviceTier,
        PRICE_EFFECTIVE_FROM.toISOString(),
        r.inputPerMtok,
        r.outputPerMtok,
        r.cacheReadPerMtok,
        r.cacheWritePerMtok,
        r.reasoningPerMtok,
        price.source,
        PRICE_SOURCE_DATE,
        r.cacheWrite1hPerMtok === r.cacheWritePerMtok ? null : r.cacheWrite1hPerMtok,
      ],
    );
  }
}

/** Every price entry for the demo's models, including ones an operator added. */
export async function loadDemoPrices(db: pg.ClientBase | pg.Pool): Promise<PriceEntry[]> {
  const models = Object.values(MODELS);
  const result = await db.query<PriceEntryRow>(
    `SELECT ${priceEntryColumns()}
     FROM prices
     WHERE (provider, model) IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
    [models.map((m) => m.provider), models.map((m) => m.model)],
  );
  return result.rows.map(priceEntryFromRow);
}

/**
 * Creates the demo accounts that do not exist yet (dated `createdAt`: the demo company has
 * used Burnrate since its history starts); existing users are left untouched.
 */
export async function upsertDemoAccounts(db: pg.ClientBase | pg.Pool, createdAt: Date = new Date()): Promise<void> {
  const existing = await db.query<{ email: string }>("SELECT email FROM users WHERE email = ANY($1)", [
    DEMO_ACCOUNTS.map((a) => a.email),
  ]);
  const known = new Set(existing.rows.map((row) => row.email));
  const missing = DEMO_ACCOUNTS.filter((account) => !known.has(account.email));
  // scrypt is deliberately slow; hash the passwords side by side on the thread pool.
  const hashes = await Promise.all(missing.map(() => hashPassword(DEMO_PASSWORD)));
  for (const [i, account] of missing.entries()) {
    await db.query(
      `INSERT INTO users (id, email, name, password_hash, role, created_at, updated_at) VALUES ($1, $2, $3, $4, $5::"Role", $6, now())
       ON CONFLICT (email) DO NOTHING`,
      [randomUUID(), account.email, account.name, hashes[i], account.role, createdAt],
    );
  }
  for (const account of DEMO_ACCOUNTS) {
    for (const membership of account.teams) {
      await db.query(
        `INSERT INTO team_memberships (user_id, team_id, role)
         SELECT u.id, t.id, $3::"TeamMemberRole" FROM users u, teams t WHERE u.email = $1 AND t.slug = $2
         ON CONFLICT (user_id, team_id) DO NOTHING`,
        [account.email, membership.slug, membership.role],
      );
    }
  }
}
