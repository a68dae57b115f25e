import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { Readable } from "node:stream";
import { parseAddress, parseAllowRule, ruleMatches, type AllowRule, type ParsedAddress } from "@/lib/ops/allow-list";

/**
 * The guard for every outbound call to an address a user configured (alert webhooks,
 * Slack webhooks, reconciliation provider base URLs). Server-only (node:http, node:dns).
 *
 * - Only http: and https:, no user:password@ in the URL.
 * - Never: link-local and cloud-metadata destinations (169.254.0.0/16, fe80::/10,
 *   fd00:ec2::254, 100.100.100.200, the names `metadata.google.internal` and `metadata`),
 *   0.0.0.0/8, ::, multicast, broadcast and reserved space — not even when listed.
 * - Only when listed in BURNRATE_OUTBOUND_ALLOW (comma-separated CIDRs or host names):
 *   loopback (127.0.0.0/8, ::1), private (10/8, 172.16/12, 192.168/16, fc00::/7), CGNAT
 *   (100.64/10) and other special-purpose space. A host-name entry allows those
 *   addresses when the URL names that host; a CIDR entry allows the addresses in it.
 * - IPv4 carried in IPv6 (::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged
 *   as the IPv4 address it carries.
 * - A name is checked after DNS, every address it resolves to, inside the socket's own
 *   `lookup`: the address that was checked is the address connected to, so DNS rebinding
 *   between check and connect cannot happen. IP literals are checked before connecting.
 * - Redirects are followed by hand (at most 3), every hop checked the same way. A 301,
 *   302 or 303 answer to a request other than GET/HEAD is not followed (that would turn a
 *   POST into a GET); the caller sees the 3xx.
 *
 * A refusal is an OutboundRefusedError whose message says why and what to do: "resolves
 * to 10.0.0.5, a private address; list it in BURNRATE_OUTBOUND_ALLOW to allow it".
 */

export const OUTBOUND_ALLOW_SETTING = "BURNRATE_OUTBOUND_ALLOW";
export const MAX_REDIRECTS = 3;
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Host names of cloud metadata services: refused whatever they resolve to, even when listed. */
export const METADATA_HOSTS: ReadonlySet<string> = new Set(["metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"]);

// ---------------------------------------------------------------- address classes

export type AddressVerdict =
  | { kind: "public" }
  /** Loopback, private, CGNAT…: allowed only when listed. */
  | { kind: "restricted"; label: string }
  /** Link-local, metadata, unspecified, multicast, broadcast, reserved: never. */
  | { kind: "forbidden"; label: string };

interface Range {
  family: 4 | 6;
  cidr: string;
  kind: "restricted" | "forbidden";
  label: string;
}

// Most specific first: the first match decides (fd00:ec2::254 is inside fc00::/7, 255.255.255.255 inside 240/4).
const RANGES: readonly (Range & { rule: AllowRule })[] = (
  [
    { family: 4, cidr: "100.100.100.200/32", kind: "forbidden", label: "cloud metadata" },
    { family: 4, cidr: "169.254.0.0/16", kind: "forbidden", label: "link-local (cloud metadata)" },
    { family: 4, cidr: "0.0.0.0/8", kind: "forbidden", label: "unspecified (0.0.0.0/8)" },
    { family: 4, cidr: "255.255.255.255/32", kind: "forbidden", label: "broadcast" },
    { family: 4, cidr: "224.0.0.0/4", kind: "forbidden", label: "multicast" },
    { family: 4, cidr: "240.0.0.0/4", kind: "forbidden", label: "reserved (240.0.0.0/4)" },
    { family: 4, cidr: "127.0.0.0/8", kind: "restricted", label: "loopback" },
    { family: 4, cidr: "10.0.0.0/8", kind: "restricted", label: "private" },
    { family: 4, cidr: "172.16.0.0/12", kind: "restricted", label: "private" },
    { family: 4, cidr: "192.168.0.0/16", kind: "restricted", label: "private" },
    { family: 4, cidr: "100.64.0.0/10", kind: "restricted", label: "shared (CGNAT, 100.64.0.0/10)" },
    { family: 4, cidr: "192.0.0.0/24", kind: "restricted", label: "special-purpose (192.0.0.0/24)" },
    { family: 4, cidr: "198.18.0.0/15", kind: "restricted", label: "benchmarking (198.18.0.0/15)" },
    { family: 6, cidr: "fd00:ec2::254/128", kind: "forbidden", label: "cloud metadata" },
    { family: 6, cidr: "::/128", kind: "forbidden", label: "unspecified (::)" },
    { family: 6, cidr: "::1/128", kind: "restricted", label: "loopback" },
    { family: 6, cidr: "::/96", kind: "forbidden", label: "reserved (IPv4-compatible ::/96)" },
    { family: 6, cidr: "fe80::/10", kind: "forbidden", label: "link-local" },
    { family: 6, cidr: "fec0::/10", kind: "forbidden", label: "site-local (deprecated)" },
    { family: 6, cidr: "ff00::/8", kind: "forbidden", label: "multicast" },
    { family: 6, cidr: "fc00::/7", kind: "restricted", label: "private (unique local)" },
    { family: 6, cidr: "100::/64", kind: "forbidden", label: "discard-only (100::/64)" },
  ] as const satisfies readonly Range[]
).map((range) => ({ ...range, rule: parseAllowRule(range.cidr) }));

