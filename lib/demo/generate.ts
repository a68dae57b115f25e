import type { TokenUsage } from "@/lib/pricing/compute-cost";
import { DAY_MS, HOUR_MS } from "@/lib/time";
import { MODELS, type DemoModel, type Operation, type ServiceTier } from "./catalog";
import type { FeatureSpec, PromptVersion } from "./company";
import { GIVE_UP_RATE, RETRY_RATE, SECOND_FAILURE_RATE, UNTAGGED_RATE, type DemoPlan, type PlannedFeature } from "./plan";
import { mixSeed, Rng } from "./random";
import { LAUNCH_VOLUME_FACTOR, RUNAWAY_VOLUME_FACTOR, THRASH_CACHE_FACTOR, growth, rhythm, within } from "./traffic";

/**
 * Turns a plan into model calls. Pure: no database, no clock, so the same plan and day
 * always give the same events (the unit tests rely on it). Each day has its own random
 * stream, so days do not depend on one another.
 */

/** Tags shared by every call of one trace. */
export interface TraceTags {
  team: string | null;
  feature: string | null;
  environment: string;
  tenant: string | null;
  endUser: string | null;
  promptVersion: string | null;
  /** A JSON object, or null. */
  extraTags: string | null;
}

/** A TokenUsage, so an event is priced as it is. */
export interface DemoEvent extends TokenUsage {
  at: number;
  receivedAt: number;
  model: DemoModel;
  tier: ServiceTier;
  operation: Operation;
  latencyMs: number;
  error: boolean;
  responseCacheHit: boolean;
  traceId: string;
  attempt: number;
  tags: TraceTags;
}

export interface DemoOutcome {
  at: number;
  traceId: string;
  type: string;
  success: boolean;
  /** Decimal string or null. */
  value: string | null;
  team: string;
  feature: string;
  environment: string;
  tenant: string | null;
}

export interface DemoDay {
  events: DemoEvent[];
  outcomes: DemoOutcome[];
}

const OPENAI_CACHE_MIN_PROMPT = 1024;
const OPENAI_CACHE_BLOCK = 128;
const byTime = (a: { at: number }, b: { at: number }) => a.at - b.at;

class DayBuilder {
  private events: DemoEvent[] = [];
  private outcomes: DemoOutcome[] = [];
  private traces = 0;
  private readonly tracePrefix: string;

  constructor(
    private readonly plan: DemoPlan,
    private readonly rng: Rng,
    day: number,
  ) {
    this.tracePrefix = plan.traceIdPrefix + day.toString(16).padStart(6, "0");
  }

  /** What was generated since the last call, each list sorted by time. */
  take(): DemoDay {
    const batch = { events: this.events.sort(byTime), outcomes: this.outcomes.sort(byTime) };
    this.events = [];
    this.outcomes = [];
    return batch;
  }

  trace(feature: PlannedFeature, start: number): void {
    const { rng, plan } = this;
    const spec = feature.spec;
    // 32 hex digits like an OpenTelemetry trace id; the random head spreads index keys,
    // the seed, day and counter behind it make it unique.
    const traceId = `${rng.hex8()}${this.tracePrefix}${(this.traces++).toString(16).padStart(10, "0")}`;
    const thrash = within(plan.incidents.cacheThrash, start);
    const version = this.versionAt(feature, start);
    const tags = this.tags(spec, version, thrash);
    const model = feature.models.pick(rng);
    const tier = spec.tier ?? "standard";

    if (spec.responseCache !== undefined && rng.chance(spec.responseCache)) {
      const latency = Math.round(rng.between(5, 40));
      this.push(start, latency, model, tier, "chat", ZERO_USAGE, false, true, traceId, 1, tags);
      this.outcome(spec, version, traceId, start + latency, false, tags);
      return;
    }

    const calls = feature.chatCalls.pick(rng) + (spec.embedFirst ? 1 : 0);
    let t = start;
    let failed = false;
    for (let k = 0; k < calls && t < plan.endMs; k++) {
      const embedding = spec.embedFirst === true && k === 0;
      const callModel = embedding ? MODELS.embedding : model;
      const step = spec.embedFirst ? k - 1 : k;
      const usage = embedding ? this.embeddingUsage() : this.chatUsage(spec, callModel, version, step, thrash);
      const operation: Operation = embedding ? "embedding" : "chat";

      if (rng.chance(GIVE_UP_RATE)) {
        this.failure(t, callModel, tier, operation, usage, traceId, 1, tags);
        failed = true;
        break;
      }
      let attempt = 1;
      if (rng.chance(RETRY_RATE)) {
        t = this.failure(t, callModel, tier, operation, usage, traceId, attempt++, tags);
        if (rng.chance(SECOND_FAILURE_RATE)) t = this.failure(t, callModel, tier, operation, usage, traceId, attempt++, tags);
      }
      const latency = this.latency(callModel, usage);
      this.push(t, latency, callModel, tier, operation, usage, false, false, traceId, attempt, tags);
      // Agents run tools between calls; retrieval waits on the vector store.
      t += latency + Math.round(rng.between(40, 1500));
    }
    this.outcome(spec, version, traceId, t, failed, tags);
  }

