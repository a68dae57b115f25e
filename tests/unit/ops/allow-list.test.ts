import { describe, expect, it } from "vitest";
import { allowListOf, isAllowed, parseAddress, parseAllowList, parseAllowRule } from "@/lib/ops/allow-list";
import { readEnv } from "@/lib/env";

const allowed = (list: string, address: string | null) => isAllowed(parseAllowList(list), address);

describe("parseAddress", () => {
  it("reads IPv4 as a 32-bit value", () => {
    expect(parseAddress("10.1.2.3")).toEqual({ family: 4, value: 0x0a010203n });
    expect(parseAddress("0.0.0.0")).toEqual({ family: 4, value: 0n });
    expect(parseAddress("255.255.255.255")).toEqual({ family: 4, value: 0xffffffffn });
  });

  it("reads IPv6 in every spelling as the same 128-bit value", () => {
    const one = { family: 6, value: 1n };
    expect(parseAddress("::1")).toEqual(one);
    expect(parseAddress("0:0:0:0:0:0:0:1")).toEqual(one);
    expect(parseAddress("0000:0000:0000:0000:0000:0000:0000:0001")).toEqual(one);
    expect(parseAddress("::")).toEqual({ family: 6, value: 0n });
    expect(parseAddress("2001:DB8::")).toEqual({ family: 6, value: 0x20010db8n << 96n });
    expect(parseAddress("2001:db8:0:0:1::2")).toEqual({ family: 6, value: (0x20010db8n << 96n) | (1n << 48n) | 2n });
    // "::" standing for a single zero group.
    expect(parseAddress("1:2:3:4:5:6::8")).toEqual(parseAddress("1:2:3:4:5:6:0:8"));
  });

  it("reads an IPv4-mapped IPv6 address as the IPv4 address", () => {
    expect(parseAddress("::ffff:192.168.1.7")).toEqual({ family: 4, value: 0xc0a80107n });
    expect(parseAddress("::FFFF:c0a8:0107")).toEqual({ family: 4, value: 0xc0a80107n });
    expect(parseAddress("0:0:0:0:0:ffff:192.168.1.7")).toEqual({ family: 4, value: 0xc0a80107n });
    // Only ::ffff:0:0/96 is mapped; the old "IPv4-compatible" ::a.b.c.d form stays IPv6.
    expect(parseAddress("::192.168.1.7")).toEqual({ family: 6, value: 0xc0a80107n });
  });

  it("ignores a zone on an address", () => {
    expect(parseAddress("fe80::1%eth0")).toEqual({ family: 6, value: (0xfe80n << 112n) | 1n });
  });

  it.each([
    "",
    "localhost",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3.-4",
    "1::2::3",
    ":::",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "12345::",
    "g::1",
    "::1.2.3",
    "1.2.3.4::",
  ])("refuses %j", (text) => {
    expect(parseAddress(text)).toBeNull();
  });
});

