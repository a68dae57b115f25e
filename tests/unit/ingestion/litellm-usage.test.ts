import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { litellmPayloadToEvent } from "@/lib/ingestion/litellm";
import { normalizeUsage } from "@/lib/pricing/normalize-usage";

/**
 * LiteLLM's usage object for an Anthropic call (tests/fixtures/litellm/anthropic-messages.json,
 * recorded from LiteLLM's Usage / PromptTokensDetailsWrapper): the 1-hour part of the cache
 * writes is prompt_tokens_details.cache_creation_token_details.ephemeral_1h_input_tokens.
 */
const recorded = JSON.parse(readFileSync(path.resolve("tests/fixtures/litellm/anthropic-messages.json"), "utf8")) as { payload: Record<string, unknown> };

function withOneHourWrites(oneHour: number): Record<string, unknown> {
  const payload = structuredClone(recorded.payload) as { metadata: { usage_object: { prompt_tokens_details: { cache_creation_token_details: Record<string, number> } } } };
  payload.metadata.usage_object.prompt_tokens_details.cache_creation_token_details = { ephemeral_5m_input_tokens: 2000 - oneHour, ephemeral_1h_input_tokens: oneHour };
  return payload as unknown as Record<string, unknown>;
}

describe("LiteLLM payloads: 1-hour cache writes", () => {
  it("carries the recorded payload's writes as they are (no 1-hour part)", () => {
    const mapped = litellmPayloadToEvent(recorded.payload);
    expect(mapped.ok && mapped.event.usage).toEqual({ input_tokens: 10150, output_tokens: 400, cache_read_input_tokens: 8000, cache_creation_input_tokens: 2000 });
  });

  it("passes the 1-hour part on, which the pricer bills at the 1-hour rate", () => {
    const mapped = litellmPayloadToEvent(withOneHourWrites(500));
    if (!mapped.ok) throw new Error(mapped.message);
    expect(mapped.event.usage).toMatchObject({ cache_creation_input_tokens: 2000, cache_creation_1h_input_tokens: 500 });
    const usage = normalizeUsage({ usage: mapped.event.usage });
    expect(usage.ok && usage.usage.cacheCreation1hInputTokens).toBe(500);
  });
});
