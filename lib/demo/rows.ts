import { costPicoUsd, priceCost, ratesForUsage } from "@/lib/pricing/price-cost";
import { DAY_MS, HOUR_MS } from "@/lib/time";
import type { DemoEvent, DemoOutcome } from "./generate";
import type { LineBuffer } from "./line-buffer";
import type { PriceBook, ResolvedPrice } from "./price-book";
import { INEXACT, UNPRICED, type RollupGroup } from "./rollup-rows";

/**
 * Demo rows in PostgreSQL's COPY text format: tab-separated, \N for NULL, one line per
 * row. Every value the generator produces is plain ASCII without tabs, newlines or
 * backslashes, so nothing needs escaping.
 */

export const EVENT_COLUMNS = [
  "id",
  "occurred_at",
  "received_at",
  "provider",
  "model",
  "operation",
  "service_tier",
  "input_tokens",
  "output_tokens",
  "cache_read_input_tokens",
  "cache_creation_input_tokens",
  "reasoning_output_tokens",
  "latency_ms",
  "status",
  "response_cache_hit",
  "trace_id",
  "attempt",
  "team",
  "feature",
  "environment",
  "tenant",
  "end_user",
  "prompt_version",
  "extra_tags",
  "cost_usd",
  "pricing_state",
  "price_id",
  "priced_at",
] as const;

export const OUTCOME_COLUMNS = [
  "id",
  "occurred_at",
  "received_at",
  "trace_id",
  "type",
  "success",
  "value",
  "team",
  "feature",
  "environment",
  "tenant",
] as const;

const NULL = "\\N";
const PICO = 1e12;

/** Ids are zero-padded so they sort in the order they were written. */
export function eventId(seed: number, n: number): string {
  return `demo-${seed}-${String(n).padStart(9, "0")}`;
}

export function outcomeId(seed: number, n: number): string {
  return `demo-${seed}-o${String(n).padStart(9, "0")}`;
}

export class RowRenderer {
  private readonly eventPrefix: string;
  private readonly outcomePrefix: string;
  private dateDay = Number.NaN;
  private datePrefix = "";

  constructor(
    private readonly book: PriceBook,
    seed: number,
  ) {
    this.eventPrefix = `demo-${seed}-`;
    this.outcomePrefix = `demo-${seed}-o`;
  }

  /** "2026-11-24 13:05:09.042+00"; the date part is cached as it changes once a day. */
  private timestamp(out: LineBuffer, ms: number): void {
    const day = Math.floor(ms / DAY_MS);
    if (day !== this.dateDay) {
      this.dateDay = day;
      this.datePrefix = `${new Date(day * DAY_MS).toISOString().slice(0, 10)} `;
    }
    let rest = ms - day * DAY_MS;
    const hours = Math.floor(rest / HOUR_MS);
    rest -= hours * HOUR_MS;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    out.ascii(this.datePrefix).padded(hours, 2).char(58).padded(minutes, 2).char(58).padded(seconds, 2);
    out.char(46).padded(rest - seconds * 1000, 3).ascii("+00");
  }

  private cost(out: LineBuffer, e: DemoEvent, price: ResolvedPrice): number {
    const rates = ratesForUsage(e, price);
    const pico = costPicoUsd(e, rates);
    if (pico < 0) {
      out.ascii(priceCost(e, rates));
      return INEXACT;
    }
    this.picoUsd(out, pico);
    return pico;
  }

  /** Whole units of 1e-12 USD as a decimal with 12 places. */
  private picoUsd(out: LineBuffer, pico: number): void {
    let whole = Math.floor(pico / PICO);
    let fraction = pico - whole * PICO;
    // Float division can land one off near a multiple of 1e12; the remainder says which way.
    if (fraction < 0) {
      whole -= 1;
      fraction += PICO;
    } else if (fraction >= PICO) {
      whole += 1;
      fraction -= PICO;
    }
    out.uint(whole).char(46).padded(fraction, 12);
  }

  private text(out: LineBuffer, value: string | null): void {
    out.ascii(value ?? NULL).tab();
  }

  /** Writes event number `n` as one line; returns its cost (see HourlyRollups.add). */
  event(out: LineBuffer, n: number, e: DemoEvent): number {
    const model = e.model;
    const t = e.tags;
    out.ascii(this.eventPrefix).padded(n, 9).tab();
    this.timestamp(out, e.at);
    out.tab();
    this.timestamp(out, e.receivedAt);
    out.tab().ascii(model.provider).tab().ascii(model.model).tab().ascii(e.operation).tab().ascii(e.tier).tab();
    out.uint(e.inputTokens).tab().uint(e.outputTokens).tab();
    out.uint(e.cacheReadInputTokens).tab().uint(e.cacheCreationInputTokens).tab().uint(e.reasoningOutputTokens).tab();
    out.uint(e.latencyMs).tab().ascii(e.error ? "error" : "success").tab().ascii(e.responseCacheHit ? "t" : "f").tab();
    out.ascii(e.traceId).tab().uint(e.attempt).tab();
    this.text(out, t.team);
    this.text(out, t.feature);
    this.text(out, t.environment);
    this.text(out, t.tenant);
    this.text(out, t.endUser);
    this.text(out, t.promptVersion);
    this.text(out, t.extraTags);
    const price = this.book.resolve(model.provider, model.model, e.tier, e.at);
    if (!price) {
      out.ascii(`${NULL}\tunpriced\t${NULL}\t${NULL}`).newline();
      return UNPRICED;
    }
    const cost = this.cost(out, e, price);
    out.tab().ascii("priced").tab().ascii(price.id).tab();
    this.timestamp(out, e.receivedAt);
    out.newline();
    return cost;
  }

  /** Writes one usage_rollup_hourly row (ROLLUP_COLUMNS). */
  rollup(out: LineBuffer, g: RollupGroup): void {
    const e = g.event;
    const t = e.tags;
    this.timestamp(out, g.hour);
    out.tab();
    this.text(out, t.team);
    this.text(out, t.feature);
    this.text(out, t.environment);
    this.text(out, t.tenant);
    this.text(out, t.promptVersion);
    out.ascii(e.model.provider).tab().ascii(e.model.model).tab().ascii(e.tier).tab();
    out.uint(g.requests).tab().uint(g.errors).tab().uint(g.retries).tab().uint(g.responseCacheHits).tab();
    out.uint(g.unpricedRequests).tab().uint(g.inputTokens).tab().uint(g.outputTokens).tab();
    out.uint(g.cacheReadInputTokens).tab().uint(g.cacheCreationInputTokens).tab().uint(g.reasoningOutputTokens).tab();
    this.picoUsd(out, g.costPicoUsd);
    out.tab().uint(g.latencyMsSum).tab();
    this.picoUsd(out, g.retryCostPicoUsd);
    out.tab();
    this.picoUsd(out, g.errorCostPicoUsd);
    out.newline();
  }

  /** Writes outcome number `n` as one line. */
  outcome(out: LineBuffer, n: number, o: DemoOutcome): void {
    out.ascii(this.outcomePrefix).padded(n, 9).tab();
    this.timestamp(out, o.at);
    out.tab();
    this.timestamp(out, o.at);
    out.tab().ascii(o.traceId).tab().ascii(o.type).tab().ascii(o.success ? "t" : "f").tab();
    this.text(out, o.value);
    this.text(out, o.team);
    this.text(out, o.feature);
    this.text(out, o.environment);
    out.ascii(o.tenant ?? NULL).newline();
  }
}
