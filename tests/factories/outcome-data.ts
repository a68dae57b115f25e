import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { POST as postOutcomes } from "@/app/api/v1/outcomes/route";
import { prisma } from "@/lib/db";
import { apiRequest, createTestKey } from "./api-keys";

/**
 * Traces and outcomes sent the way clients send them (POST /api/v1/events and
 * /api/v1/outcomes, in-process), priced by a model of the test's own so costs are exact:
 * $1000 per million input tokens and $4000 per million output tokens, i.e. every input
 * token costs $0.001 and every output token $0.004. `call({ usd: "1.25" })` sends
 * 1250 input tokens and no output, costing exactly $1.25.
 */
export const PRICED_PROVIDER = "outcome-test";

export interface OutcomeData {
  /** The priced model (unique to this factory instance). */
  model: string;
  /** A model nobody priced: its calls are stored unpriced. */
  unpricedModel: string;
  ingestKey: string;
  /** A contract event on the priced model (or the unpriced one with `unpriced: true`). */
  call: (spec: CallSpec) => Record<string, unknown>;
  /** A contract outcome. */
  outcome: (spec: OutcomeSpec) => Record<string, unknown>;
  /** Sends events; fails the test unless every one is accepted. */
  sendCalls: (events: Record<string, unknown>[]) => Promise<void>;
  /** Sends outcomes; fails the test unless every one is accepted. */
  sendOutcomes: (outcomes: Record<string, unknown>[]) => Promise<void>;
}

export interface CallSpec {
  trace: string;
  at: string;
  /** Exact cost of the call in USD (at most 3 fractional digits: whole input tokens). */
  usd?: string;
  unpriced?: boolean;
  attempt?: number;
  status?: "success" | "error";
  tags?: Record<string, string>;
  latencyMs?: number;
  outputTokens?: number;
  id?: string;
}

export interface OutcomeSpec {
  trace: string;
  at: string;
  type: string;
  success: boolean;
  tags?: Record<string, string>;
  value?: number;
  id?: string;
}

export async function createOutcomeData(): Promise<OutcomeData> {
  const model = `outcome-model-${randomUUID().slice(0, 8)}`;
  await prisma.price.create({
    data: {
      provider: PRICED_PROVIDER,
      model,
      effectiveFrom: new Date("2020-01-01T00:00:00Z"),
      inputPerMtok: "1000",
      outputPerMtok: "4000",
      cacheReadPerMtok: "1000",
      cacheWritePerMtok: "1000",
      reasoningPerMtok: "4000",
    },
  });
  const ingestKey = await createTestKey(["ingest"]);
  const unpricedModel = `unpriced-model-${randomUUID().slice(0, 8)}`;

  const call = (spec: CallSpec): Record<string, unknown> => ({
    id: spec.id ?? `evt-${randomUUID()}`,
    timestamp: spec.at,
    provider: PRICED_PROVIDER,
    model: spec.unpriced ? unpricedModel : model,
    usage: { input_tokens: inputTokensFor(spec.usd ?? "0"), output_tokens: spec.outputTokens ?? 0 },
    trace_id: spec.trace,
    attempt: spec.attempt ?? 1,
    status: spec.status ?? "success",
    ...(spec.latencyMs === undefined ? {} : { latency_ms: spec.latencyMs }),
    ...(spec.tags ? { tags: spec.tags } : {}),
  });

  const outcome = (spec: OutcomeSpec): Record<string, unknown> => ({
    id: spec.id ?? `out-${randomUUID()}`,
    timestamp: spec.at,
    trace_id: spec.trace,
    type: spec.type,
    success: spec.success,
    ...(spec.value === undefined ? {} : { value: spec.value }),
    ...(spec.tags ? { tags: spec.tags } : {}),
  });

  const send = async (handler: (request: Request) => Promise<Response>, path: string, field: string, items: unknown[]) => {
    const response = await handler(apiRequest(path, { key: ingestKey, body: { [field]: items } }));
    const body = (await response.json()) as Record<string, unknown>;
    expect({ status: response.status, body }).toMatchObject({ status: 200, body: { accepted: items.length, rejected: 0 } });
  };

  return {
    model,
    unpricedModel,
    ingestKey,
    call,
    outcome,
    sendCalls: (events) => send(postEvents, "/api/v1/events", "events", events),
    sendOutcomes: (outcomes) => send(postOutcomes, "/api/v1/outcomes", "outcomes", outcomes),
  };
}

/** "1.25" USD -> 1250 input tokens at $0.001 each; refuses amounts that are not whole tokens. */
function inputTokensFor(usd: string): number {
  if (!/^\d+(\.\d{1,3})?$/.test(usd)) throw new Error(`test cost ${usd} is not a whole number of $0.001 tokens`);
  const [whole = "0", fraction = ""] = usd.split(".");
  return Number(whole) * 1000 + Number(fraction.padEnd(3, "0"));
}

/** A fresh trace id with a readable prefix. */
export function traceId(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** A GET Request with a bearer key, as a machine client sends it. */
export function getRequest(path: string, key?: string): Request {
  return apiRequest(path, { key, method: "GET" });
}
