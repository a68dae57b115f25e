/**
 * Advisory locks that keep pricing consistent while prices change under live ingestion.
 *
 * The protocol (PRICING_LOCK_KEY, one bigint advisory lock shared by the whole installation):
 *
 * 1. Ingestion: every transaction that prices and inserts events first takes
 *    `SELECT pg_advisory_xact_lock_shared(728301)`, THEN reads the prices it uses (a
 *    statement after the lock, so under READ COMMITTED it sees every price committed
 *    before the lock was granted), inserts the events and appends their rollup additions,
 *    and commits. Shared locks do not block each other, so ingest transactions run in parallel.
 *    A process-level price cache is fine as long as it is re-validated after the lock is
 *    taken (see loadPriceVersion in price-store.ts).
 * 2. Adding a price (insertPrice in price-store.ts, loadDefaultCatalog in catalog.ts): the
 *    inserting transaction takes `SELECT pg_advisory_xact_lock(728301)` (EXCLUSIVE). It is
 *    granted only when every ingest transaction that started before it has committed or
 *    rolled back, and while it is held no new ingest transaction gets past step 1.
 * 3. After the price commits, repriceForNewPrice (reprice.ts) runs. It therefore sees
 *    every event that was priced without the new entry (they all committed before the
 *    exclusive lock was granted), and every ingest transaction that starts after the
 *    commit reads the new price itself: no event is left priced with a stale catalog.
 *    Each re-pricing transaction holds the shared lock too, so a price being deleted (under
 *    the exclusive lock, once no event refers to it: prices.ts) is never read by a re-pricing
 *    that commits after the check — usage_events has no foreign key to prices to catch it.
 *
 * Re-pricing runs of the same provider/model are serialized by a second, transaction-level
 * lock on the pair (REPRICE_LOCK_CLASS, hashtext(provider + US + model)), two-int-key
 * space, which never collides with the bigint key above. Each run reads the prices AFTER
 * taking it, so a run that started with an older catalog can never overwrite the results
 * of a run that knows a newer price: the newer run waits for it and then recomputes.
 */

/** The installation-wide pricing lock: ingestion holds it shared, price inserts exclusive. */
export const PRICING_LOCK_KEY = 728301;

/** First key of the per-provider/model re-pricing lock (pg_advisory_xact_lock(int, int)). */
export const REPRICE_LOCK_CLASS = 728302;

/** SQL that takes the shared pricing lock for the current transaction (ingestion). */
export const SHARED_PRICING_LOCK_SQL = `SELECT pg_advisory_xact_lock_shared(${PRICING_LOCK_KEY})`;

/** SQL that takes the exclusive pricing lock for the current transaction (price inserts). */
export const EXCLUSIVE_PRICING_LOCK_SQL = `SELECT pg_advisory_xact_lock(${PRICING_LOCK_KEY})`;

/** SQL that serializes re-pricing of one provider/model; $1 = provider, $2 = model. */
export const REPRICE_LOCK_SQL = `SELECT pg_advisory_xact_lock(${REPRICE_LOCK_CLASS}, hashtext($1::text || chr(31) || $2::text))`;