const NAT64 = parseAllowRule("64:ff9b::/96");
const SIX_TO_FOUR = parseAllowRule("2002::/16");

/** The IPv4 address an IPv6 one carries (NAT64, 6to4), or null. ::ffff:a.b.c.d is already IPv4 (parseAddress). */
function embeddedIPv4(address: ParsedAddress): ParsedAddress | null {
  if (address.family !== 6) return null;
  if (ruleMatches(NAT64, address)) return { family: 4, value: address.value & 0xffffffffn };
  if (ruleMatches(SIX_TO_FOUR, address)) return { family: 4, value: (address.value >> 80n) & 0xffffffffn };
  return null;
}

function classifyParsed(address: ParsedAddress): AddressVerdict {
  for (const range of RANGES) {
    if (ruleMatches(range.rule, address)) return { kind: range.kind, label: range.label };
  }
  const inner = embeddedIPv4(address);
  if (inner) {
    const verdict = classifyParsed(inner);
    if (verdict.kind !== "public") return { kind: verdict.kind, label: `${verdict.label}, carried in IPv6` };
  }
  return { kind: "public" };
}

/** What kind of destination an IP address is; throws on something that is not an IP address. */
export function classifyAddress(address: string): AddressVerdict {
  const parsed = parseAddress(address);
  if (!parsed) throw new Error(`"${address}" is not an IP address`);
  return classifyParsed(parsed);
}

// ---------------------------------------------------------------- BURNRATE_OUTBOUND_ALLOW

export interface OutboundPolicy {
  /** CIDR and address entries. */
  rules: readonly AllowRule[];
  /** Host-name entries, lower case, without a trailing dot. */
  hosts: ReadonlySet<string>;
}

const HOST_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** "example.COM." → "example.com"; brackets of an IPv6 literal dropped. */
export function normalizeHost(host: string): string {
  const lower = host.trim().toLowerCase();
  const unbracketed = lower.startsWith("[") && lower.endsWith("]") ? lower.slice(1, -1) : lower;
  return unbracketed.endsWith(".") ? unbracketed.slice(0, -1) : unbracketed;
}

function looksLikeAddress(entry: string): boolean {
  return entry.includes("/") || entry.includes(":") || /^[0-9.]+$/.test(entry);
}

/**
 * "127.0.0.1/32, ::1, hooks.internal" → the policy; empty entries skipped. Throws on the
 * first entry that is neither an IP/CIDR nor a host name (no wildcards, ports or URLs).
 * Metadata names and link-local ranges may be listed but allow nothing: they stay refused.
 */
export function parseOutboundAllow(list: string): OutboundPolicy {
  const rules: AllowRule[] = [];
  const hosts = new Set<string>();
  for (const raw of list.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    if (looksLikeAddress(entry)) {
      rules.push(parseAllowRule(entry));
      continue;
    }
    const host = normalizeHost(entry);
    const labels = host.split(".");
    if (host.length > 253 || !labels.every((label) => HOST_LABEL.test(label))) {
      throw new Error(`"${entry}" is not an IP address, CIDR or host name (write host names bare: no scheme, port, path or wildcard)`);
    }
    hosts.add(host);
  }
  return { rules, hosts };
}

const policies = new Map<string, OutboundPolicy>();

/**
 * The policy of BURNRATE_OUTBOUND_ALLOW in `env`, parsed once per distinct text; a bad
 * entry throws naming the setting (call it at start-up to fail fast).
 */
export function outboundPolicy(env: Record<string, string | undefined> = process.env): OutboundPolicy {
  const text = env[OUTBOUND_ALLOW_SETTING] ?? "";
  let policy = policies.get(text);
  if (!policy) {
    try {
      policy = parseOutboundAllow(text);
    } catch (error) {
      throw new Error(`${OUTBOUND_ALLOW_SETTING}: ${error instanceof Error ? error.message : String(error)}`);
    }
    policies.set(text, policy);
  }
  return policy;
}

// ---------------------------------------------------------------- checks

/** An outbound call refused by the guard; `message` is the reason, fit for users. */
export class OutboundRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutboundRefusedError";
  }
}