describe("parseAllowRule", () => {
  it("reads a bare address as a host rule (/32, /128)", () => {
    expect(parseAllowRule("10.0.0.1")).toEqual({ family: 4, value: 0x0a000001n, prefix: 32 });
    expect(parseAllowRule("::1")).toEqual({ family: 6, value: 1n, prefix: 128 });
  });

  it("reads CIDRs, and mapped-IPv6 CIDRs as the IPv4 CIDR they cover", () => {
    expect(parseAllowRule(" 10.0.0.0/8 ")).toEqual({ family: 4, value: 0x0a000000n, prefix: 8 });
    expect(parseAllowRule("::/0")).toEqual({ family: 6, value: 0n, prefix: 0 });
    expect(parseAllowRule("::ffff:10.0.0.0/104")).toEqual({ family: 4, value: 0x0a000000n, prefix: 8 });
  });

  it.each([
    ["garbage", /"garbage" is not an IP address or CIDR \(not an address\)/],
    ["10.0.0.0/33", /"10.0.0.0\/33" .*at most 32/],
    ["::/129", /at most 128/],
    ["10.0.0.0/", /prefix length must be a number/],
    ["10.0.0.0/8a", /prefix length must be a number/],
    ["10.0.0.0/-1", /prefix length must be a number/],
    ["10.0.0.0/8/8", /more than one \//],
    ["fe80::1%eth0/64", /zones are not allowed/],
    ["::ffff:10.0.0.0/8", /between \/96 and \/128/],
    ["example.com/24", /not an address/],
  ])("refuses %j with a message naming it", (entry, message) => {
    expect(() => parseAllowRule(entry)).toThrow(message);
  });
});

describe("parseAllowList", () => {
  it("allows nobody by default (behind a same-host proxy every client is loopback); loopback when set", () => {
    expect(parseAllowList(readEnv({}).BURNRATE_METRICS_ALLOW)).toEqual([]);
    expect(parseAllowList("127.0.0.1/32,::1/128")).toEqual([
      { family: 4, value: 0x7f000001n, prefix: 32 },
      { family: 6, value: 1n, prefix: 128 },
    ]);
  });

  it("skips empty entries and fails on the first bad one", () => {
    expect(parseAllowList(" , 10.0.0.0/8,, ")).toHaveLength(1);
    expect(parseAllowList("")).toEqual([]);
    expect(() => parseAllowList("10.0.0.0/8, 10.0.0.300")).toThrow(/"10\.0\.0\.300" is not an IP address or CIDR/);
  });

  it("memoises per list text", () => {
    expect(allowListOf("10.0.0.0/8")).toBe(allowListOf("10.0.0.0/8"));
    expect(() => allowListOf("nope", "BURNRATE_METRICS_ALLOW")).toThrow('BURNRATE_METRICS_ALLOW: "nope" is not an IP address or CIDR (not an address)');
  });
});

describe("isAllowed", () => {
  it("matches IPv4 CIDRs at their edges", () => {
    const list = "10.0.0.0/8,192.168.1.128/25";
    expect(allowed(list, "10.0.0.0")).toBe(true);
    expect(allowed(list, "10.255.255.255")).toBe(true);
    expect(allowed(list, "11.0.0.0")).toBe(false);
    expect(allowed(list, "9.255.255.255")).toBe(false);
    expect(allowed(list, "192.168.1.128")).toBe(true);
    expect(allowed(list, "192.168.1.255")).toBe(true);
    expect(allowed(list, "192.168.1.127")).toBe(false);
  });

  it("matches /32 exactly and /0 every IPv4 address (and no IPv6 one)", () => {
    expect(allowed("203.0.113.9/32", "203.0.113.9")).toBe(true);
    expect(allowed("203.0.113.9/32", "203.0.113.10")).toBe(false);
    expect(allowed("203.0.113.9", "203.0.113.8")).toBe(false);
    expect(allowed("0.0.0.0/0", "1.2.3.4")).toBe(true);
    expect(allowed("0.0.0.0/0", "255.255.255.255")).toBe(true);
    expect(allowed("0.0.0.0/0", "::1")).toBe(false);
  });

  it("masks host bits written in a CIDR", () => {
    expect(allowed("10.1.2.3/8", "10.200.0.1")).toBe(true);
  });

  it("matches IPv6 CIDRs, /128 and ::/0", () => {
    const list = "2001:db8::/32,fd00::1/128";
    expect(allowed(list, "2001:db8::")).toBe(true);
    expect(allowed(list, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")).toBe(true);
    expect(allowed(list, "2001:db9::")).toBe(false);
    expect(allowed(list, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")).toBe(false);
    expect(allowed(list, "fd00::1")).toBe(true);
    expect(allowed(list, "fd00::2")).toBe(false);
    expect(allowed("::/0", "fe80::1")).toBe(true);
    expect(allowed("::/0", "10.0.0.1")).toBe(false);
  });

  it("treats an IPv4-mapped client address as IPv4", () => {
    expect(allowed("127.0.0.1/32", "::ffff:127.0.0.1")).toBe(true);
    expect(allowed("10.0.0.0/8", "::ffff:10.9.8.7")).toBe(true);
    expect(allowed("10.0.0.0/8", "::ffff:11.9.8.7")).toBe(false);
    // The IPv6 loopback is not IPv4's, and ::/0 does not cover mapped IPv4.
    expect(allowed("127.0.0.1/32", "::1")).toBe(false);
    expect(allowed("::/0", "::ffff:127.0.0.1")).toBe(false);
    expect(allowed("::ffff:127.0.0.1", "127.0.0.1")).toBe(true);
  });

  it("never admits a missing, empty or malformed address", () => {
    const everything = "0.0.0.0/0,::/0";
    expect(allowed(everything, null)).toBe(false);
    expect(allowed(everything, "")).toBe(false);
    expect(allowed(everything, "not-an-ip")).toBe(false);
    expect(allowed(everything, "127.0.0.1, 10.0.0.1")).toBe(false);
    expect(allowed("", "127.0.0.1")).toBe(false);
  });
});
