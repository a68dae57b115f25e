import { Money } from "@/lib/money";
import type { DriftCause, ReconciliationDayJson, ReconciliationProvider, ReconciliationRowJson } from "@/lib/schemas/reconciliation";
import type { ProviderDayRow } from "./pull";

/**
 * Burnrate's numbers against a provider's, per provider, UTC day and model — PURE.
 *
 * Cost: a model row carries the provider's cost when the provider splits it by model
 * (Anthropic's cost report names models; OpenAI's line items only sometimes do). Cost the
 * provider does not split lands on the day's `model: null` row, beside Burnrate's cost of
 * the models whose provider cost is unknown (their own rows still show Burnrate's cost, with
 * no provider cost and no drift: compared on tokens only). So the rows that carry a provider
 * cost add up exactly to each day's totals, and no cost is compared twice. Tokens are compared per model in the contract's
 * meaning of input (all input, cache reads and writes included).
 */

export interface ProviderRow extends ProviderDayRow {
  provider: ReconciliationProvider;
}

export interface BurnrateRow {
  provider: ReconciliationProvider;
  day: string;
  model: string;
  requests: number;
  unpricedRequests: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  /** Exact decimal text. */
  costUsd: string;
}

export interface CompareInput {
  provider: readonly ProviderRow[];
  burnrate: readonly BurnrateRow[];
  /** Provider/days a pull has answered: only those are compared (elsewhere the provider's silence means nothing). */
  pulledDays: ReadonlySet<string>;
  /** provider/model pairs whose Burnrate price has no cache-write rate of its own (it defaults to the input rate). */
  modelsWithoutCacheWriteRate?: ReadonlySet<string>;
  /** provider/model pairs whose Burnrate price has no 1-hour cache-write rate (1-hour writes priced at the 5-minute rate). */
  modelsWithout1hCacheWriteRate?: ReadonlySet<string>;
}

export interface Comparison {
  rows: ReconciliationRowJson[];
  days: ReconciliationDayJson[];
  totals: Omit<ReconciliationDayJson, "day">[];
}

/** Token counts differing by more than this share are a token difference, not noise. */
export const TOKEN_TOLERANCE = new Money("0.01");
/** A cost drift under this percentage is not explained. */
export const EXPLAIN_ABOVE_PCT = new Money("1");

export const pulledDayKey = (provider: string, day: string) => `${provider}/${day}`;
export const providerModelKey = (provider: string, model: string) => `${provider}/${model}`;

const usd = (value: Money) => value.toFixed(12);

/** drift = burnrate − provider, and its percentage of the provider's cost (2 decimals, null when that is 0). */
export function drift(burnrateUsd: Money, providerUsd: Money): { drift_usd: string; drift_pct: string | null } {
  const delta = burnrateUsd.minus(providerUsd);
  const pct = providerUsd.isZero() ? null : delta.div(providerUsd).mul(100).toFixed(2);
  // A drift that rounds to nothing is 0.00, not -0.00.
  return { drift_usd: usd(delta), drift_pct: pct === "-0.00" ? "0.00" : pct };
}

function differs(burnrate: number, provider: number | null): "more" | "fewer" | null {
  if (provider === null) return null;
  const base = new Money(Math.max(provider, 1));
  const delta = new Money(burnrate - provider);
  if (delta.abs().div(base).lte(TOKEN_TOLERANCE)) return null;
  return delta.isPositive() ? "more" : "fewer";
}

function group(n: number): string {
  return n.toLocaleString("en-US");
}

