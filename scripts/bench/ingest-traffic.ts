/**
 * The benchmarks' demo-like ingest traffic, shared by bench:ingest and bench:ingest-profile so
 * both measure the very same batches.
 */

// Demo-like traffic: a feature belongs to a team and mostly uses one model; popular
// features and tenants dominate (skewed picks); each batch is about a minute of calls, as
// a gateway flushing its buffer would send.
const FEATURES = [
  { feature: "ticket-triage", team: "support", models: [["anthropic", "claude-3-5-haiku"], ["openai", "gpt-4o-mini"]] },
  { feature: "reply-draft", team: "support", models: [["anthropic", "claude-sonnet-4"]] },
  { feature: "query-rewrite", team: "search", models: [["openai", "gpt-4o-mini"]] },
  { feature: "semantic-answer", team: "search", models: [["openai", "gpt-4o"], ["mistral", "mistral-large-latest"]] },
  { feature: "email-copy", team: "growth", models: [["openai", "gpt-4o"]] },
  { feature: "code-review-bot", team: "platform", models: [["anthropic", "claude-sonnet-4"], ["openai", "o3-mini"]] },
  { feature: "doc-qa", team: "platform", models: [["google", "gemini-2.0-flash"]] },
  { feature: "chat-assistant", team: "mobile", models: [["openai", "gpt-4o-mini"]] },
] as const;
const CHANNELS = ["email", "chat", "phone", "web"];
const TENANTS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"];

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pre-serialised batches, so the clients only send. */
export function makeBodies(runId: string, batches: number, batchSize: number): string[] {
  const random = mulberry32(7);
  const skewed = (n: number) => Math.min(n - 1, Math.floor(n * random() * random()));
  let n = 0;
  let clock = Date.UTC(2026, 9, 1, 8);
  return Array.from({ length: batches }, (_, b) => {
    const events = Array.from({ length: batchSize }, () => {
      n++;
      clock += 60_000 / batchSize;
      const use = FEATURES[skewed(FEATURES.length)] ?? FEATURES[0];
      const [provider, model] = (random() < 0.9 ? use.models[0] : (use.models.at(-1) ?? use.models[0])) as readonly [string, string];
      const input = 200 + Math.floor(random() * 8000);
      const cacheRead = random() < 0.6 ? Math.floor(input * 0.7) : 0;
      const output = 50 + Math.floor(random() * 900);
      const retry = random() < 0.03;
      return {
        id: `bench-${runId}-${n}`,
        timestamp: new Date(clock).toISOString(),
        provider,
        model,
        service_tier: "standard",
        usage: { input_tokens: input, output_tokens: output, cache_read_input_tokens: cacheRead, reasoning_output_tokens: model === "o3-mini" ? Math.floor(output / 2) : 0 },
        latency_ms: 300 + Math.floor(random() * 2000),
        status: retry ? "error" : "success",
        trace_id: `trace-${runId}-${Math.floor(n / 4)}`,
        attempt: retry ? 2 : 1,
        tags: {
          team: use.team,
          feature: use.feature,
          environment: random() < 0.95 ? "production" : "staging",
          tenant: TENANTS[skewed(TENANTS.length)] as string,
          user: `user-${Math.floor(random() * 300)}`,
          prompt_version: random() < 0.8 ? "v2" : "v1",
          // An extra tag on 60% of calls, as the demo sends: each one also updates the tag rollups.
          ...(random() < 0.6 ? { channel: CHANNELS[Math.floor(random() * CHANNELS.length)] as string } : {}),
        },
      };
    });
    return JSON.stringify({ events, batch: b });
  });
}

