/**
 * One name per provider, whatever the sender calls it (contract, "Additions (December 2026)"):
 * OpenTelemetry's GenAI conventions say `aws.bedrock`, the Vercel AI SDK `openai.chat`,
 * OpenLLMetry `Anthropic`, LiteLLM `vertex_ai` — prices are keyed on one name, so every ingest
 * path, the prices API and the LiteLLM price import go through normalizeProvider.
 *
 * The rule: lower-case and trim; a full name in the alias table wins (so `aws.bedrock` is not cut
 * to `aws`); otherwise the suffix after the first dot is dropped (`openai.chat` → `openai`,
 * `google.generative-ai` → `google`) and the result looked up in the alias table once more.
 * Pure, and idempotent: normalizeProvider(normalizeProvider(x)) === normalizeProvider(x).
 */

// Maps, not object literals: sender-controlled names must never reach Object.prototype.
const PROVIDER_ALIASES = new Map<string, string>([
  // The contract's table.
  ["azure", "azure_openai"],
  ["gemini", "google"],
  ["vertex_ai", "google"],
  ["google.vertex", "google"],
  ["bedrock_converse", "bedrock"],
  ["aws.bedrock", "bedrock"],
  ["amazon-bedrock", "bedrock"],
  // OpenTelemetry's well-known gen_ai.provider.name values for the same providers.
  ["azure.ai.openai", "azure_openai"],
  ["az.ai.openai", "azure_openai"],
  ["gcp.gemini", "google"],
  ["gcp.vertex_ai", "google"],
  ["gcp.gen_ai", "google"],
  // The Vercel AI SDK's and LiteLLM's names for them.
  ["azure-openai", "azure_openai"],
  ["vertex_ai_beta", "google"],
  ["vertex_ai-language-models", "google"],
  ["google-vertex", "google"],
  ["text-completion-openai", "openai"],
  ["text_completion_openai", "openai"],
  ["together_ai", "together"],
  ["fireworks_ai", "fireworks"],
  ["mistral_ai", "mistral"],
]);

/** The provider name prices are keyed on. An empty or blank name stays empty (the schema refuses it). */
export function normalizeProvider(sent: string): string {
  const lower = sent.trim().toLowerCase();
  const whole = PROVIDER_ALIASES.get(lower);
  if (whole !== undefined) return whole;
  const dot = lower.indexOf(".");
  // Trimmed again: "x ." must not leave a space that a second pass would remove (idempotence).
  const head = dot > 0 ? lower.slice(0, dot).trimEnd() : lower;
  return PROVIDER_ALIASES.get(head) ?? head;
}

/** The name as sent when normalizing changed it, else null (the common case stores nothing extra). */
export function providerAsSent(sent: string, normalized: string): string | null {
  return sent === normalized ? null : sent;
}