  private tags(spec: FeatureSpec, version: PromptVersion, thrash: boolean): TraceTags {
    const { rng, plan } = this;
    const environment = spec.profile === "nightly" ? "production" : plan.environments.pick(rng);
    const tenant =
      spec.tenantScoped && environment === "production" ? (thrash ? plan.launchTenants : plan.tenants).pick(rng) : null;
    let endUser: string | null = null;
    if (spec.userFacing && tenant !== null) {
      const users = plan.endUsers.get(tenant) ?? [];
      // Squaring skews towards the first users: a few power users, a long tail.
      const u = rng.next();
      endUser = users[Math.floor(u * u * users.length)] ?? null;
    }
    const extraTags =
      spec.extraTags.length > 0 && rng.chance(0.6) ? (spec.extraTags[rng.int(spec.extraTags.length)] ?? null) : null;
    // Some callers forget to tag their requests; showback has to surface them.
    const untagged = rng.chance(UNTAGGED_RATE);
    return {
      team: untagged ? null : spec.team,
      feature: untagged ? null : spec.slug,
      environment,
      tenant,
      endUser,
      promptVersion: untagged ? null : version.name,
      extraTags,
    };
  }

  /** A new prompt version ramps up over 36 hours rather than switching at once. */
  private versionAt(feature: PlannedFeature, at: number): PromptVersion {
    const versions = feature.spec.versions;
    let current = versions[0];
    for (let i = 1; i < versions.length; i++) {
      const from = feature.versionStarts[i] ?? Infinity;
      const ramp = (at - from) / (36 * HOUR_MS);
      if (ramp >= 1 || (ramp > 0 && this.rng.chance(ramp))) current = versions[i];
    }
    if (!current) throw new Error(`feature ${feature.spec.slug} has no prompt version`);
    return current;
  }

  private chatUsage(spec: FeatureSpec, model: DemoModel, version: PromptVersion, step: number, thrash: boolean): TokenUsage {
    const rng = this.rng;
    const inputTokens =
      Math.max(50, Math.round(rng.logNormal(spec.input.median * (version.inputScale ?? 1), spec.input.sigma))) +
      step * (spec.inputGrowthPerCall ?? 0);
    const reasoningOutputTokens =
      model.reasons === true
        ? Math.round(rng.logNormal(spec.reasoning?.median ?? 1000, spec.reasoning?.sigma ?? 0.6))
        : 0;
    const outputTokens = Math.max(1, Math.round(rng.logNormal(spec.output.median, spec.output.sigma))) + reasoningOutputTokens;

    let cacheReadInputTokens = 0;
    let cacheCreationInputTokens = 0;
    if (spec.cache && model.cacheStyle !== "none") {
      // Later calls of a trace resend the previous context, so their prefix is usually warm.
      let warm = step > 0 ? Math.min(0.97, spec.cache.hit + 0.08) : spec.cache.hit;
      if (thrash) warm *= THRASH_CACHE_FACTOR;
      const prefix = Math.floor(inputTokens * spec.cache.prefix);
      const hit = rng.chance(warm);
      if (model.cacheStyle === "read-only") {
        if (hit && inputTokens >= OPENAI_CACHE_MIN_PROMPT) cacheReadInputTokens = prefix - (prefix % OPENAI_CACHE_BLOCK);
      } else if (hit) {
        cacheReadInputTokens = prefix;
        // The new turn appended after the cached prefix is written for the next call.
        cacheCreationInputTokens = Math.floor((inputTokens - prefix) * rng.next() * 0.5);
      } else {
        cacheCreationInputTokens = prefix;
      }
    }
    return { inputTokens, outputTokens, cacheReadInputTokens, cacheCreationInputTokens, reasoningOutputTokens };
  }

  private embeddingUsage(): TokenUsage {
    const inputTokens = Math.max(3, Math.round(this.rng.logNormal(35, 0.4)));
    return { ...ZERO_USAGE, inputTokens };
  }

  private latency(model: DemoModel, usage: TokenUsage): number {
    const l = model.latency;
    // Cached prompt tokens are processed several times faster.
    const processed = usage.inputTokens - 0.8 * usage.cacheReadInputTokens;
    const ms = l.baseMs + usage.outputTokens * l.msPerOutputToken + (processed / 1000) * l.msPer1kInputTokens;
    return Math.round(ms * this.rng.logNormal(1, 0.25));
  }

  /** A failed attempt; returns when the next attempt starts. */
  private failure(
    at: number,
    model: DemoModel,
    tier: ServiceTier,
    operation: Operation,
    usage: TokenUsage,
    traceId: string,
    attempt: number,
    tags: TraceTags,
  ): number {
    const rng = this.rng;
    let latency: number;
    let billed: TokenUsage = ZERO_USAGE;
    if (rng.chance(0.3)) {
      // A timeout mid-generation: the prompt and a partial answer are billed.
      latency = Math.round(rng.between(30_000, 60_000));
      const partial = Math.floor((usage.outputTokens - usage.reasoningOutputTokens) * rng.next() * 0.5);
      billed = { ...ZERO_USAGE, inputTokens: usage.inputTokens, outputTokens: partial };
    } else {
      // Rate limited or a 5xx: rejected before any token was processed.
      latency = Math.round(rng.between(40, 400));
    }
    this.push(at, latency, model, tier, operation, billed, true, false, traceId, attempt, tags);
    return at + latency + Math.round(rng.between(250, 4000) * attempt);
  }

