import type { IncomingMessage, ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { readEnv } from "@/lib/env";
import { TokenBucketLimiter } from "@/lib/http/rate-limit";
import { stampRequest } from "@/lib/server/request-context";
import { canonicalAddress, clientAddress, CLIENT_IP_HEADER, formatAddress, resolveClientAddress } from "@/lib/http/client-address";
import { parseAddress, parseAllowList } from "@/lib/ops/allow-list";

const none = parseAllowList("");
const proxies = parseAllowList("10.0.0.0/8, 192.168.1.1, fd00::/8");

describe("resolveClientAddress", () => {
  it("is the socket's peer when no X-Forwarded-For is sent", () => {
    expect(resolveClientAddress("203.0.113.9", undefined, none)).toBe("203.0.113.9");
    expect(resolveClientAddress("10.1.2.3", undefined, proxies)).toBe("10.1.2.3");
    expect(resolveClientAddress("10.1.2.3", "", proxies)).toBe("10.1.2.3");
  });

  it("ignores X-Forwarded-For from a peer that is not a trusted proxy, whatever it says", () => {
    for (const forged of ["127.0.0.1", "1.2.3.4, 10.0.0.1", "10.0.0.1", "garbage"]) {
      expect(resolveClientAddress("203.0.113.9", forged, none)).toBe("203.0.113.9");
      expect(resolveClientAddress("203.0.113.9", forged, proxies)).toBe("203.0.113.9");
    }
  });

  it("walks a trusted chain right to left and takes the first untrusted hop", () => {
    // client → 192.168.1.1 (trusted) → 10.0.0.5 (trusted) → us; the client forged a leftmost entry.
    expect(resolveClientAddress("10.0.0.5", "6.6.6.6, 198.51.100.7, 192.168.1.1", proxies)).toBe("198.51.100.7");
    expect(resolveClientAddress("10.0.0.5", "198.51.100.7", proxies)).toBe("198.51.100.7");
    // Several headers (node joins them with ", ") or an array of them.
    expect(resolveClientAddress("10.0.0.5", ["6.6.6.6", "198.51.100.7, 10.9.9.9"], proxies)).toBe("198.51.100.7");
    // Every hop trusted: the leftmost one is the client.
    expect(resolveClientAddress("10.0.0.5", "10.1.1.1, 192.168.1.1", proxies)).toBe("10.1.1.1");
  });

  it("stops at garbage in a trusted chain and keeps the last address it could verify", () => {
    expect(resolveClientAddress("10.0.0.5", "198.51.100.7, not-an-ip", proxies)).toBe("10.0.0.5");
    expect(resolveClientAddress("10.0.0.5", "198.51.100.7, unknown, 192.168.1.1", proxies)).toBe("192.168.1.1");
    expect(resolveClientAddress("10.0.0.5", "1.2.3.4\r\nx: y", proxies)).toBe("10.0.0.5");
    expect(resolveClientAddress("10.0.0.5", " , ,", proxies)).toBe("10.0.0.5");
    expect(resolveClientAddress("10.0.0.5", "300.1.1.1", proxies)).toBe("10.0.0.5");
  });

  it("reads hops with ports, brackets or quotes as the address alone", () => {
    expect(resolveClientAddress("10.0.0.5", "198.51.100.7:51234", proxies)).toBe("198.51.100.7");
    expect(resolveClientAddress("10.0.0.5", "[2001:DB8::7]:443", proxies)).toBe("2001:db8::7");
    expect(resolveClientAddress("10.0.0.5", '"[2001:db8::8]"', proxies)).toBe("2001:db8::8");
  });

  it("handles IPv6 and IPv4-mapped peers and hops", () => {
    expect(resolveClientAddress("::ffff:203.0.113.9", "1.2.3.4", proxies)).toBe("203.0.113.9");
    // A mapped peer inside an IPv4 proxy range is that proxy.
    expect(resolveClientAddress("::ffff:10.0.0.5", "198.51.100.7", proxies)).toBe("198.51.100.7");
    expect(resolveClientAddress("2001:0db8:0000:0000:0000:0000:0000:0001", undefined, none)).toBe("2001:db8::1");
    expect(resolveClientAddress("fd00::1", "2001:db8::42, fd12::9", proxies)).toBe("2001:db8::42");
    expect(resolveClientAddress("fd00::1", "::ffff:198.51.100.7", proxies)).toBe("198.51.100.7");
    expect(resolveClientAddress("::1", "1.2.3.4", none)).toBe("::1");
    expect(resolveClientAddress("fe80::1%eth0", undefined, none)).toBe("fe80::1");
  });

  it("is null only without a usable peer", () => {
    expect(resolveClientAddress(undefined, "1.2.3.4", proxies)).toBeNull();
    expect(resolveClientAddress("", "1.2.3.4", proxies)).toBeNull();
  });
});

describe("formatAddress and canonicalAddress", () => {
  it.each([
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"],
    ["::", "::"],
    ["::1", "::1"],
    ["2001:db8::", "2001:db8::"],
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["127.0.0.1", "127.0.0.1"],
  ])("%s is written %s", (input, expected) => {
    expect(formatAddress(parseAddress(input) as NonNullable<ReturnType<typeof parseAddress>>)).toBe(expected);
  });

  it("refuses what is not an address", () => {
    for (const text of [null, undefined, "", "localhost", "1.2.3", "01.2.3.4", "1.2.3.4, 5.6.7.8", "::g"]) {
      expect(canonicalAddress(text)).toBeNull();
    }
  });
});

describe("clientAddress", () => {
  it("reads only the custom server's stamp, never X-Forwarded-For or X-Real-IP", () => {
    const forged = new Request("http://localhost/", { headers: { "x-forwarded-for": "1.2.3.4", "x-real-ip": "5.6.7.8" } });
    expect(clientAddress(forged)).toBeNull();
    const stamped = new Request("http://localhost/", { headers: { [CLIENT_IP_HEADER]: "198.51.100.7", "x-forwarded-for": "1.2.3.4" } });
    expect(clientAddress(stamped)).toBe("198.51.100.7");
    expect(clientAddress({ [CLIENT_IP_HEADER]: "::ffff:10.0.0.1" })).toBe("10.0.0.1");
    expect(clientAddress({ [CLIENT_IP_HEADER]: ["2001:db8::1"] })).toBe("2001:db8::1");
    expect(clientAddress({ [CLIENT_IP_HEADER]: "nonsense" })).toBeNull();
    expect(clientAddress(null)).toBeNull();
  });
});

describe("stampRequest (the custom server)", () => {
  function stamp(remoteAddress: string | undefined, headers: Record<string, string>, trusted = none) {
    const request = { headers: { ...headers }, socket: { remoteAddress } } as unknown as IncomingMessage;
    const response = { setHeader: () => undefined } as unknown as ServerResponse;
    stampRequest(request, response, trusted);
    return request.headers;
  }

  it("overwrites a client's stamp and forwarding headers with the socket's address", () => {
    const headers = stamp("::ffff:203.0.113.9", { [CLIENT_IP_HEADER]: "127.0.0.1", "x-forwarded-for": "127.0.0.1", "x-real-ip": "10.0.0.1" });
    expect(headers[CLIENT_IP_HEADER]).toBe("203.0.113.9");
    expect(headers["x-forwarded-for"]).toBe("203.0.113.9");
    expect(headers["x-real-ip"]).toBeUndefined();
  });

  it("stamps the first untrusted hop behind a trusted proxy", () => {
    const headers = stamp("10.0.0.5", { "x-forwarded-for": "6.6.6.6, 198.51.100.7" }, proxies);
    expect(headers[CLIENT_IP_HEADER]).toBe("198.51.100.7");
    expect(headers["x-forwarded-for"]).toBe("198.51.100.7");
  });

  it("removes a forged stamp when the socket has no address", () => {
    const headers = stamp(undefined, { [CLIENT_IP_HEADER]: "127.0.0.1", "x-forwarded-for": "127.0.0.1" });
    expect(headers[CLIENT_IP_HEADER]).toBeUndefined();
    expect(headers["x-forwarded-for"]).toBeUndefined();
  });
});

describe("settings", () => {
  it("refuses a bad BURNRATE_TRUSTED_PROXIES entry at start, naming it", () => {
    expect(() => readEnv({ BURNRATE_TRUSTED_PROXIES: "10.0.0.0/8, proxy.internal" })).toThrow(/BURNRATE_TRUSTED_PROXIES: "proxy.internal" is not an IP address or CIDR/);
    expect(() => readEnv({ BURNRATE_TRUSTED_PROXIES: "10.0.0.0/33" })).toThrow(/BURNRATE_TRUSTED_PROXIES/);
    expect(readEnv({}).BURNRATE_TRUSTED_PROXIES).toBe("");
    expect(readEnv({ BURNRATE_TRUSTED_PROXIES: "127.0.0.1, 10.0.0.0/8, ::1" }).BURNRATE_TRUSTED_PROXIES).toBe("127.0.0.1, 10.0.0.0/8, ::1");
  });

  it("defaults the sign-in limit to 10 a second with a burst of 20", () => {
    const env = readEnv({});
    expect([env.BURNRATE_SIGN_IN_RATE_PER_SECOND, env.BURNRATE_SIGN_IN_BURST]).toEqual([10, 20]);
    expect(() => readEnv({ BURNRATE_SIGN_IN_RATE_PER_SECOND: "0" })).toThrow(/BURNRATE_SIGN_IN_RATE_PER_SECOND/);
  });
});

describe("TokenBucketLimiter.peek", () => {
  it("answers what take would, without taking", () => {
    const bucket = new TokenBucketLimiter(10, 2);
    expect(bucket.peek("k", 1, 0).allowed).toBe(true);
    expect(bucket.take("k", 1, 0).allowed).toBe(true);
    expect(bucket.peek("k", 1, 0).allowed).toBe(true);
    expect(bucket.take("k", 1, 0).allowed).toBe(true);
    expect(bucket.peek("k", 1, 0)).toEqual({ allowed: false, retryAfter: 1 });
    expect(bucket.peek("k", 1, 100).allowed).toBe(true);
  });
});
