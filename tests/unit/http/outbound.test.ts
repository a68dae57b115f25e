import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addressRefusal,
  checkUrlSyntax,
  classifyAddress,
  guardedLookup,
  outboundFetch,
  outboundPolicy,
  outboundUrlRefusal,
  OutboundRefusedError,
  parseOutboundAllow,
  type ResolvedAddress,
  type Resolver,
} from "@/lib/http/outbound";

const NONE = parseOutboundAllow("");
const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });

describe("classifyAddress", () => {
  it.each([
    ["169.254.169.254", "forbidden"],
    ["169.254.0.1", "forbidden"],
    ["100.100.100.200", "forbidden"],
    ["0.0.0.0", "forbidden"],
    ["0.1.2.3", "forbidden"],
    ["224.0.0.1", "forbidden"],
    ["239.255.255.250", "forbidden"],
    ["255.255.255.255", "forbidden"],
    ["240.0.0.1", "forbidden"],
    ["fe80::1", "forbidden"],
    ["febf::1", "forbidden"],
    ["fd00:ec2::254", "forbidden"],
    ["ff02::1", "forbidden"],
    ["::", "forbidden"],
    ["::ffff:169.254.169.254", "forbidden"],
    ["::ffff:a9fe:a9fe", "forbidden"],
    ["64:ff9b::a9fe:a9fe", "forbidden"],
    ["2002:a9fe:a9fe::1", "forbidden"],
    ["127.0.0.1", "restricted"],
    ["127.255.255.254", "restricted"],
    ["::1", "restricted"],
    ["::ffff:127.0.0.1", "restricted"],
    ["::ffff:7f00:1", "restricted"],
    ["10.0.0.5", "restricted"],
    ["172.16.0.1", "restricted"],
    ["172.31.255.255", "restricted"],
    ["192.168.1.1", "restricted"],
    ["100.64.0.1", "restricted"],
    ["100.127.255.255", "restricted"],
    ["fc00::1", "restricted"],
    ["fd12:3456::1", "restricted"],
    ["::ffff:10.1.2.3", "restricted"],
    ["64:ff9b::a00:1", "restricted"],
    ["8.8.8.8", "public"],
    ["172.32.0.1", "public"],
    ["100.128.0.1", "public"],
    ["169.253.255.255", "public"],
    ["2606:4700:4700::1111", "public"],
    ["fd00:ec2::253", "restricted"],
  ])("%s is %s", (address, kind) => {
    expect(classifyAddress(address).kind).toBe(kind);
  });

  it("throws on something that is not an address", () => {
    expect(() => classifyAddress("example.com")).toThrow(/not an IP address/);
  });
});

describe("BURNRATE_OUTBOUND_ALLOW parsing", () => {
  it("takes CIDRs, addresses and host names, skipping empty entries", () => {
    const policy = parseOutboundAllow(" 10.0.0.0/8, ::1,,Hooks.Internal. ,127.0.0.1 ");
    expect(policy.rules).toHaveLength(3);
    expect([...policy.hosts]).toEqual(["hooks.internal"]);
  });

  it.each(["10.0.0.0/33", "300.1.1.1", "10.0.0.0/8/1", "*.internal", "http://hooks.internal", "hooks.internal:8080", "-bad.example", "a b"])(
    "refuses %j",
    (entry) => {
      expect(() => parseOutboundAllow(entry)).toThrow();
    },
  );

  it("names the setting and parses each text once", () => {
    expect(() => outboundPolicy({ BURNRATE_OUTBOUND_ALLOW: "10.0.0.0/8,nope/1" })).toThrow(/^BURNRATE_OUTBOUND_ALLOW: "nope\/1"/);
    const env = { BURNRATE_OUTBOUND_ALLOW: "10.0.0.0/8" };
    expect(outboundPolicy(env)).toBe(outboundPolicy({ ...env }));
    expect(outboundPolicy({}).rules).toEqual([]);
  });
});

describe("addressRefusal", () => {
  it("explains the refusal and how to lift it", () => {
    expect(addressRefusal("10.0.0.5", "hooks.example", NONE)).toBe(
      "hooks.example resolves to 10.0.0.5, a private address; list it in BURNRATE_OUTBOUND_ALLOW to allow it",
    );
    expect(addressRefusal("10.0.0.5", null, NONE)).toBe("10.0.0.5 is a private address; list it in BURNRATE_OUTBOUND_ALLOW to allow it");
    expect(addressRefusal("169.254.169.254", null, NONE)).toBe("169.254.169.254 is a link-local (cloud metadata) address, which is never allowed");
    expect(addressRefusal("0.0.0.0", null, NONE)).toBe("0.0.0.0 is an unspecified (0.0.0.0/8) address, which is never allowed");
    expect(addressRefusal("8.8.8.8", "dns.example", NONE)).toBeNull();
  });

  it("allows restricted addresses by CIDR (mapped IPv6 too) or by the host name they came from, never forbidden ones", () => {
    const policy = parseOutboundAllow("10.0.0.0/8,hooks.internal,0.0.0.0/0,::/0");
    expect(addressRefusal("10.1.2.3", null, policy)).toBeNull();
    expect(addressRefusal("::ffff:10.1.2.3", null, policy)).toBeNull();
    const byName = parseOutboundAllow("hooks.internal");
    expect(addressRefusal("192.168.1.10", "hooks.internal", byName)).toBeNull();
    expect(addressRefusal("192.168.1.10", "HOOKS.internal.", byName)).toBeNull();
    expect(addressRefusal("192.168.1.10", "other.internal", byName)).toMatch(/private address; list it/);
    expect(addressRefusal("192.168.1.10", null, byName)).toMatch(/private address; list it/);
    // 0.0.0.0/0 lists everything, and still not link-local or metadata.
    expect(addressRefusal("169.254.169.254", null, policy)).toMatch(/never allowed/);
    expect(addressRefusal("fd00:ec2::254", null, policy)).toMatch(/never allowed/);
    expect(addressRefusal("169.254.169.254", "hooks.internal", parseOutboundAllow("hooks.internal"))).toMatch(/never allowed/);
  });
});

