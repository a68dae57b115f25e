/**
 * Substitutes within the default catalog's model families (a smaller model of the same family,
 * same provider): offered on the Savings page for an admin to confirm, never applied before
 * (the advisor only prices substitutes someone declared). Whether a smaller model does a
 * feature's work is the team's call; the page shows what it would have saved.
 */
export const STARTER_SUBSTITUTES: readonly { from: { provider: string; model: string }; to: { provider: string; model: string } }[] = [
  ["openai", "gpt-4o", "gpt-4o-mini"],
  ["openai", "gpt-4.1", "gpt-4.1-mini"],
  ["openai", "gpt-4.1-mini", "gpt-4.1-nano"],
  ["openai", "gpt-5", "gpt-5-mini"],
  ["openai", "o3", "o4-mini"],
  ["openai", "text-embedding-3-large", "text-embedding-3-small"],
  ["anthropic", "claude-opus-4", "claude-sonnet-4"],
  ["anthropic", "claude-sonnet-4", "claude-3-5-haiku"],
  ["anthropic", "claude-3-7-sonnet", "claude-3-5-haiku"],
  ["google", "gemini-2.5-pro", "gemini-2.5-flash"],
  ["google", "gemini-2.5-flash", "gemini-2.0-flash"],
  ["mistral", "mistral-large-latest", "mistral-small-latest"],
].map(([provider, from, to]) => ({ from: { provider: provider as string, model: from as string }, to: { provider: provider as string, model: to as string } }));
