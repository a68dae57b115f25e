import { formatPercent, formatTokens } from "@/lib/format";
import { Money } from "@/lib/money";
import type { TokenUsage } from "@/lib/pricing/compute-cost";
import { priceCost, type ScaledEntry } from "@/lib/pricing/price-cost";
import type { SavingsKind } from "@/lib/schemas/savings";

/**
 * The savings advisor's arithmetic (pure): for each team, feature and model of the window, the
 * money a change would have saved, re-pricing the window's actual token classes with the one
 * pricing implementation (priceCost, lib/pricing/price-cost.ts) at current prices:
 * - model_swap: at a declared substitute's standard price (the best substitute only);
 * - batch_tier: at the same model's batch price, for features marked deferrable, where one exists;
 * - prompt_caching: at the same price with the cache hit rate of the feature's own best week,
 *   for prompts that are long (≥ 1,024 input tokens per request on average) and steady (every
 *   busy week within 25% of that average) whose hit rate is at least 10 points below that week.
 * Current cost is the same token classes at the model's own current standard price, so a saving
 * is the difference of the prices, not of a price change inside the window. Projections use the
 * base rates (a long-context tier applies per call, which aggregates cannot tell).
 */

export const LONG_PROMPT_TOKENS = 1024;
export const STEADY_SHARE = "0.25";
export const MIN_HIT_RATE_GAIN = "0.10";
export const MIN_CACHE_REQUESTS = 100;
export const MIN_WEEK_REQUESTS = 50;
const MONTH_DAYS = 30;

export interface UsageGroup {
  team: string | null;
  feature: string | null;
  provider: string;
  model: string;
  serviceTier: string;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  reasoningOutputTokens: number;
}

export interface WeekGroup {
  team: string | null;
  feature: string | null;
  provider: string;
  model: string;
  week: string;
  requests: number;
  inputTokens: number;
  cacheReadInputTokens: number;
}

export type PriceOf = (provider: string, model: string, serviceTier: string) => ScaledEntry | null;

export interface ModelRef {
  provider: string;
  model: string;
}

export interface Opportunity {
  kind: SavingsKind;
  team: string;
  feature: string | null;
  provider: string;
  model: string;
  suggested_provider?: string;
  suggested_model?: string;
  suggested_tier?: string;
  current_cost_usd: string;
  projected_cost_usd: string;
  savings_usd: string;
  /** At the window's run rate: savings × 30 / the window's days. */
  savings_per_month_usd: string;
  rationale: string;
}

export interface AdvisorInput {
  groups: readonly UsageGroup[];
  weeks: readonly WeekGroup[];
  priceOf: PriceOf;
  substitutes: readonly { from: ModelRef; to: ModelRef }[];
  /** "team\u0000feature" of the deferrable features. */
  deferrable: ReadonlySet<string>;
  dismissed: (kind: SavingsKind, team: string, feature: string | null, model: string) => boolean;
  windowDays: number;
}

const usd = (value: Money) => value.toFixed(12);

export function featureKey(team: string, feature: string | null): string {
  return `${team}\u0000${feature ?? ""}`;
}

function usageOf(group: Pick<UsageGroup, "inputTokens" | "outputTokens" | "cacheReadInputTokens" | "cacheCreationInputTokens" | "reasoningOutputTokens">): TokenUsage {
  return {
    inputTokens: group.inputTokens,
    outputTokens: group.outputTokens,
    cacheReadInputTokens: group.cacheReadInputTokens,
    cacheCreationInputTokens: group.cacheCreationInputTokens,
    reasoningOutputTokens: group.reasoningOutputTokens,
  };
}

function costAt(usage: TokenUsage, entry: ScaledEntry): Money {
  return new Money(priceCost(usage, entry.scaled));
}

function opportunity(
  kind: SavingsKind,
  group: UsageGroup & { team: string },
  current: Money,
  projected: Money,
  windowDays: number,
  rationale: string,
  suggestion: Partial<Pick<Opportunity, "suggested_provider" | "suggested_model" | "suggested_tier">>,
): Opportunity {
  const savings = current.minus(projected);
  return {
    kind,
    team: group.team,
    feature: group.feature,
    provider: group.provider,
    model: group.model,
    ...suggestion,
    current_cost_usd: usd(current),
    projected_cost_usd: usd(projected),
    savings_usd: usd(savings),
    savings_per_month_usd: savings.times(MONTH_DAYS).div(windowDays).toFixed(12),
    rationale,
  };
}

