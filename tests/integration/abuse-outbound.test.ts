import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { POST as createChannelRoute } from "@/app/api/v1/alert-channels/route";
import { PATCH as patchChannelRoute } from "@/app/api/v1/alert-channels/[id]/route";
import { POST as testChannelRoute } from "@/app/api/v1/alert-channels/[id]/test/route";
import { getPool, prisma } from "@/lib/db";
import { deliverPendingAlerts } from "@/lib/alerts/deliver";
import type { ChannelView, TestResult } from "@/lib/alerts/channels";
import { outboundFetch, OutboundRefusedError } from "@/lib/http/outbound";
import { apiRequest, createTestKey } from "../factories/api-keys";
import { read, routeParams } from "../factories/users";

/**
 * Outbound URLs (issue 13, item 5): a channel is a request Burnrate makes on a user's
 * behalf, so it must not reach cloud metadata or the internal network. Loopback and
 * private addresses only when BURNRATE_OUTBOUND_ALLOW lists them; link-local and metadata
 * never; checked after DNS, at connect time and on every redirect; a test send answers
 * the status, never the body.
 */

const SECRET_BODY = "internal-secret-7d1c";
const LOOPBACK = "127.0.0.0/8,::1";

interface TestServer {
  port: number;
  hits: { method: string; path: string }[];
  close: () => Promise<void>;
}

