import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * API key format: "br_" + 32 base62 characters of randomness (~190 bits) + 6 base62
 * characters of CRC-32 checksum. The fixed prefix lets secret scanners recognise a
 * leaked key; the checksum rejects typos without a database round trip.
 */
export const KEY_PREFIX = "br_";
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export interface MintedKey {
  secret: string;
  /** Public part stored for display and lookup: "br_" + first 8 random characters. */
  prefix: string;
  last4: string;
}

export function mintApiKey(): MintedKey {
  let random = "";
  while (random.length < RANDOM_LENGTH) {
    for (const byte of randomBytes(64)) {
      // Rejection sampling keeps every base62 character equally likely.
      if (byte < 248 && random.length < RANDOM_LENGTH) random += BASE62[byte % 62];
    }
  }
  const body = KEY_PREFIX + random;
  const secret = body + toBase62(crc32(body), CHECKSUM_LENGTH);
  return { secret, prefix: secret.slice(0, KEY_PREFIX.length + 8), last4: secret.slice(-4) };
}

/** Shape and checksum only; whether the key exists is the database's question. */
export function isWellFormedApiKey(candidate: string): boolean {
  if (candidate.length !== KEY_PREFIX.length + RANDOM_LENGTH + CHECKSUM_LENGTH) return false;
  if (!candidate.startsWith(KEY_PREFIX)) return false;
  const body = candidate.slice(0, -CHECKSUM_LENGTH);
  if (![...body.slice(KEY_PREFIX.length)].every((c) => BASE62.includes(c))) return false;
  const expected = toBase62(crc32(body), CHECKSUM_LENGTH);
  return timingSafeEqual(Buffer.from(expected), Buffer.from(candidate.slice(-CHECKSUM_LENGTH)));
}

/** Keyed hash stored instead of the secret (HMAC-SHA256 with the key-hashing secret). */
export function hashApiKey(secret: string, hashingSecret: string): string {
  return createHmac("sha256", hashingSecret).update(secret).digest("hex");
}

function toBase62(value: number, width: number): string {
  let out = "";
  let rest = value;
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, "0");
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text, "utf8")) {
    crc = (CRC_TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