  private push(
    at: number,
    latencyMs: number,
    model: DemoModel,
    tier: ServiceTier,
    operation: Operation,
    usage: TokenUsage,
    error: boolean,
    responseCacheHit: boolean,
    traceId: string,
    attempt: number,
    tags: TraceTags,
  ): void {
    // Calls that would happen after the window's end have not happened yet.
    if (at >= this.plan.endMs) return;
    this.events.push({
      at,
      receivedAt: at + latencyMs + Math.round(this.rng.between(150, 2500)),
      model,
      tier,
      operation,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cacheReadInputTokens: usage.cacheReadInputTokens,
      cacheCreationInputTokens: usage.cacheCreationInputTokens,
      reasoningOutputTokens: usage.reasoningOutputTokens,
      latencyMs,
      error,
      responseCacheHit,
      traceId,
      attempt,
      tags,
    });
  }

  private outcome(spec: FeatureSpec, version: PromptVersion, traceId: string, end: number, failed: boolean, tags: TraceTags): void {
    const outcome = spec.outcome;
    const rng = this.rng;
    if (!outcome || !rng.chance(outcome.coverage)) return;
    const success = !failed && rng.chance(outcome.success + (version.successBonus ?? 0));
    const at = end + Math.round(rng.logNormal(outcome.delayMedianMs, 0.8));
    if (at >= this.plan.endMs) return;
    // The outcome comes from another system (helpdesk, search UI) that knows the owner
    // even when the model calls were untagged.
    this.outcomes.push({
      at,
      traceId,
      type: outcome.type,
      success,
      value: outcome.value ?? null,
      team: spec.team,
      feature: spec.slug,
      environment: tags.environment,
      tenant: tags.tenant,
    });
  }
}

const ZERO_USAGE: TokenUsage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadInputTokens: 0,
  cacheCreationInputTokens: 0,
  reasoningOutputTokens: 0,
};

function volumeFactor(plan: DemoPlan, spec: FeatureSpec, hourStart: number): number {
  let factor = 1;
  if (spec.tenantScoped && within(plan.incidents.cacheThrash, hourStart)) factor *= LAUNCH_VOLUME_FACTOR;
  if (spec.slug === "code-review-bot" && within(plan.incidents.runawayAgent, hourStart)) factor *= RUNAWAY_VOLUME_FACTOR;
  return factor;
}

/**
 * One day of traffic, generated an hour at a time: small batches keep the seeder's
 * memory flat and its COPY stream busy. Hours must be taken in order (they share the
 * day's random stream).
 */
export class DayGenerator {
  private readonly rng: Rng;
  private readonly builder: DayBuilder;
  private readonly dayStart: number;
  /** Day-to-day wobble per feature on top of the rhythm, so no two weeks look identical. */
  private readonly noise: number[];
  private nextHour = 0;

  constructor(
    private readonly plan: DemoPlan,
    day: number,
  ) {
    if (!Number.isInteger(day) || day < 0 || day >= plan.days) throw new RangeError(`day ${day} is outside the plan`);
    this.rng = new Rng(mixSeed(plan.seed, day));
    this.builder = new DayBuilder(plan, this.rng, day);
    this.dayStart = plan.startMs + day * DAY_MS;
    this.noise = plan.features.map(() => this.rng.logNormal(1, 0.08));
  }

  /** The next hour's traces (null after the 24th), events and outcomes each sorted by time. */
  hour(): DemoDay | null {
    if (this.nextHour >= 24) return null;
    const { plan, rng, builder } = this;
    const hourStart = this.dayStart + this.nextHour++ * HOUR_MS;
    for (const [i, feature] of plan.features.entries()) {
      const spec = feature.spec;
      const expected =
        feature.tracesPerHour *
        (this.noise[i] ?? 1) *
        rhythm(spec.profile, hourStart) *
        growth(hourStart, plan.endMs) *
        volumeFactor(plan, spec, hourStart);
      const traces = rng.roundStochastic(expected);
      for (let t = 0; t < traces; t++) builder.trace(feature, hourStart + rng.int(HOUR_MS));
    }
    return builder.take();
  }
}

/** All of day `day` (0 = the first day of the window): the hours' batches in order. */
export function generateDay(plan: DemoPlan, day: number): DemoDay {
  const generator = new DayGenerator(plan, day);
  const all: DemoDay = { events: [], outcomes: [] };
  for (let batch = generator.hour(); batch; batch = generator.hour()) {
    all.events.push(...batch.events);
    all.outcomes.push(...batch.outcomes);
  }
  return all;
}
