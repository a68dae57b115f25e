import { randomUUID } from "node:crypto";
import { POST as postEvents } from "@/app/api/v1/events/route";
import { prisma } from "@/lib/db";
import { apiRequest, createTestKey } from "./api-keys";

/**
 * Usage data for showback tests, written through the real ingestion path (POST
 * /api/v1/events, called in-process), so events, pricing and the hourly rollups are
 * exactly what production would store. Models have unique names and prices of their own,
 * so costs never depend on the default catalog:
 *
 *   $1 per million input tokens, $10 per million output tokens, $0.10 cache reads,
 *   $1.25 cache writes, $10 reasoning — e.g. 1000 in + 100 out = $0.002.
 *
 * The `unpriced` model has no price at all: its events are stored as unpriced.
 */

export interface UsageModels {
  /** provider "openai" */
  openai: string;
  /** provider "anthropic" */
  anthropic: string;
  /** provider "inhouse", never priced */
  unpriced: string;
}

export interface UsageRowSpec {
  at: string;
  provider?: "openai" | "anthropic" | "inhouse";
  /** Defaults to the provider's test model. */
  model?: string;
  serviceTier?: "standard" | "batch" | "flex" | "priority";
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheCreation?: number;
  reasoning?: number;
  attempt?: number;
  cacheHit?: boolean;
  tags?: Record<string, string>;
}

export interface UsageWorld {
  models: UsageModels;
  /** Ingests the rows (in order, one batch per 1000); fails the test unless every one is accepted. */
  ingest(rows: readonly UsageRowSpec[]): Promise<void>;
}

const RATES = {
  inputPerMtok: "1",
  outputPerMtok: "10",
  cacheReadPerMtok: "0.1",
  cacheWritePerMtok: "1.25",
  reasoningPerMtok: "10",
};

export async function createUsageWorld(): Promise<UsageWorld> {
  const suffix = randomUUID().slice(0, 8);
  const models: UsageModels = {
    openai: `spend-openai-${suffix}`,
    anthropic: `spend-anthropic-${suffix}`,
    unpriced: `spend-unpriced-${suffix}`,
  };
  await prisma.price.createMany({
    data: [
      { provider: "openai", model: models.openai, effectiveFrom: new Date("2020-01-01T00:00:00Z"), ...RATES },
      { provider: "anthropic", model: models.anthropic, effectiveFrom: new Date("2020-01-01T00:00:00Z"), ...RATES },
    ],
  });
  const key = await createTestKey(["ingest"]);

  function event(spec: UsageRowSpec): Record<string, unknown> {
    const provider = spec.provider ?? "openai";
    const model = spec.model ?? (provider === "inhouse" ? models.unpriced : models[provider]);
    return {
      id: `spend-${randomUUID()}`,
      timestamp: spec.at,
      provider,
      model,
      service_tier: spec.serviceTier ?? "standard",
      usage: {
        input_tokens: spec.input ?? 1000,
        output_tokens: spec.output ?? 100,
        cache_read_input_tokens: spec.cacheRead ?? 0,
        cache_creation_input_tokens: spec.cacheCreation ?? 0,
        reasoning_output_tokens: spec.reasoning ?? 0,
      },
      attempt: spec.attempt ?? 1,
      response_cache_hit: spec.cacheHit ?? false,
      tags: spec.tags ?? {},
    };
  }

  async function ingest(rows: readonly UsageRowSpec[]): Promise<void> {
    for (let start = 0; start < rows.length; start += 1000) {
      const events = rows.slice(start, start + 1000).map(event);
      const response = await postEvents(apiRequest("/api/v1/events", { key, body: { events } }));
      const body = (await response.json()) as { accepted?: number };
      if (response.status !== 200 || body.accepted !== events.length) {
        throw new Error(`ingest failed: ${response.status} ${JSON.stringify(body)}`);
      }
    }
  }

  return { models, ingest };
}
