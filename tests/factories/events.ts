import { randomUUID } from "node:crypto";

/** A valid contract event with a fresh id; override any field. */
export function contractEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `evt-${randomUUID()}`,
    timestamp: "2026-11-02T10:15:00Z",
    provider: "openai",
    model: "gpt-4o-mini",
    usage: { input_tokens: 1000, output_tokens: 100 },
    tags: { team: "search", feature: "query-rewrite", environment: "production" },
    ...overrides,
  };
}