/**
 * Why connecting to `address` for `host` is refused, or null when it may be. `resolvedFrom`
 * is the host name the address came from (null for an IP literal).
 */
export function addressRefusal(address: string, resolvedFrom: string | null, policy: OutboundPolicy): string | null {
  const parsed = parseAddress(address);
  if (!parsed) return `${address} is not an IP address`;
  const verdict = classifyParsed(parsed);
  const subject = resolvedFrom === null ? `${address} is` : `${resolvedFrom} resolves to ${address},`;
  if (verdict.kind === "public") return null;
  const what = `${/^[aeiou]/i.test(verdict.label) ? "an" : "a"} ${verdict.label} address`;
  if (verdict.kind === "forbidden") return `${subject} ${what}, which is never allowed`;
  if (policy.rules.some((rule) => ruleMatches(rule, parsed))) return null;
  if (resolvedFrom !== null && policy.hosts.has(normalizeHost(resolvedFrom))) return null;
  return `${subject} ${what}; list it in ${OUTBOUND_ALLOW_SETTING} to allow it`;
}

function urlOf(input: string | URL): URL {
  if (input instanceof URL) return input;
  try {
    return new URL(input);
  } catch {
    throw new OutboundRefusedError("not a valid URL");
  }
}

/**
 * The checks that need no DNS: scheme, credentials, metadata names, and an IP literal's
 * address. Answers the parsed URL and, for a name, the host to resolve (null for a literal).
 */
export function checkUrlSyntax(input: string | URL, policy: OutboundPolicy): { url: URL; hostName: string | null } {
  const url = urlOf(input);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new OutboundRefusedError(`only http:// and https:// URLs are allowed, not ${url.protocol}`);
  if (url.username !== "" || url.password !== "") throw new OutboundRefusedError("a URL must not carry credentials (user:password@)");
  const host = normalizeHost(url.hostname);
  if (host === "") throw new OutboundRefusedError("the URL has no host");
  if (METADATA_HOSTS.has(host)) throw new OutboundRefusedError(`${host} is a cloud metadata host, which is never allowed`);
  if (parseAddress(host)) {
    const refusal = addressRefusal(host, null, policy);
    if (refusal) throw new OutboundRefusedError(refusal);
    return { url, hostName: null };
  }
  return { url, hostName: host };
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address (what the socket would connect to). */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) =>
    dns.lookup(host, { all: true, verbatim: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

/** Why the addresses a name resolved to are refused (the first refused one), or null. */
export function resolvedRefusal(host: string, addresses: readonly ResolvedAddress[], policy: OutboundPolicy): string | null {
  if (addresses.length === 0) return `${host} resolves to no address`;
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, host, policy);
    if (refusal) return refusal;
  }
  return null;
}

export interface CheckOptions {
  env?: Record<string, string | undefined>;
  policy?: OutboundPolicy;
  resolver?: Resolver;
  /** How long DNS may take before the check gives up on it (default 5 s). */
  dnsTimeoutMs?: number;
}

/**
 * For a configuration change (a channel's URL): the reason the URL is refused, or null.
 * A name that does not resolve now is accepted — every call resolves and checks again
 * at connect time, so nothing unchecked is ever reached.
 */
export async function outboundUrlRefusal(input: string | URL, options: CheckOptions = {}): Promise<string | null> {
  const policy = options.policy ?? outboundPolicy(options.env);
  try {
    const { hostName } = checkUrlSyntax(input, policy);
    if (hostName === null) return null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), options.dnsTimeoutMs ?? 5_000);
    });
    try {
      const addresses = await Promise.race([(options.resolver ?? systemResolver)(hostName).catch(() => null), timeout]);
      return addresses === null ? null : resolvedRefusal(hostName, addresses, policy);
    } finally {
      clearTimeout(timer);
    }
  } catch (error) {
    if (error instanceof OutboundRefusedError) return error.message;
    throw error;
  }
}

/**
 * A socket `lookup` that resolves with `resolver`, refuses when any address is refused,
 * and hands the checked addresses to the socket — the socket connects to nothing else.
 */
