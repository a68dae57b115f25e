import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import net from "node:net";
import { expect } from "vitest";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { getPool, prisma } from "@/lib/db";
import { evaluateAlerts, type EvaluationResult } from "@/lib/alerts/evaluate";
import { apiRequest } from "./api-keys";
import { contractEvent } from "./events";

/**
 * Test data for alerts: a priced model of its own (so every dollar is exact), usage sent
 * through the real POST /api/v1/events route, evaluation at a chosen `now`, and local
 * receivers (HTTP webhooks, a tiny SMTP server) that record what they are sent.
 */

export const PROVIDER = "alertco";
export const BASE_URL = "http://burnrate.test";

/**
 * A fresh model priced at $1000 per million input tokens and nothing else, so an event
 * with N input tokens costs exactly N / 1000 USD (cache reads are billed like input).
 */
export async function createPricedModel(): Promise<string> {
  const model = `priced-${randomUUID().slice(0, 8)}`;
  await prisma.price.create({
    data: {
      provider: PROVIDER,
      model,
      effectiveFrom: new Date("2020-01-01T00:00:00Z"),
      inputPerMtok: "1000",
      outputPerMtok: "0",
      cacheReadPerMtok: "1000",
      cacheWritePerMtok: "1000",
      reasoningPerMtok: "0",
    },
  });
  return model;
}

export interface UsageSpec {
  at: string;
  /** USD at $1000 per million tokens: a multiple of 0.001 (ignored when input is given). */
  usd?: string;
  input?: number;
  read?: number;
  output?: number;
  tags?: Record<string, string>;
  model?: string;
  count?: number;
}

export function usageEvents(model: string, spec: UsageSpec): Record<string, unknown>[] {
  const input = spec.input ?? Math.round(Number(spec.usd ?? "0") * 1000);
  if (spec.input === undefined && Math.abs(input / 1000 - Number(spec.usd ?? "0")) > 1e-9) throw new Error(`not a multiple of $0.001: ${spec.usd}`);
  return Array.from({ length: spec.count ?? 1 }, () =>
    contractEvent({
      timestamp: spec.at,
      provider: PROVIDER,
      model: spec.model ?? model,
      usage: { input_tokens: input, output_tokens: spec.output ?? 0, cache_read_input_tokens: spec.read ?? 0 },
      tags: spec.tags ?? {},
    }),
  );
}

/** Sends usage through POST /api/v1/events (1000 events per request); every event must be accepted. */
export async function ingest(ingestKey: string, model: string, specs: UsageSpec[]): Promise<void> {
  const events = specs.flatMap((spec) => usageEvents(model, spec));
  for (let i = 0; i < events.length; i += 1000) {
    const batch = events.slice(i, i + 1000);
    const response = await postEvents(apiRequest("/api/v1/events", { key: ingestKey, body: { events: batch } }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ accepted: batch.length, rejected: 0 });
  }
}

export function evaluateAt(now: string | Date): Promise<EvaluationResult> {
  return evaluateAlerts(getPool(), new Date(now), { baseUrl: BASE_URL });
}

export async function createBudget(options: { name?: string; team?: string; feature?: string; amountUsd: string; thresholds?: number[] }): Promise<string> {
  const budget = await prisma.budget.create({
    data: {
      name: options.name ?? `budget-${randomUUID().slice(0, 8)}`,
      team: options.team ?? null,
      feature: options.feature ?? null,
      amountUsd: options.amountUsd,
      thresholds: options.thresholds ?? [50, 80, 100],
    },
    select: { id: true },
  });
  return budget.id;
}

// ------------------------------------------------------------------ receivers

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** The status answered from now on (200 by default); "hang" never answers. */
  respondWith: (status: number | "hang", body?: string) => void;
  close: () => Promise<void>;
}

/** An HTTP server on 127.0.0.1 (random port) that records every request with its raw body. */
export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let status: number | "hang" = 200;
  let answer = "ok";
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      requests.push({ method: request.method ?? "", path: request.url ?? "", headers: request.headers, rawBody: Buffer.concat(chunks).toString("utf8") });
      if (status === "hang") return;
      response.writeHead(status, { "content-type": "text/plain" });
      response.end(answer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  return {
    url: `http://127.0.0.1:${address.port}/hook`,
    requests,
    respondWith: (next, body = next === 200 ? "ok" : "boom") => {
      status = next;
      answer = body;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface SmtpMessage {
  from: string;
  to: string[];
  data: string;
}

/** A minimal SMTP server (no TLS, no auth) on 127.0.0.1 that records each message. */
export async function startSmtpServer(): Promise<{ url: string; messages: SmtpMessage[]; close: () => Promise<void> }> {
  const messages: SmtpMessage[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buffer = "";
    let inData = false;
    let current: SmtpMessage = { from: "", to: [], data: "" };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply("220 test.local ESMTP");
    socket.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      for (;;) {
        if (inData) {
          const end = buffer.indexOf("\r\n.\r\n");
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          messages.push(current);
          current = { from: "", to: [], data: "" };
          reply("250 OK queued");
          continue;
        }
        const newline = buffer.indexOf("\r\n");
        if (newline < 0) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === "EHLO" || verb === "HELO") reply("250 test.local");
        else if (verb === "MAIL") {
          current.from = line.slice(10).trim();
          reply("250 OK");
        } else if (verb === "RCPT") {
          current.to.push(line.slice(8).trim());
          reply("250 OK");
        } else if (verb === "DATA") {
          inData = true;
          reply("354 go ahead");
        } else if (verb === "QUIT") {
          reply("221 bye");
          socket.end();
        } else reply("250 OK");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
