import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeProvider, providerAsSent } from "@/lib/pricing/provider-name";

describe("normalizeProvider", () => {
  it("applies the contract's rule: lower case, suffix after the first dot dropped, the alias table", () => {
    const cases: [string, string][] = [
      ["openai", "openai"],
      ["OpenAI", "openai"],
      ["Anthropic", "anthropic"], // OpenLLMetry
      ["openai.chat", "openai"], // Vercel AI SDK
      ["openai.responses", "openai"],
      ["anthropic.messages", "anthropic"],
      ["google.generative-ai", "google"],
      ["google.vertex", "google"],
      ["google.vertex.chat", "google"],
      ["azure", "azure_openai"],
      ["azure.chat", "azure_openai"],
      ["gemini", "google"],
      ["vertex_ai", "google"],
      ["bedrock_converse", "bedrock"],
      ["aws.bedrock", "bedrock"], // a whole-name alias beats the dot rule (not "aws")
      ["amazon-bedrock", "bedrock"],
      ["az.ai.openai", "azure_openai"],
      ["gcp.vertex_ai", "google"],
      ["  Mistral  ", "mistral"],
      ["together_ai", "together"],
      ["groq", "groq"],
      ["constructor", "constructor"],
      ["__proto__", "__proto__"],
    ];
    for (const [sent, normalized] of cases) expect(normalizeProvider(sent), sent).toBe(normalized);
  });

  it("is idempotent", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom("Azure.AI.OpenAI", "AWS.Bedrock", " x.y ", "! .", "a .b")), (name) => {
        expect(normalizeProvider(normalizeProvider(name))).toBe(normalizeProvider(name));
      }),
      { numRuns: 20_000 },
    );
  });

  it("keeps the name as sent only when normalizing changed it", () => {
    expect(providerAsSent("openai", "openai")).toBeNull();
    expect(providerAsSent("openai.chat", "openai")).toBe("openai.chat");
  });
});
