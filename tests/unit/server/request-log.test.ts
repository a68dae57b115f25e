import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "@/lib/log";
import { stampRequest } from "@/lib/server/request-context";
import { logRequest } from "@/lib/server/request-log";

/** The custom server's per-request stamp and log line, through a real node:http server. */

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function serve(status: number, level: "info" | "debug" = "info") {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ level: "info", write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  const seen: http.IncomingHttpHeaders[] = [];
  server = http.createServer((request, response) => {
    stampRequest(request, response);
    seen.push({ ...request.headers });
    logRequest(log, request, response, level);
    response.writeHead(status).end("ok");
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, lines, seen };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe("request ids and request logs", () => {
  it("a fresh id per request, echoed in the response and the log; the query is not logged", async () => {
    const { base, lines } = await serve(200);
    const response = await fetch(`${base}/api/v1/spend?team=secret-team&from=2026-11-01`, { headers: { authorization: "Bearer br_x" } });
    await response.text();
    await settle();
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "info", msg: "request", req_id: id, method: "GET", path: "/api/v1/spend", status: 200, client_ip: "127.0.0.1" });
    expect(typeof lines[0]?.duration_ms).toBe("number");
    expect(JSON.stringify(lines[0])).not.toContain("secret-team");
    expect(JSON.stringify(lines[0])).not.toContain("br_x");
  });

  it("keeps a caller's sane X-Request-Id, replaces an unsafe one, and overwrites a forged client address", async () => {
    const { base, seen } = await serve(200);
    const kept = await fetch(base, { headers: { "x-request-id": "gw-123.abc", "x-burnrate-client-ip": "10.0.0.1" } });
    expect(kept.headers.get("x-request-id")).toBe("gw-123.abc");
    expect(seen[0]?.["x-burnrate-client-ip"]).toBe("127.0.0.1");
    const replaced = await fetch(base, { headers: { "x-request-id": "bad id\twith spaces" } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("4xx at warn, 5xx at error; debug-level lines (quota checks) are not written at info", async () => {
    const warn = await serve(404);
    await (await fetch(warn.base)).text();
    await settle();
    expect(warn.lines.map((l) => l.level)).toEqual(["warn"]);
    await new Promise((resolve) => server?.close(resolve));

    const failing = await serve(503, "debug");
    await (await fetch(failing.base)).text();
    await settle();
    expect(failing.lines.map((l) => [l.level, l.status])).toEqual([["error", 503]]);
    await new Promise((resolve) => server?.close(resolve));

    const quiet = await serve(200, "debug");
    await (await fetch(quiet.base)).text();
    await settle();
    expect(quiet.lines).toEqual([]);
  });
});
