import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";
import { getSecret } from "@/lib/secrets";

/**
 * The providers' admin keys at rest: AES-256-GCM under a key derived (HKDF-SHA256) from the
 * installation's `connectionKeys` secret (BURNRATE_CONNECTION_SECRET, else generated once into
 * the data directory's secrets.json). A sealed key reads `v1.<key id>.<iv>.<tag>.<ciphertext>`
 * (base64url), the key id naming which secret sealed it.
 *
 * Rotation: set BURNRATE_CONNECTION_SECRET to the new secret and
 * BURNRATE_CONNECTION_SECRET_PREVIOUS to the old one; both open keys, and
 * `burnrate reconcile rotate-keys` reseals every stored key under the new one, after which
 * the previous secret can be dropped.
 */

const VERSION = "v1";
const INFO = "burnrate reconciliation admin keys v1";
const PREVIOUS_SETTING = "BURNRATE_CONNECTION_SECRET_PREVIOUS";

interface BoxKey {
  id: string;
  key: Buffer;
}

function boxKey(secret: string): BoxKey {
  const key = Buffer.from(hkdfSync("sha256", secret, "burnrate", INFO, 32));
  return { id: createHash("sha256").update(key).digest("hex").slice(0, 12), key };
}

function currentKey(env: Record<string, string | undefined>): BoxKey {
  return boxKey(getSecret("connectionKeys", env));
}

function openingKeys(env: Record<string, string | undefined>): BoxKey[] {
  const keys = [currentKey(env)];
  const previous = env[PREVIOUS_SETTING];
  if (previous) keys.push(boxKey(previous));
  return keys;
}

export function sealAdminKey(adminKey: string, env: Record<string, string | undefined> = process.env): string {
  const { id, key } = currentKey(env);
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const sealed = Buffer.concat([cipher.update(adminKey, "utf8"), cipher.final()]);
  return [VERSION, id, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), sealed.toString("base64url")].join(".");
}

export class SealedKeyError extends Error {}

export function openAdminKey(sealed: string, env: Record<string, string | undefined> = process.env): string {
  const [version, id, iv, tag, data] = sealed.split(".");
  if (version !== VERSION || !id || !iv || !tag || data === undefined) throw new SealedKeyError("the stored admin key is not in a format this version reads");
  const box = openingKeys(env).find((candidate) => candidate.id === id);
  if (!box) {
    throw new SealedKeyError(
      `the stored admin key was sealed with another secret (key id ${id}): set ${PREVIOUS_SETTING} to it, or add the connection again`,
    );
  }
  const decipher = createDecipheriv("aes-256-gcm", box.key, Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SealedKeyError("the stored admin key does not open (damaged or sealed with another secret)");
  }
}

/** Whether a sealed key was sealed with another secret than the current one (rotation left to do). */
export function sealedWithOlderSecret(sealed: string, env: Record<string, string | undefined> = process.env): boolean {
  return sealed.split(".")[1] !== currentKey(env).id;
}

/** The last 4 characters, for telling keys apart in lists: never more of the key. */
export function keyHint(adminKey: string): string {
  return `…${adminKey.slice(-4)}`;
}