const servers: TestServer[] = [];

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<TestServer> {
  const hits: TestServer["hits"] = [];
  const server: Server = createServer((request, response) => {
    hits.push({ method: request.method ?? "", path: request.url ?? "" });
    request.resume();
    request.on("end", () => handler(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const entry: TestServer = {
    port: (server.address() as AddressInfo).port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(entry);
  return entry;
}

/** A server that answers `status` with a body that must never come back to the user. */
const answering = (status: number) => serve((_request, response) => response.writeHead(status, { "content-type": "text/plain" }).end(SECRET_BODY));
/** A server that redirects every request to `location`. */
const redirecting = (status: number, location: () => string) => serve((_request, response) => response.writeHead(status, { location: location() }).end(SECRET_BODY));

let adminKey: string;

function allow(list: string | null): void {
  if (list === null) delete process.env.BURNRATE_OUTBOUND_ALLOW;
  else process.env.BURNRATE_OUTBOUND_ALLOW = list;
}

async function postChannel(url: string, type: "webhook" | "slack" = "webhook") {
  return read<ChannelView & { error: { code: string; message: string; details: { path: string; message: string }[] } }>(
    await createChannelRoute(apiRequest("/api/v1/alert-channels", { key: adminKey, body: { type, url, name: `outbound-${randomUUID()}` } })),
  );
}

async function createAllowed(url: string): Promise<ChannelView> {
  const { status, body } = await postChannel(url);
  expect(status, JSON.stringify(body)).toBe(201);
  return body;
}

async function sendTest(channelId: string): Promise<TestResult> {
  const { status, body } = await read<TestResult>(
    await testChannelRoute(apiRequest(`/api/v1/alert-channels/${channelId}/test`, { key: adminKey }), routeParams({ id: channelId })),
  );
  expect(status).toBe(200);
  return body;
}

beforeAll(async () => {
  adminKey = await createTestKey(["admin"]);
});

afterEach(async () => {
  allow(null);
  await prisma.alertChannel.deleteMany();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

afterAll(() => allow(null));

describe("creating and changing a channel", () => {
  it("refuses loopback, private and link-local URLs without the allow-list, with a 400 naming url and the reason", async () => {
    allow(null);
    const cases: [string, RegExp][] = [
      ["http://127.0.0.1:9/hook", /^127\.0\.0\.1 is a loopback address; list it in BURNRATE_OUTBOUND_ALLOW to allow it$/],
      ["http://10.0.0.5/hook", /^10\.0\.0\.5 is a private address; list it in BURNRATE_OUTBOUND_ALLOW to allow it$/],
      ["http://169.254.169.254/latest/meta-data/", /^169\.254\.169\.254 is a link-local \(cloud metadata\) address, which is never allowed$/],
      ["http://[::ffff:127.0.0.1]:9/hook", /loopback address; list it in BURNRATE_OUTBOUND_ALLOW/],
      ["http://[::ffff:169.254.169.254]/", /link-local \(cloud metadata\) address, which is never allowed/],
      ["http://localhost:9/hook", /^localhost resolves to 127\.0\.0\.1, a loopback address; list it in BURNRATE_OUTBOUND_ALLOW to allow it$/],
      ["http://172.16.3.4/", /private address/],
      ["http://100.64.0.1/", /CGNAT/],
      ["http://[fd12::1]/", /private \(unique local\) address/],
      ["http://[fe80::1]/", /link-local address, which is never allowed/],
      ["http://0.0.0.0:9/", /never allowed/],
      ["http://2130706433:9/", /^127\.0\.0\.1 is a loopback address/],
      ["http://user:pass@example.test/hook", /credentials/],
    ];
    for (const [url, reason] of cases) {
      const { status, body } = await postChannel(url);
      expect(status, url).toBe(400);
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.details, url).toEqual([{ path: "url", message: expect.stringMatching(reason) as unknown as string }]);
      expect(body.error.message).toContain(body.error.details[0]?.message);
    }
    // A Slack channel goes through the same guard.
    expect((await postChannel("http://10.1.2.3/services/T/B/x", "slack")).status).toBe(400);
    // None created: the only channel is the built-in in-app one.
    expect(await prisma.alertChannel.count({ where: { type: { not: "in_app" } } })).toBe(0);
  });

  it("accepts loopback in every spelling once listed, but still never private or link-local addresses outside it", async () => {
    allow(LOOPBACK);
    for (const url of ["http://127.0.0.1:9/hook", "http://[::ffff:127.0.0.1]:9/hook", "http://localhost:9/hook", "http://[::1]:9/hook"]) {
      await createAllowed(url);
    }
    expect((await postChannel("http://10.0.0.5/hook")).status).toBe(400);
    expect((await postChannel("http://169.254.169.254/")).status).toBe(400);
  });

  it("refuses a PATCH to a refused URL with a 400 naming url, and keeps the old URL", async () => {
    allow(LOOPBACK);
    const channel = await createAllowed("http://127.0.0.1:9/hook");
    const { status, body } = await read<{ error: { details: { path: string; message: string }[] } }>(
      await patchChannelRoute(
        apiRequest(`/api/v1/alert-channels/${channel.id}`, { key: adminKey, method: "PATCH", body: { url: "http://169.254.169.254/latest/meta-data/" } }),
        routeParams({ id: channel.id }),
      ),
    );
    expect(status).toBe(400);
    expect(body.error.details).toEqual([{ path: "url", message: expect.stringContaining("never allowed") as unknown as string }]);
    expect((await prisma.alertChannel.findUniqueOrThrow({ where: { id: channel.id } })).target).toBe("http://127.0.0.1:9/hook");
  });

  it("never allows metadata names or link-local space, even when listed", async () => {
    allow("metadata.google.internal,metadata,169.254.0.0/16,fe80::/10,100.100.100.200");
    for (const url of [
      "http://metadata.google.internal/computeMetadata/v1/",
      "http://METADATA.google.internal./computeMetadata/v1/",
      "http://metadata/computeMetadata/v1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://[fe80::1]/",
      "http://[fd00:ec2::254]/",
      "http://100.100.100.200/",
    ]) {
      const { status, body } = await postChannel(url);
      expect(status, url).toBe(400);
      expect(body.error.details[0]?.message, url).toMatch(/never allowed/);
    }
  });
});

describe("sending", () => {
  it("answers a test send with the status code only, never the response body", async () => {
    allow(LOOPBACK);
    const server = await answering(503);
    const channel = await createAllowed(`http://127.0.0.1:${server.port}/hook`);
    const result = await sendTest(channel.id);
    expect(result).toEqual({ ok: false, status_code: 503, error: "HTTP 503", duration_ms: expect.any(Number) as unknown as number });
    expect(JSON.stringify(result)).not.toContain(SECRET_BODY);
    expect(server.hits).toHaveLength(1);
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { action: "alert_channel.test", targetId: channel.id } });
    expect(JSON.stringify(audit.after)).not.toContain(SECRET_BODY);
  });

  it("refuses a redirect to the metadata address", async () => {
    allow(LOOPBACK);
    const server = await redirecting(307, () => "http://169.254.169.254/latest/meta-data/iam/security-credentials/");
    const channel = await createAllowed(`http://127.0.0.1:${server.port}/hook`);
    const result = await sendTest(channel.id);
    expect(result).toMatchObject({ ok: false, status_code: null });
    expect(result.error).toMatch(/^refused: redirect to http:\/\/169\.254\.169\.254: 169\.254\.169\.254 is a link-local \(cloud metadata\) address, which is never allowed$/);
    expect(JSON.stringify(result)).not.toContain(SECRET_BODY);
  });

  it("refuses a redirect to a loopback service that is not listed", async () => {
    // Only the host name "localhost" is listed: the literal 127.0.0.1 (another service) is not.
    const internal = await answering(200);
    const server = await redirecting(307, () => `http://127.0.0.1:${internal.port}/admin`);
    allow("localhost");
    const channel = await createAllowed(`http://localhost:${server.port}/hook`);
    const result = await sendTest(channel.id);
    expect(result.error).toBe(`refused: redirect to http://127.0.0.1:${internal.port}: 127.0.0.1 is a loopback address; list it in BURNRATE_OUTBOUND_ALLOW to allow it`);
    expect(server.hits).toHaveLength(1);
    expect(internal.hits).toHaveLength(0);
  });

  it("follows a 307 to an allowed address (at most 3 hops), and never turns the POST into a GET on a 302", async () => {
    allow(LOOPBACK);
    const target = await answering(204);
    const hop = await redirecting(307, () => `http://localhost:${target.port}/final`);
    const ok = await sendTest((await createAllowed(`http://127.0.0.1:${hop.port}/hook`)).id);
    expect(ok).toMatchObject({ ok: true, status_code: 204, error: null });
    expect(target.hits).toEqual([{ method: "POST", path: "/final" }]);

    const found = await redirecting(302, () => `http://127.0.0.1:${target.port}/get`);
    const notFollowed = await sendTest((await createAllowed(`http://127.0.0.1:${found.port}/hook`)).id);
    expect(notFollowed).toMatchObject({ ok: false, status_code: 302 });
    expect(notFollowed.error).toMatch(/^HTTP 302 \(redirect not followed/);
    expect(target.hits).toHaveLength(1);

    const loop: TestServer = await redirecting(307, () => `http://127.0.0.1:${loop.port}/again`);
    const looping = await sendTest((await createAllowed(`http://127.0.0.1:${loop.port}/hook`)).id);
    expect(looping.error).toBe("refused: more than 3 redirects");
    expect(loop.hits).toHaveLength(4);
  });

  it("fails a delivery at once, with the reason, when the URL is refused by the time it is sent", async () => {
    allow(LOOPBACK);
    const server = await answering(200);
    const channel = await createAllowed(`http://localhost:${server.port}/hook`);
    const alert = await prisma.alertEvent.create({
      data: {
        type: "spend.unpriced",
        dedupeKey: `outbound-${randomUUID()}`,
        periodStart: new Date("2023-01-01T00:00:00Z"),
        message: "test",
        payload: { type: "spend.unpriced", scope: {}, period_start: "2023-01-01T00:00:00.000Z", message: "test", url: "http://burnrate.test/prices" },
      },
    });
    await prisma.alertDelivery.create({ data: { alertEventId: alert.id, channelId: channel.id } });

    allow(null); // the operator removed loopback from the allow-list meanwhile
    const now = new Date("2023-01-02T00:00:00Z");
    const run = await deliverPendingAlerts(getPool(), now);
    expect(run).toMatchObject({ attempted: 1, delivered: 0, retrying: 0, failed: 1 });
    expect(run.deliveries[0]).toMatchObject({
      status: "failed",
      attempts: 1,
      next_attempt_at: null,
      response_status: null,
      error: `refused: localhost resolves to 127.0.0.1, a loopback address; list it in BURNRATE_OUTBOUND_ALLOW to allow it`,
    });
    expect(server.hits).toHaveLength(0);
    // Nothing left to retry.
    expect(await deliverPendingAlerts(getPool(), new Date(now.getTime() + 86_400_000))).toMatchObject({ attempted: 0 });
  });
});

describe("outboundFetch (for provider base URLs)", () => {
  it("follows GET redirects re-checking each hop, and strips credentials across origins", async () => {
    allow(LOOPBACK);
    const seen: (string | undefined)[] = [];
    const target = await serve((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
    const hop = await redirecting(302, () => `http://localhost:${target.port}/v1/costs`);
    const response = await outboundFetch(`http://127.0.0.1:${hop.port}/v1/costs`, { headers: { authorization: "Bearer provider-key" } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(seen).toEqual([undefined]);

    allow(null);
    await expect(outboundFetch(`http://127.0.0.1:${target.port}/`)).rejects.toBeInstanceOf(OutboundRefusedError);
    await expect(outboundFetch("ftp://example.test/")).rejects.toThrow(/only http:\/\/ and https:\/\//);
  });
});
