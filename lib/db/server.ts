import path from "node:path";
import { startEmbeddedPostgres } from "@/lib/db/embedded-postgres";

/** Where the app's data lives: DATABASE_URL, or the embedded server under the data dir. */
export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop: () => Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  /** See EmbeddedOptions.attachToRunning: true for CLI commands, false for the app's owner. */
  attachToRunning?: boolean;
  log?: (line: string) => void;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    return { url: options.databaseUrl, embedded: false, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres({
    dataDir: path.resolve(options.dataDir),
    attachToRunning: options.attachToRunning ?? true,
    log: options.log,
  });
  return { url: server.url(), embedded: true, stop: server.stop };
}