/** The opportunities, largest saving first; the total counts each team, feature and model's best one (bestPerGroup). */
export function findOpportunities(input: AdvisorInput): { opportunities: Opportunity[]; total_savings_usd: string } {
  const found: Opportunity[] = [];
  const weeksOf = new Map<string, WeekGroup[]>();
  for (const week of input.weeks) {
    const key = JSON.stringify([week.team, week.feature, week.provider, week.model]);
    weeksOf.set(key, [...(weeksOf.get(key) ?? []), week]);
  }
  for (const raw of input.groups) {
    if (raw.team === null || raw.serviceTier !== "standard" || raw.requests === 0) continue;
    const group = raw as UsageGroup & { team: string };
    const own = input.priceOf(group.provider, group.model, "standard");
    if (!own) continue;
    const usage = usageOf(group);
    const current = costAt(usage, own);
    const days = input.windowDays;

    // Model swap: the best declared substitute with a current standard price.
    if (!input.dismissed("model_swap", group.team, group.feature, group.model)) {
      let best: { to: ModelRef; projected: Money } | null = null;
      for (const { from, to } of input.substitutes) {
        if (from.provider !== group.provider || from.model !== group.model) continue;
        const price = input.priceOf(to.provider, to.model, "standard");
        if (!price) continue;
        const projected = costAt(usage, price);
        if (!best || projected.lt(best.projected)) best = { to, projected };
      }
      if (best && best.projected.lt(current)) {
        const share = formatPercent(current.minus(best.projected).div(current));
        found.push(
          opportunity("model_swap", group, current, best.projected, days, `${best.to.model} prices this feature's ${formatTokens(group.inputTokens)} input and ${formatTokens(group.outputTokens)} output tokens ${share} lower than ${group.model}.`, {
            suggested_provider: best.to.provider,
            suggested_model: best.to.model,
          }),
        );
      }
    }

    // Batch tier: deferrable features, where the model has a batch price.
    if (input.deferrable.has(featureKey(group.team, group.feature)) && !input.dismissed("batch_tier", group.team, group.feature, group.model)) {
      const batch = input.priceOf(group.provider, group.model, "batch");
      if (batch) {
        const projected = costAt(usage, batch);
        if (projected.lt(current)) {
          found.push(
            opportunity("batch_tier", group, current, projected, days, `Marked deferrable: ${group.model}'s batch tier would have billed these ${group.requests.toLocaleString("en-US")} calls ${formatPercent(current.minus(projected).div(current))} less.`, {
              suggested_tier: "batch",
            }),
          );
        }
      }
    }

    // Prompt caching: long, steady prompts whose hit rate fell short of their own best week.
    if (group.requests >= MIN_CACHE_REQUESTS && group.inputTokens > 0 && !input.dismissed("prompt_caching", group.team, group.feature, group.model)) {
      const average = new Money(group.inputTokens).div(group.requests);
      const weeks = (weeksOf.get(JSON.stringify([group.team, group.feature, group.provider, group.model])) ?? []).filter(
        (week) => week.requests >= MIN_WEEK_REQUESTS && week.inputTokens > 0,
      );
      const steady = weeks.length >= 2 && weeks.every((week) => new Money(week.inputTokens).div(week.requests).minus(average).abs().lte(average.times(STEADY_SHARE)));
      const rate = new Money(group.cacheReadInputTokens).div(group.inputTokens);
      const bestWeek = weeks.reduce<WeekGroup | null>(
        (best, week) => (best === null || new Money(week.cacheReadInputTokens).div(week.inputTokens).gt(new Money(best.cacheReadInputTokens).div(best.inputTokens)) ? week : best),
        null,
      );
      if (average.gte(LONG_PROMPT_TOKENS) && steady && bestWeek) {
        const bestRate = new Money(bestWeek.cacheReadInputTokens).div(bestWeek.inputTokens);
        if (bestRate.minus(rate).gte(MIN_HIT_RATE_GAIN)) {
          // The tokens that would have been read from the cache at the best week's rate (whole tokens, rounded down).
          const uncached = group.inputTokens - group.cacheReadInputTokens - group.cacheCreationInputTokens;
          const extra = Math.min(uncached, new Money(group.inputTokens).times(bestWeek.cacheReadInputTokens).div(bestWeek.inputTokens).floor().toNumber() - group.cacheReadInputTokens);
          if (extra > 0) {
            const projected = costAt({ ...usage, cacheReadInputTokens: group.cacheReadInputTokens + extra }, own);
            if (projected.lt(current)) {
              found.push(
                opportunity("prompt_caching", group, current, projected, days, `Prompts average ${formatTokens(average.floor().toNumber())} input tokens and stay steady, but only ${formatPercent(rate)} were read from the cache against ${formatPercent(bestRate)} in the week of ${bestWeek.week}: ${formatTokens(extra)} more cached tokens at that rate.`, {}),
              );
            }
          }
        }
      }
    }
  }
  const text = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  found.sort(
    (a, b) =>
      new Money(b.savings_usd).comparedTo(a.savings_usd) ||
      text(a.team, b.team) ||
      text(a.feature ?? "", b.feature ?? "") ||
      text(a.provider, b.provider) ||
      text(a.model, b.model) ||
      text(a.kind, b.kind),
  );
  return { opportunities: found, total_savings_usd: usd(bestPerGroup(found, "savings_usd")) };
}

/**
 * The sum over each team, feature and model of its largest saving: a swap, the batch tier and
 * caching are alternatives priced against the same cost, so they do not add up.
 */
export function bestPerGroup(opportunities: readonly Opportunity[], field: "savings_usd" | "savings_per_month_usd"): Money {
  const best = new Map<string, Money>();
  for (const o of opportunities) {
    const key = JSON.stringify([o.team, o.feature, o.provider, o.model]);
    const value = new Money(o[field]);
    const current = best.get(key);
    if (!current || value.gt(current)) best.set(key, value);
  }
  return [...best.values()].reduce((sum, value) => sum.plus(value), new Money(0));
}