describe("checkUrlSyntax", () => {
  it.each([
    ["ftp://example.com/x", /only http:\/\/ and https:\/\//],
    ["file:///etc/passwd", /only http:\/\/ and https:\/\//],
    ["http://user:pw@example.com/", /credentials/],
    ["http://user@example.com/", /credentials/],
    ["not a url", /not a valid URL/],
    ["http://metadata.google.internal/", /cloud metadata host/],
    ["http://Metadata.Google.Internal./", /cloud metadata host/],
    ["http://metadata/", /cloud metadata host/],
    ["http://0x7f.1/", /^127\.0\.0\.1 is a loopback address/],
    ["http://[::ffff:127.0.0.1]/", /loopback address/],
    ["http://[0:0:0:0:0:ffff:a9fe:a9fe]/", /never allowed/],
  ])("refuses %s", (url, reason) => {
    expect(() => checkUrlSyntax(url, NONE)).toThrow(reason);
  });

  it("answers the host to resolve for a name, none for an allowed literal", () => {
    expect(checkUrlSyntax("https://hooks.slack.com/services/T/B/x", NONE).hostName).toBe("hooks.slack.com");
    expect(checkUrlSyntax("http://8.8.8.8/", NONE).hostName).toBeNull();
  });
});

describe("after DNS", () => {
  const resolving = (addresses: ResolvedAddress[]): Resolver => async () => addresses;

  it("refuses when any address the name resolves to is refused", async () => {
    expect(await outboundUrlRefusal("http://hooks.example/x", { policy: NONE, resolver: resolving([v4("10.0.0.5")]) })).toBe(
      "hooks.example resolves to 10.0.0.5, a private address; list it in BURNRATE_OUTBOUND_ALLOW to allow it",
    );
    expect(await outboundUrlRefusal("http://hooks.example/x", { policy: NONE, resolver: resolving([v4("8.8.8.8"), v4("169.254.169.254")]) })).toMatch(
      /resolves to 169\.254\.169\.254, a link-local \(cloud metadata\) address, which is never allowed/,
    );
    expect(await outboundUrlRefusal("http://hooks.example/x", { policy: NONE, resolver: resolving([v4("8.8.8.8")]) })).toBeNull();
  });

  it("accepts a name that does not resolve (yet): the connection checks again", async () => {
    const failing: Resolver = async () => {
      throw Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" });
    };
    expect(await outboundUrlRefusal("http://nowhere.example/", { policy: NONE, resolver: failing })).toBeNull();
    const hanging: Resolver = () => new Promise(() => {});
    expect(await outboundUrlRefusal("http://slow.example/", { policy: NONE, resolver: hanging, dnsTimeoutMs: 10 })).toBeNull();
  });

  it("hands the socket only the checked addresses, or the refusal", async () => {
    const lookup = guardedLookup(NONE, resolving([v4("8.8.8.8"), { address: "2606:4700:4700::1111", family: 6 }]));
    const all = await new Promise((resolve) => lookup("x.example", { all: true }, (_error, addresses) => resolve(addresses)));
    expect(all).toEqual([v4("8.8.8.8"), { address: "2606:4700:4700::1111", family: 6 }]);
    const one = await new Promise((resolve) => lookup("x.example", { family: 6 }, (_error, address, family) => resolve([address, family])));
    expect(one).toEqual(["2606:4700:4700::1111", 6]);
    const refused = await new Promise((resolve) => guardedLookup(NONE, resolving([v4("127.0.0.1")]))("x.example", {}, (error) => resolve(error)));
    expect(refused).toBeInstanceOf(OutboundRefusedError);
  });
});

describe("outboundFetch against a local server", () => {
  let server: Server;
  let port: number;
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      hits.push(request.url ?? "");
      response.writeHead(200).end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("connects to the address its own lookup checked (a name system DNS does not know)", async () => {
    const policy = parseOutboundAllow("svc.internal");
    const response = await outboundFetch(`http://svc.internal:${port}/a`, { policy, resolver: async () => [v4("127.0.0.1")] });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok");
    expect(hits).toContain("/a");
  });

  it("cannot be rebound: a name that passed the check but resolves to loopback at connect time is refused", async () => {
    let calls = 0;
    const rebinding: Resolver = async () => (calls++ === 0 ? [v4("93.184.216.34")] : [v4("127.0.0.1")]);
    const url = `http://rebind.example:${port}/rebound`;
    expect(await outboundUrlRefusal(url, { policy: NONE, resolver: rebinding })).toBeNull();
    await expect(outboundFetch(url, { policy: NONE, resolver: rebinding })).rejects.toThrow(
      /^rebind\.example resolves to 127\.0\.0\.1, a loopback address; list it in BURNRATE_OUTBOUND_ALLOW to allow it$/,
    );
    expect(hits).not.toContain("/rebound");
  });
});
