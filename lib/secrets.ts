import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * One secret per purpose, so leaking one (say, a webhook signing secret) never lets
 * anyone forge sessions or match key hashes. Each comes from its environment
 * variable; when unset, a random value is generated once and kept in
 * <data dir>/secrets.json (mode 600) so the app and the CLI agree across restarts.
 */
export const SECRET_PURPOSES = {
  session: "BURNRATE_SESSION_SECRET",
  apiKeyHash: "BURNRATE_KEY_HASH_SECRET",
  webhookSigning: "BURNRATE_WEBHOOK_SECRET",
  // Encrypts the providers' admin keys of reconciliation connections (lib/reconciliation/key-box.ts).
  connectionKeys: "BURNRATE_CONNECTION_SECRET",
} as const;

export type SecretPurpose = keyof typeof SECRET_PURPOSES;

function readStored(file: string): Partial<Record<SecretPurpose, string>> {
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Partial<Record<SecretPurpose, string>>) : {};
}

// Stored secrets never change while the app runs: read each file once, not on every
// request (an API key's hash needs one, and the quota check is on a gateway's hot path).
const storedSecrets = new Map<string, string>();

export function getSecret(purpose: SecretPurpose, env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env[SECRET_PURPOSES[purpose]];
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error(`${SECRET_PURPOSES[purpose]} must be at least 32 characters`);
    return fromEnv;
  }
  const file = path.resolve(env.BURNRATE_DATA_DIR ?? ".data", "secrets.json");
  const memo = storedSecrets.get(`${file}\0${purpose}`);
  if (memo) return memo;
  const existing = readStored(file)[purpose];
  if (existing) {
    storedSecrets.set(`${file}\0${purpose}`, existing);
    return existing;
  }
  // Every purpose at once, created exclusively: two processes starting together (the app
  // and the CLI) must not each write secrets of their own. The loser reads the winner's.
  const created = Object.fromEntries(Object.keys(SECRET_PURPOSES).map((p) => [p, randomBytes(32).toString("base64url")]));
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    writeFileSync(file, JSON.stringify({ ...created, ...readStored(file) }, null, 2), { mode: 0o600, flag: existsSync(file) ? "w" : "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const stored = readStored(file)[purpose];
  if (!stored) throw new Error(`could not read the ${purpose} secret from ${file}`);
  return stored;
}
