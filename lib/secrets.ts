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
} as const;

export type SecretPurpose = keyof typeof SECRET_PURPOSES;

export function getSecret(purpose: SecretPurpose, env: Record<string, string | undefined> = process.env): string {
  const fromEnv = env[SECRET_PURPOSES[purpose]];
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error(`${SECRET_PURPOSES[purpose]} must be at least 32 characters`);
    return fromEnv;
  }
  const file = path.resolve(env.BURNRATE_DATA_DIR ?? ".data", "secrets.json");
  const stored: Partial<Record<SecretPurpose, string>> = existsSync(file)
    ? (JSON.parse(readFileSync(file, "utf8")) as Partial<Record<SecretPurpose, string>>)
    : {};
  const existing = stored[purpose];
  if (existing) return existing;
  const created = randomBytes(32).toString("base64url");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...stored, [purpose]: created }, null, 2), { mode: 0o600 });
  return created;
}
