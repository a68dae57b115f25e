import { type AllowRule, type ParsedAddress, parseAddress, ruleMatches } from "@/lib/ops/allow-list";

/**
 * The client address: the one place that decides it (sign-in lockout, audit log, metrics
 * allow-list, anything keyed by address).
 *
 * It is the socket's peer. `X-Forwarded-For` counts only when that peer is a trusted proxy
 * (BURNRATE_TRUSTED_PROXIES): the header is then walked right to left, skipping hops that
 * are trusted proxies too, and the first untrusted address is the client. Anything a client
 * writes further left is never reached, so rotating the header changes nothing. The custom
 * server (scripts/start.ts → lib/server/request-context.ts) decides this once per request,
 * from the real socket, and stamps the answer in X-Burnrate-Client-Ip (overwriting whatever
 * a client sent); route code reads the stamp with `clientAddress`.
 */

/** The stamp: set by the custom server on every request, overwriting any a client sent. */
export const CLIENT_IP_HEADER = "x-burnrate-client-ip";

function isTrusted(address: ParsedAddress, trusted: readonly AllowRule[]): boolean {
  return trusted.some((rule) => ruleMatches(rule, address));
}

/** "1.2.3.4:5678" and "[2001:db8::1]:443" (some proxies write ports) without the port; quotes gone. */
function stripPort(hop: string): string {
  const text = hop.trim().replace(/^"(.*)"$/, "$1");
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) return bracketed[1] ?? "";
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(text);
  return v4WithPort ? (v4WithPort[1] ?? "") : text;
}

/** Canonical text of an address: dotted IPv4 (also for IPv4-mapped IPv6), RFC 5952 IPv6 (lower case, longest zero run as ::). */
export function formatAddress(address: ParsedAddress): string {
  if (address.family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((address.value >> shift) & 0xffn)).join(".");
  }
  const groups = Array.from({ length: 8 }, (_, index) => Number((address.value >> BigInt(16 * (7 - index))) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1; // a single zero group is not compressed
  for (let start = 0; start < 8; ) {
    if (groups[start] !== 0) {
      start += 1;
      continue;
    }
    let end = start;
    while (end < 8 && groups[end] === 0) end += 1;
    if (end - start > bestLength) [bestStart, bestLength] = [start, end - start];
    start = end;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** An address written by a socket, a proxy or a client, canonicalised; null when it is not an address. */
export function canonicalAddress(text: string | null | undefined): string | null {
  if (!text) return null;
  const parsed = parseAddress(stripPort(text));
  return parsed ? formatAddress(parsed) : null;
}

/**
 * The client address of a connection from `peer` (the socket's remote address) that sent
 * `forwardedFor` (X-Forwarded-For, every instance joined with commas), given the trusted
 * proxies. Null only when the peer itself is unknown (a socket already closed).
 */
export function resolveClientAddress(
  peer: string | null | undefined,
  forwardedFor: string | readonly string[] | null | undefined,
  trusted: readonly AllowRule[],
): string | null {
  const peerText = canonicalAddress(peer);
  if (peerText === null) return null;
  let current = parseAddress(peerText) as ParsedAddress;
  if (trusted.length === 0 || !isTrusted(current, trusted) || !forwardedFor) return peerText;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor as string)).split(",");
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = (hops[index] ?? "").trim();
    if (hop === "") continue;
    const parsed = parseAddress(stripPort(hop));
    // Garbage where a trusted proxy should have written its peer: nothing left of it can be
    // believed, so the client is the last address we know, the proxy that passed it on.
    if (!parsed) break;
    current = parsed;
    if (!isTrusted(parsed, trusted)) break;
  }
  return formatAddress(current);
}

type HeaderSource = Headers | Record<string, unknown> | null | undefined;

function headerOf(headers: HeaderSource, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
  const value = (headers as Record<string, unknown>)[name];
  if (Array.isArray(value)) return typeof value[0] === "string" ? value[0] : null;
  return typeof value === "string" ? value : null;
}

/**
 * The client address of a request that came through the custom server: its stamp, which a
 * client cannot forge. Null without a stamp (a handler called directly, `next start` without
 * scripts/start.ts): X-Forwarded-For and X-Real-IP are never read here.
 */
export function clientAddress(source: Request | HeaderSource): string | null {
  const headers = source instanceof Request ? source.headers : source;
  return canonicalAddress(headerOf(headers, CLIENT_IP_HEADER));
}