/** The usual causes of a row's drift, most specific first, and one sentence for people. */
export function explain(
  row: ReconciliationRowJson,
  withoutCacheWriteRate: boolean,
  oneHourWrites: { tokens: number; withoutRate: boolean } = { tokens: 0, withoutRate: false },
): { causes: DriftCause[]; explanation: string | null } {
  const causes: DriftCause[] = [];
  const sentences: string[] = [];
  if (row.model === null) {
    if (row.provider_cost_usd !== null) {
      causes.push("unattributed_cost");
      sentences.push("Cost the provider does not split by model, against Burnrate's cost of the models it could not be matched to.");
    }
    return { causes, explanation: sentences.join(" ") || null };
  }
  if (row.burnrate_unpriced_requests > 0) {
    causes.push("unpriced_model");
    sentences.push(`${group(row.burnrate_unpriced_requests)} requests of ${row.model} have no price in Burnrate: add one and they are re-costed.`);
  }
  const writes = row.provider_cache_write_tokens ?? 0;
  if (withoutCacheWriteRate && writes > 0) {
    causes.push("missing_cache_write_rate");
    sentences.push(`${group(writes)} cache-write tokens are priced at the input rate: the model's price has no cache-write rate.`);
  } else if (oneHourWrites.withoutRate && oneHourWrites.tokens > 0) {
    causes.push("missing_cache_write_rate");
    sentences.push(`${group(oneHourWrites.tokens)} one-hour cache-write tokens are priced at the 5-minute rate: the model's price has no 1-hour rate (cache_write_1h_per_mtok).`);
  }
  const input = differs(row.burnrate_input_tokens, row.provider_input_tokens);
  const output = differs(row.burnrate_output_tokens, row.provider_output_tokens);
  if (input === "fewer" || output === "fewer") {
    causes.push("tokens_missing");
    const missingInput = (row.provider_input_tokens ?? 0) - row.burnrate_input_tokens;
    const missingOutput = (row.provider_output_tokens ?? 0) - row.burnrate_output_tokens;
    const parts = [missingInput > 0 ? `${group(missingInput)} input` : null, missingOutput > 0 ? `${group(missingOutput)} output` : null].filter(Boolean);
    sentences.push(`Traffic not sent to Burnrate: ${parts.join(" and ")} tokens the provider billed are missing.`);
  } else if (input === "more" || output === "more") {
    causes.push("tokens_extra");
    sentences.push("Burnrate counted more tokens than the provider billed: events sent twice under different ids, or another organization's traffic.");
  }
  const pct = row.drift_pct === null ? null : new Money(row.drift_pct).abs();
  if (causes.length === 0 && input === null && output === null && pct !== null && pct.gt(EXPLAIN_ABOVE_PCT)) {
    causes.push("price_difference");
    sentences.push("The tokens agree but the cost does not: a price difference (check the model's rates, its tier, or a discount).");
  }
  return { causes, explanation: sentences.join(" ") || null };
}

interface Cell {
  provider: ProviderRow | null;
  burnrate: BurnrateRow | null;
}

