import "server-only";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { readEnv } from "@/lib/env";

/**
 * The one database module. Prisma for ordinary reads and writes; the same pg pool
 * for the bulk paths (COPY, multi-row upserts) that Prisma's row objects are too slow for.
 * With DATABASE_READ_URL, a second pool on the streaming replica: only the dashboards' and
 * reports' reads use it, through lib/db/read-routing.ts (which falls back to the primary
 * when the replica is unreachable); everything else stays on the primary.
 */

interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
  /** The read replica's pool (DATABASE_READ_URL), null without one. */
  replica: pg.Pool | null;
}

/** A replica that does not accept a connection in this time counts as unreachable (reads go to the primary). */
export const REPLICA_CONNECT_TIMEOUT_MS = 3_000;

// Survives Next's dev-mode module reloads so connections are not leaked.
const globalForDb = globalThis as unknown as { burnrateDb?: Database };

function connect(): Database {
  const env = readEnv();
  if (!env.DATABASE_URL) {
    throw new Error("DATABASE_URL is not set: start Burnrate with `npm start`, which provides the database.");
  }
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: env.BURNRATE_DB_POOL_SIZE });
  // An idle client losing its server (database restart) must not crash the process.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let replica: pg.Pool | null = null;
  if (env.DATABASE_READ_URL) {
    replica = new pg.Pool({
      connectionString: env.DATABASE_READ_URL,
      max: env.BURNRATE_DB_POOL_SIZE,
      connectionTimeoutMillis: REPLICA_CONNECT_TIMEOUT_MS,
    });
    replica.on("error", () => {});
  }
  return { prisma, pool, replica };
}

function database(): Database {
  globalForDb.burnrateDb ??= connect();
  return globalForDb.burnrateDb;
}

/** The Prisma client, created on first use (so importing this module never connects). */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get: (_target, property) => {
    const client = database().prisma;
    const value: unknown = Reflect.get(client, property, client);
    return typeof value === "function" ? value.bind(client) : value;
  },
});

export function getPool(): pg.Pool {
  return database().pool;
}

/** Is a read replica configured (DATABASE_READ_URL)? Answered from the environment, without connecting. */
export function replicaConfigured(): boolean {
  return readEnv().DATABASE_READ_URL !== undefined;
}

/**
 * The read replica's pool (DATABASE_READ_URL), null without one. Read through
 * lib/db/read-routing.ts, which knows whether the replica is reachable; never for writes,
 * quota checks, budget decisions or reads that must see the caller's own writes.
 */
export function getReplicaPool(): pg.Pool | null {
  return database().replica;
}

export async function disconnect(): Promise<void> {
  const db = globalForDb.burnrateDb;
  if (!db) return;
  globalForDb.burnrateDb = undefined;
  await db.prisma.$disconnect();
  await db.pool.end();
  await db.replica?.end();
}