export function guardedLookup(policy: OutboundPolicy, resolver: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolver(hostname).then(
      (resolved) => {
        const wanted = options.family === 4 || options.family === 6 ? resolved.filter((a) => a.family === options.family) : resolved;
        const refusal = resolvedRefusal(hostname, resolved, policy);
        if (refusal) return callback(new OutboundRefusedError(refusal), "", 0);
        const [first] = wanted;
        if (!first) return callback(Object.assign(new Error(`${hostname} has no IPv${options.family} address`), { code: "ENOTFOUND" }), "", 0);
        if (options.all) return callback(null, wanted.map((a) => ({ address: a.address, family: a.family })));
        return callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}

// ---------------------------------------------------------------- requests

export interface OutboundInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** The whole call, redirects included (default 10 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** "follow" (default, at most `maxRedirects`), "manual": answer the 3xx, "error": a redirect is an error. */
  redirect?: "follow" | "manual" | "error";
  maxRedirects?: number;
  env?: Record<string, string | undefined>;
  policy?: OutboundPolicy;
  resolver?: Resolver;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NULL_BODY = new Set([101, 204, 205, 304]);
const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "cookie"]);

interface RawAnswer {
  status: number;
  statusText: string;
  headers: Headers;
  stream: http.IncomingMessage;
}

function headersOf(message: http.IncomingMessage): Headers {
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i] as string, raw[i + 1] as string);
    } catch {
      // a header the Fetch API cannot hold: dropped
    }
  }
  return headers;
}

function send(url: URL, init: OutboundInit, policy: OutboundPolicy, signal: AbortSignal): Promise<RawAnswer> {
  const body = init.body === undefined ? undefined : typeof init.body === "string" ? Buffer.from(init.body, "utf8") : Buffer.from(init.body);
  const headers: Record<string, string> = { ...init.headers };
  if (body) headers["content-length"] = String(body.byteLength);
  const request = (url.protocol === "https:" ? https : http).request;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: init.method ?? "GET",
      headers,
      // A new connection every call, resolved and checked by the guard: no pooled socket
      // from another policy or another resolution is ever reused.
      agent: false,
      lookup: guardedLookup(policy, init.resolver),
      signal,
    });
    req.once("response", (message) =>
      resolve({ status: message.statusCode ?? 0, statusText: message.statusMessage ?? "", headers: headersOf(message), stream: message }),
    );
    req.once("error", (error) => {
      // A refusal from the lookup arrives wrapped in the socket's error: unwrap it.
      const refusal = error instanceof OutboundRefusedError ? error : (error as { cause?: unknown }).cause;
      reject(refusal instanceof OutboundRefusedError ? refusal : error);
    });
    req.end(body);
  });
}

/**
 * fetch for user-configured destinations: the URL and every redirect checked (see the
 * module comment), connected to the addresses checked. Rejects with OutboundRefusedError
 * when the guard refuses, with the network's error otherwise; a timeout is a
 * TimeoutError (DOMException) as with fetch.
 */
export async function outboundFetch(input: string | URL, init: OutboundInit = {}): Promise<Response> {
  const policy = init.policy ?? outboundPolicy(init.env);
  const timeout = AbortSignal.timeout(init.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  const maxRedirects = init.maxRedirects ?? MAX_REDIRECTS;
  const method = (init.method ?? "GET").toUpperCase();
  let { url } = checkUrlSyntax(input, policy);
  let headers = { ...init.headers };
  for (let hop = 0; ; hop++) {
    let answer: RawAnswer;
    try {
      answer = await send(url, { ...init, method, headers }, policy, signal);
    } catch (error) {
      if (hop > 0 && error instanceof OutboundRefusedError) throw new OutboundRefusedError(`redirect to ${url.origin}: ${error.message}`);
      throw error;
    }
    const location = answer.headers.get("location");
    if (!REDIRECTS.has(answer.status) || location === null || init.redirect === "manual") return toResponse(answer, url);
    if (init.redirect === "error") {
      answer.stream.resume();
      throw new OutboundRefusedError(`${url.origin} answered a redirect (HTTP ${answer.status}); redirects are not followed`);
    }
    // fetch would turn these into a GET without the body: not followed, the caller sees the 3xx.
    if (method !== "GET" && method !== "HEAD" && answer.status !== 307 && answer.status !== 308) return toResponse(answer, url);
    answer.stream.resume();
    if (hop >= maxRedirects) throw new OutboundRefusedError(`more than ${maxRedirects} redirects`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new OutboundRefusedError(`redirect to an invalid URL (${location.slice(0, 200)})`);
    }
    try {
      checkUrlSyntax(next, policy);
    } catch (error) {
      if (error instanceof OutboundRefusedError) throw new OutboundRefusedError(`redirect to ${next.origin}: ${error.message}`);
      throw error;
    }
    // Credentials meant for one origin are not handed to another (as fetch does).
    if (next.origin !== url.origin) headers = Object.fromEntries(Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())));
    url = next;
  }
}

function toResponse(answer: RawAnswer, url: URL): Response {
  if (answer.status < 200 || answer.status > 599) {
    answer.stream.destroy();
    throw new Error(`${url.origin} answered an invalid HTTP status (${answer.status})`);
  }
  const body = NULL_BODY.has(answer.status) ? null : (Readable.toWeb(answer.stream) as ReadableStream<Uint8Array>);
  if (!body) answer.stream.resume();
  return new Response(body, { status: answer.status, statusText: answer.statusText, headers: answer.headers });
}