export function compareReconciliation(input: CompareInput): Comparison {
  const cells = new Map<string, Cell>();
  const keyOf = (provider: string, day: string, model: string | null) => JSON.stringify([provider, day, model]);
  const cell = (provider: string, day: string, model: string | null) => {
    const key = keyOf(provider, day, model);
    let found = cells.get(key);
    if (!found) {
      found = { provider: null, burnrate: null };
      cells.set(key, found);
    }
    return found;
  };
  for (const row of input.provider) if (input.pulledDays.has(pulledDayKey(row.provider, row.day))) cell(row.provider, row.day, row.model).provider = row;
  for (const row of input.burnrate) if (input.pulledDays.has(pulledDayKey(row.provider, row.day))) cell(row.provider, row.day, row.model).burnrate = row;

  // Per provider and day: Burnrate's cost of the models the provider's cost does not name.
  const unattributedBurnrate = new Map<string, Money>();
  const dayTotals = new Map<string, { provider: ReconciliationProvider; day: string; providerUsd: Money | null; burnrateUsd: Money }>();
  for (const [key, { provider, burnrate }] of cells) {
    const [p, day, model] = JSON.parse(key) as [ReconciliationProvider, string, string | null];
    const dayKey = pulledDayKey(p, day);
    const total = dayTotals.get(dayKey) ?? { provider: p, day, providerUsd: null, burnrateUsd: new Money(0) };
    if (provider?.costUsd != null) total.providerUsd = (total.providerUsd ?? new Money(0)).plus(provider.costUsd);
    if (burnrate) total.burnrateUsd = total.burnrateUsd.plus(burnrate.costUsd);
    dayTotals.set(dayKey, total);
    if (model !== null && burnrate && provider?.costUsd == null) {
      unattributedBurnrate.set(dayKey, (unattributedBurnrate.get(dayKey) ?? new Money(0)).plus(burnrate.costUsd));
    }
  }
  // A day whose provider cost is split completely still gets a remainder row when Burnrate has unmatched cost.
  for (const [dayKey, amount] of unattributedBurnrate) {
    const [p, day] = dayKey.split("/") as [ReconciliationProvider, string];
    if (!amount.isZero()) cell(p, day, null);
  }

  const rows: ReconciliationRowJson[] = [];
  for (const [cellKey, { provider, burnrate }] of cells) {
    const [p, day, model] = JSON.parse(cellKey) as [ReconciliationProvider, string, string | null];
    const providerUsd = provider?.costUsd != null ? new Money(provider.costUsd) : null;
    const burnrateUsd = model === null ? (unattributedBurnrate.get(pulledDayKey(p, day)) ?? new Money(0)) : new Money(burnrate?.costUsd ?? 0);
    // Tokens: what the provider reported for the model (0 when a pulled day has none of it).
    const tokens = (value: number | null | undefined) => (model === null ? null : (value ?? 0));
    const row: ReconciliationRowJson = {
      provider: p,
      day,
      model,
      provider_cost_usd: providerUsd ? usd(providerUsd) : null,
      burnrate_cost_usd: usd(burnrateUsd),
      ...(providerUsd ? drift(burnrateUsd, providerUsd) : { drift_usd: null, drift_pct: null }),
      provider_input_tokens: tokens(provider?.inputTokens),
      burnrate_input_tokens: burnrate?.inputTokens ?? 0,
      provider_cache_read_tokens: tokens(provider?.cacheReadTokens),
      burnrate_cache_read_tokens: burnrate?.cacheReadTokens ?? 0,
      provider_cache_write_tokens: tokens(provider?.cacheWriteTokens),
      burnrate_cache_write_tokens: burnrate?.cacheWriteTokens ?? 0,
      provider_output_tokens: tokens(provider?.outputTokens),
      burnrate_output_tokens: burnrate?.outputTokens ?? 0,
      provider_requests: model === null ? null : (provider?.requests ?? (provider ? null : 0)),
      burnrate_requests: burnrate?.requests ?? 0,
      burnrate_unpriced_requests: burnrate?.unpricedRequests ?? 0,
      causes: [],
      explanation: null,
    };
    const key = model === null ? null : providerModelKey(p, model);
    const withoutRate = key !== null && (input.modelsWithoutCacheWriteRate?.has(key) ?? false);
    const without1h = key !== null && (input.modelsWithout1hCacheWriteRate?.has(key) ?? false);
    Object.assign(row, explain(row, withoutRate, { tokens: provider?.cacheWrite1hTokens ?? 0, withoutRate: without1h }));
    rows.push(row);
  }
  rows.sort((a, b) => a.provider.localeCompare(b.provider) || a.day.localeCompare(b.day) || (a.model ?? "\uffff").localeCompare(b.model ?? "\uffff"));

  const days = [...dayTotals.values()]
    .sort((a, b) => a.provider.localeCompare(b.provider) || a.day.localeCompare(b.day))
    .map((total) => ({
      provider: total.provider,
      day: total.day,
      provider_cost_usd: total.providerUsd ? usd(total.providerUsd) : null,
      burnrate_cost_usd: usd(total.burnrateUsd),
      ...(total.providerUsd ? drift(total.burnrateUsd, total.providerUsd) : { drift_usd: null, drift_pct: null }),
    }));

  const byProvider = new Map<ReconciliationProvider, { providerUsd: Money | null; burnrateUsd: Money }>();
  for (const day of dayTotals.values()) {
    const total = byProvider.get(day.provider) ?? { providerUsd: null, burnrateUsd: new Money(0) };
    if (day.providerUsd) total.providerUsd = (total.providerUsd ?? new Money(0)).plus(day.providerUsd);
    total.burnrateUsd = total.burnrateUsd.plus(day.burnrateUsd);
    byProvider.set(day.provider, total);
  }
  const totals = [...byProvider.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([provider, total]) => ({
      provider,
      provider_cost_usd: total.providerUsd ? usd(total.providerUsd) : null,
      burnrate_cost_usd: usd(total.burnrateUsd),
      ...(total.providerUsd ? drift(total.burnrateUsd, total.providerUsd) : { drift_usd: null, drift_pct: null }),
    }));
  return { rows, days, totals };
}
