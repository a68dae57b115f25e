import { ensurePartitionsFor } from "@/lib/db/partitions";
import { randomUUID } from "node:crypto";
import { getPool, prisma } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { rebuildRollups } from "@/lib/rollups/rebuild";

/**
 * Test data for usage: every call makes rows with fresh ids, so a test owns its data.
 * Costs are given explicitly (exact decimal strings); `costUsd: null` makes an unpriced event.
 */
export interface EventSpec {
  at: string;
  costUsd: string | null;
  team?: string | null;
  feature?: string | null;
  provider?: string;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  attempt?: number;
  status?: "success" | "error";
}

let priceId: string | undefined;

async function testPrice(): Promise<string> {
  priceId ??= (
    await prisma.price.create({
      data: {
        provider: "factory",
        model: `factory-${randomUUID()}`,
        effectiveFrom: new Date("2020-01-01T00:00:00Z"),
        inputPerMtok: "1",
        outputPerMtok: "2",
        cacheReadPerMtok: "0.1",
        cacheWritePerMtok: "1.25",
        reasoningPerMtok: "2",
      },
    })
  ).id;
  return priceId;
}

export async function insertEvents(specs: EventSpec[]): Promise<void> {
  const price = await testPrice();
  const rows: Prisma.UsageEventCreateManyInput[] = specs.map((spec) => ({
    id: `evt-${randomUUID()}`,
    occurredAt: new Date(spec.at),
    provider: spec.provider ?? "openai",
    model: spec.model ?? "gpt-4o-mini",
    inputTokens: spec.inputTokens ?? 100,
    outputTokens: spec.outputTokens ?? 10,
    team: spec.team === undefined ? "search" : spec.team,
    feature: spec.feature ?? null,
    attempt: spec.attempt ?? 1,
    status: spec.status ?? "success",
    costUsd: spec.costUsd,
    pricingState: spec.costUsd === null ? "unpriced" : "priced",
    priceId: spec.costUsd === null ? null : price,
  }));
  await ensurePartitionsFor(getPool(), rows.map((row) => row.occurredAt as Date));
  await prisma.usageEventId.createMany({ data: rows.map((row) => ({ id: row.id, occurredAt: row.occurredAt })) });
  await prisma.usageEvent.createMany({ data: rows });
  await rebuildRollups(getPool(), {});
}
