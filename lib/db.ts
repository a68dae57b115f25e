import "server-only";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { readEnv } from "@/lib/env";

/**
 * The one database module. Prisma for ordinary reads and writes; the same pg pool
 * for the bulk paths (COPY, multi-row upserts) that Prisma's row objects are too slow for.
 */

interface Database {
  prisma: PrismaClient;
  pool: pg.Pool;
}

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
  return { prisma, pool };
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

export async function disconnect(): Promise<void> {
  const db = globalForDb.burnrateDb;
  if (!db) return;
  globalForDb.burnrateDb = undefined;
  await db.prisma.$disconnect();
  await db.pool.end();
}
