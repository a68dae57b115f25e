import type { ModelKey, ServiceTier } from "./catalog";
import type { Profile } from "./traffic";

/**
 * The fictional company behind the demo data: a B2B SaaS with six product teams,
 * a dozen LLM features and eight customer tenants. The numbers are picked so the
 * dashboards have a story to tell (an expensive code-review agent, a cheap
 * high-volume query rewriter, a nightly batch pipeline, an unpriced experiment).
 */

export const TEAMS = [
  { slug: "search", name: "Search" },
  { slug: "support", name: "Customer Support" },
  { slug: "growth", name: "Growth" },
  { slug: "platform", name: "Platform Engineering" },
  { slug: "data-science", name: "Data Science" },
  { slug: "mobile", name: "Mobile" },
] as const;

export type TeamSlug = (typeof TEAMS)[number]["slug"];

export interface Distribution {
  median: number;
  sigma: number;
}

export interface PromptVersion {
  name: string;
  /** When it rolls out, as a fraction of the demo window (0 = from the start). */
  from: number;
  /** Prompt size relative to the feature's baseline. */
  inputScale?: number;
  /** Added to the outcome success rate. */
  successBonus?: number;
}

export interface FeatureSpec {
  slug: string;
  team: TeamSlug;
  /** Fraction of all model calls. */
  share: number;
  profile: Profile;
  models: ReadonlyArray<readonly [ModelKey, number]>;
  tier?: ServiceTier;
  /** Weights for 1, 2, 3, … chat calls per trace (agent-like features start at 2). */
  callsPerTrace: readonly number[];
  /** Retrieval features embed the query before answering. */
  embedFirst?: boolean;
  input: Distribution;
  /** Agents resend the growing conversation: extra prompt tokens per later call. */
  inputGrowthPerCall?: number;
  output: Distribution;
  reasoning?: Distribution;
  /** Share of the prompt that is a stable, cacheable prefix, and how often it is warm. */
  cache?: { prefix: number; hit: number };
  /** Share of traces answered from the app's own semantic cache (zero tokens). */
  responseCache?: number;
  tenantScoped: boolean;
  userFacing: boolean;
  versions: readonly PromptVersion[];
  outcome?: { type: string; coverage: number; success: number; delayMedianMs: number; value?: string };
  /** JSON objects for extra_tags; one is picked per trace, or none. */
  extraTags: readonly string[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
// 2–8 calls, most traces short, a long tail of agents that loop.
const AGENT_CALLS = [0, 0.3, 0.22, 0.15, 0.11, 0.09, 0.07, 0.06];

export const FEATURES: readonly FeatureSpec[] = [
  {
    slug: "ticket-triage",
    team: "support",
    share: 0.12,
    profile: "business",
    models: [["haiku35", 0.8], ["gpt4oMini", 0.2]],
    callsPerTrace: [0.7, 0.3],
    input: { median: 2800, sigma: 0.35 },
    output: { median: 120, sigma: 0.5 },
    cache: { prefix: 0.85, hit: 0.86 },
    tenantScoped: true,
    userFacing: false,
    versions: [{ name: "v1", from: 0 }, { name: "v2", from: 0.6, inputScale: 0.75, successBonus: 0.04 }],
    outcome: { type: "ticket_resolved", coverage: 0.9, success: 0.8, delayMedianMs: 3 * HOUR, value: "4.5" },
    extraTags: ['{"channel":"email"}', '{"channel":"chat"}', '{"channel":"phone"}'],
  },
  {
    slug: "reply-draft",
    team: "support",
    share: 0.07,
    profile: "business",
    models: [["sonnet4", 0.85], ["gpt4o", 0.15]],
    callsPerTrace: [0.75, 0.2, 0.05],
    input: { median: 5500, sigma: 0.5 },
    inputGrowthPerCall: 800,
    output: { median: 450, sigma: 0.45 },
    cache: { prefix: 0.82, hit: 0.84 },
    tenantScoped: true,
    userFacing: true,
    versions: [{ name: "v1", from: 0 }, { name: "v2", from: 0.45, inputScale: 1.1 }],
    extraTags: ['{"channel":"email"}', '{"channel":"chat"}'],
  },
  {
    slug: "query-rewrite",
    team: "search",
    share: 0.16,
    profile: "business",
    models: [["gpt4oMini", 1]],
    callsPerTrace: [1],
    input: { median: 1350, sigma: 0.25 },
    output: { median: 45, sigma: 0.4 },
    cache: { prefix: 0.82, hit: 0.9 },
    responseCache: 0.12,
    tenantScoped: true,
    userFacing: true,
    versions: [{ name: "v1", from: 0 }, { name: "v2", from: 0.3 }],
    extraTags: ['{"region":"us-east-1"}', '{"region":"eu-west-1"}'],
  },
  {
    slug: "semantic-answer",
    team: "search",
    share: 0.1,
    profile: "business",
    models: [["gpt4o", 0.7], ["sonnet4", 0.3]],
    callsPerTrace: [0.8, 0.2],
    embedFirst: true,
    input: { median: 7000, sigma: 0.4 },
    output: { median: 350, sigma: 0.5 },
    cache: { prefix: 0.76, hit: 0.88 },
    responseCache: 0.08,
    tenantScoped: true,
    userFacing: true,
    versions: [{ name: "v1", from: 0 }, { name: "v2", from: 0.35, inputScale: 1.35, successBonus: 0.08 }],
    outcome: { type: "answer_accepted", coverage: 0.6, success: 0.72, delayMedianMs: 45_000 },
    extraTags: ['{"region":"us-east-1"}', '{"region":"eu-west-1"}'],
  },
  {
    slug: "email-copy",
    team: "growth",
    share: 0.03,
    profile: "business",
    // The in-house fine-tune has no price in any catalog: its spend shows up as unpriced.
    models: [["gpt4o", 0.45], ["sonnet4", 0.25], ["inHouseFinetune", 0.3]],
    callsPerTrace: [0.6, 0.3, 0.1],
    input: { median: 1800, sigma: 0.4 },
    output: { median: 700, sigma: 0.4 },
    cache: { prefix: 0.7, hit: 0.85 },
    tenantScoped: false,
    userFacing: false,
    versions: [{ name: "v1", from: 0 }, { name: "v2", from: 0.5 }],
    extraTags: ['{"campaign":"winter-launch"}', '{"campaign":"reactivation"}', '{"experiment":"subject-line-ab"}'],
  },
  {
    slug: "ad-variants",
    team: "growth",
    share: 0.03,
    profile: "business",
    models: [["geminiFlash", 0.8], ["gpt4oMini", 0.2]],
    callsPerTrace: [0.5, 0.3, 0.2],
    input: { median: 1400, sigma: 0.35 },
    output: { median: 500, sigma: 0.4 },
    cache: { prefix: 0.75, hit: 0.8 },
    tenantScoped: false,
    userFacing: false,
    versions: [{ name: "v1", from: 0 }, { name: "v2", from: 0.7 }],
    extraTags: ['{"channel":"search-ads"}', '{"channel":"social"}'],
  },
  {
    slug: "batch-enrichment",
    team: "data-science",
    share: 0.18,
    profile: "nightly",
    tier: "batch",
    models: [["gpt4oMini", 0.8], ["gpt4o", 0.2]],
    callsPerTrace: [1],
    input: { median: 2400, sigma: 0.3 },
    output: { median: 220, sigma: 0.4 },
    cache: { prefix: 0.8, hit: 0.8 },
    tenantScoped: true,
    userFacing: false,
    versions: [{ name: "v1", from: 0 }, { name: "v2", from: 0.55, inputScale: 0.9 }],
    extraTags: ['{"job":"nightly-enrichment","pipeline":"crm-sync"}', '{"job":"nightly-enrichment","pipeline":"product-catalog"}'],
  },
  {
    slug: "churn-insights",
    team: "data-science",
    share: 0.02,
    profile: "business",
    models: [["o3Mini", 1]],
    callsPerTrace: [0.4, 0.4, 0.2],
    input: { median: 4200, sigma: 0.4 },
    output: { median: 600, sigma: 0.4 },
    reasoning: { median: 1800, sigma: 0.6 },
    cache: { prefix: 0.8, hit: 0.8 },
    tenantScoped: true,
    userFacing: false,
    versions: [{ name: "v1", from: 0 }],
    extraTags: ['{"notebook":"weekly-churn"}'],
  },
  {
    slug: "code-review-bot",
    team: "platform",
    share: 0.08,
    profile: "business",
    models: [["sonnet4", 0.7], ["o3Mini", 0.3]],
    callsPerTrace: AGENT_CALLS,
    input: { median: 9000, sigma: 0.6 },
    inputGrowthPerCall: 2500,
    output: { median: 700, sigma: 0.5 },
    reasoning: { median: 1200, sigma: 0.6 },
    cache: { prefix: 0.85, hit: 0.86 },
    tenantScoped: false,
    userFacing: false,
    versions: [{ name: "v1", from: 0 }, { name: "v2", from: 0.25 }, { name: "v3", from: 0.8, inputScale: 1.2, successBonus: 0.06 }],
    outcome: { type: "suggestion_applied", coverage: 0.5, success: 0.68, delayMedianMs: 2 * HOUR },
    extraTags: ['{"repo":"web-app"}', '{"repo":"billing-service"}', '{"repo":"mobile-app"}', '{"repo":"infra"}'],
  },
  {
    slug: "doc-qa",
    team: "platform",
    share: 0.05,
    profile: "business",
    models: [["geminiFlash", 0.6], ["haiku35", 0.4]],
    callsPerTrace: [0.7, 0.3],
    embedFirst: true,
    input: { median: 4500, sigma: 0.4 },
    output: { median: 280, sigma: 0.45 },
    cache: { prefix: 0.8, hit: 0.85 },
    responseCache: 0.1,
    tenantScoped: false,
    userFacing: false,
    versions: [{ name: "v1", from: 0 }, { name: "v2", from: 0.6 }],
    extraTags: ['{"source":"confluence"}', '{"source":"github-wiki"}'],
  },
  {
    slug: "chat-assistant",
    team: "mobile",
    share: 0.14,
    profile: "consumer",
    models: [["gpt4oMini", 0.6], ["haiku35", 0.4]],
    callsPerTrace: AGENT_CALLS,
    input: { median: 2200, sigma: 0.45 },
    inputGrowthPerCall: 600,
    output: { median: 180, sigma: 0.5 },
    cache: { prefix: 0.8, hit: 0.86 },
    responseCache: 0.06,
    tenantScoped: true,
    userFacing: true,
    versions: [{ name: "v1", from: 0 }, { name: "v2", from: 0.4 }],
    extraTags: ['{"platform":"ios"}', '{"platform":"android"}'],
  },
  {
    slug: "notification-personalize",
    team: "mobile",
    share: 0.02,
    profile: "morning",
    models: [["geminiFlash", 1]],
    callsPerTrace: [1],
    input: { median: 900, sigma: 0.3 },
    output: { median: 60, sigma: 0.35 },
    tenantScoped: true,
    userFacing: true,
    versions: [{ name: "v1", from: 0 }, { name: "v2", from: 0.5 }],
    extraTags: ['{"platform":"ios"}', '{"platform":"android"}'],
  },
];

/** Customers, weighted by how much traffic they bring. */
export const TENANTS: ReadonlyArray<readonly [string, number]> = [
  ["acme", 0.26],
  ["initech", 0.16],
  ["globex", 0.14],
  ["umbrella", 0.12],
  ["hooli", 0.11],
  ["stark-industries", 0.09],
  ["wayne-enterprises", 0.07],
  ["soylent", 0.05],
];

/** The tenant whose launch breaks prompt caching (see traffic.ts). */
export const LAUNCH_TENANT = "globex";

const END_USERS = 320;

/** End-user ids per tenant, in proportion to the tenant's weight. */
export function endUsersByTenant(): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const [tenant, weight] of TENANTS) {
    const count = Math.max(5, Math.round(END_USERS * weight));
    users.set(tenant, Array.from({ length: count }, (_, i) => `u_${tenant}_${String(i + 1).padStart(4, "0")}`));
  }
  return users;
}

export const ENVIRONMENTS: ReadonlyArray<readonly [string, number]> = [
  ["production", 0.9],
  ["staging", 0.07],
  ["dev", 0.03],
];

export type DemoRole = "admin" | "finance" | "team_lead" | "viewer";

export const DEMO_PASSWORD = "burnrate-demo";

export const DEMO_ACCOUNTS: ReadonlyArray<{
  email: string;
  name: string;
  role: DemoRole;
  teams: ReadonlyArray<{ slug: TeamSlug; role: "lead" | "member" }>;
}> = [
  { email: "admin@example.com", name: "Ada Admin", role: "admin", teams: [] },
  { email: "finance@example.com", name: "Finn Finance", role: "finance", teams: [] },
  {
    email: "lead@example.com",
    name: "Lee Lead",
    role: "team_lead",
    teams: [
      { slug: "support", role: "lead" },
      { slug: "search", role: "lead" },
    ],
  },
  { email: "viewer@example.com", name: "Vic Viewer", role: "viewer", teams: [{ slug: "support", role: "member" }] },
];
