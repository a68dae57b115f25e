import { afterAll, inject } from "vitest";
import { createDatabase, databaseUrl, dropDatabase } from "./test-database";

// Runs before each integration test file is imported: the file gets a fresh, migrated
// database of its own, so files never see each other's rows and can run in parallel.
const serverUrl = inject("testServerUrl");
const name = await createDatabase(serverUrl, "burnrate_test", inject("templateDatabase"));
process.env.DATABASE_URL = databaseUrl(serverUrl, name);

afterAll(async () => {
  const { disconnect } = await import("@/lib/db");
  await disconnect();
  await dropDatabase(serverUrl, name);
});
