import type { z } from "zod";
import { Money } from "@/lib/money";
import { outboundFetch, OutboundRefusedError } from "@/lib/http/outbound";
import type { ReconciliationProvider } from "@/lib/schemas/reconciliation";
import { DAY_MS, utcDayKey } from "@/lib/time";
import { anthropicCostPageSchema, anthropicUsagePageSchema, exactAmounts, openaiCostsPageSchema, openaiUsagePageSchema } from "./provider-shapes";

/**
 * Pulls one provider's daily usage (grouped by model) and daily cost over whole UTC days,
 * following every page, waiting out 429s and 5xx (the provider's retry-after, else a bounded
 * backoff). Through the outbound guard, redirects refused (the admin key goes only where it
 * was configured to go). A failure throws PullError naming the request and status, never
 * the provider's body (it is a user-configured destination) nor the key.
 */

export interface ProviderDayRow {
  /** YYYY-MM-DD (UTC). */
  day: string;
  model: string | null;
  requests: number | null;
  /** All input: uncached, cache reads and cache writes. */
  inputTokens: number | null;
  cacheReadTokens: number | null;
  /** Cache writes of every duration; cacheWrite1hTokens is the 1-hour part. */
  cacheWriteTokens: number | null;
  cacheWrite1hTokens: number | null;
  outputTokens: number | null;
  /** Exact USD, or null when the provider reported no cost for this model that day. */
  costUsd: string | null;
}

export interface PullTarget {
  provider: ReconciliationProvider;
  baseUrl: string;
  adminKey: string;
}

export interface PullOptions {
  /** Waits (tests pass a recorder); default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
  /** Attempts per request, the first included (default 5). */
  maxAttempts?: number;
  /** The longest wait honoured from a retry-after (default 60 s). */
  maxWaitMs?: number;
  /** The first backoff without a retry-after (default 1 s, doubling, at most 16 s). */
  backoffMs?: number;
}

export interface PullResult {
  rows: ProviderDayRow[];
  /** Requests answered 2xx. */
  pages: number;
}

export class PullError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

const ANTHROPIC_VERSION = "2023-06-01";

/** A retry-after as milliseconds: seconds, or an HTTP date; `retry-after-ms` first when sent. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = headers.get("retry-after")?.trim();
  if (value === undefined) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  // An HTTP date ("Sun, 06 Dec 2026 12:00:00 GMT") and nothing else: Date.parse reads far too much.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value)) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function getJson(url: URL, headers: Record<string, string>, options: PullOptions): Promise<unknown> {
  const attempts = options.maxAttempts ?? 5;
  const sleep = options.sleep ?? defaultSleep;
  const what = `${url.origin}${url.pathname}`;
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await outboundFetch(url, { headers: { accept: "application/json", ...headers }, redirect: "error", timeoutMs: 30_000 });
    } catch (error) {
      if (error instanceof OutboundRefusedError) throw new PullError(`${what}: ${error.message}`, null);
      if (attempt >= attempts) throw new PullError(`${what}: ${error instanceof Error ? error.message : String(error)} (after ${attempt} attempts)`, null);
      await sleep(Math.min((options.backoffMs ?? 1000) * 2 ** (attempt - 1), 16_000));
      continue;
    }
    if (response.ok) {
      const text = await response.text();
      try {
        return JSON.parse(exactAmounts(text)) as unknown;
      } catch {
        throw new PullError(`${what}: the answer is not JSON`, response.status);
      }
    }
    await response.body?.cancel();
    const retryable = response.status === 429 || response.status >= 500;
    if (!retryable || attempt >= attempts) {
      const hint = response.status === 401 || response.status === 403 ? ": the admin key was refused" : retryable ? ` (after ${attempt} attempts)` : "";
      throw new PullError(`${what} answered HTTP ${response.status}${hint}`, response.status);
    }
    const asked = retryAfterMs(response.headers);
    const wait = asked !== null ? Math.min(asked, options.maxWaitMs ?? 60_000) : Math.min((options.backoffMs ?? 1000) * 2 ** (attempt - 1), 16_000);
    await sleep(wait);
  }
}

/** Every page of a paginated report: `page` set to the previous answer's next_page. */
async function allPages<S extends z.ZodType<{ has_more: boolean; next_page?: string | null }>>(
  schema: S,
  base: URL,
  headers: Record<string, string>,
  options: PullOptions,
  counter: { pages: number },
): Promise<z.output<S>[]> {
  const pages: z.output<S>[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const url = new URL(base);
    if (cursor !== null) url.searchParams.set("page", cursor);
    const body = await getJson(url, headers, options);
    counter.pages++;
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PullError(`${base.pathname}: unexpected answer (${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"})`, 200);
    }
    pages.push(parsed.data);
    if (!parsed.data.has_more || !parsed.data.next_page) return pages;
    cursor = parsed.data.next_page;
  }
  throw new PullError(`${base.pathname}: more than 1000 pages`, null);
}

function endpoint(baseUrl: string, path: string): URL {
  const base = new URL(baseUrl);
  base.pathname = `${base.pathname.replace(/\/+$/, "")}${path}`;
  return base;
}

function row(day: string, model: string | null): ProviderDayRow {
  return { day, model, requests: null, inputTokens: null, cacheReadTokens: null, cacheWriteTokens: null, cacheWrite1hTokens: null, outputTokens: null, costUsd: null };
}

class DayRows {
  private readonly rows = new Map<string, ProviderDayRow>();

  get(day: string, model: string | null): ProviderDayRow {
    const key = JSON.stringify([day, model]);
    let found = this.rows.get(key);
    if (!found) {
      found = row(day, model);
      this.rows.set(key, found);
    }
    return found;
  }

  addTokens(day: string, model: string | null, add: { requests?: number; input: number; cacheRead: number; cacheWrite: number; cacheWrite1h: number; output: number }): void {
    const target = this.get(day, model);
    const plus = (a: number | null, b: number) => (a ?? 0) + b;
    if (add.requests !== undefined) target.requests = plus(target.requests, add.requests);
    target.inputTokens = plus(target.inputTokens, add.input);
    target.cacheReadTokens = plus(target.cacheReadTokens, add.cacheRead);
    target.cacheWriteTokens = plus(target.cacheWriteTokens, add.cacheWrite);
    target.cacheWrite1hTokens = plus(target.cacheWrite1hTokens, add.cacheWrite1h);
    target.outputTokens = plus(target.outputTokens, add.output);
  }

  addCost(day: string, model: string | null, usd: Money): void {
    const target = this.get(day, model);
    target.costUsd = (target.costUsd === null ? usd : usd.plus(target.costUsd)).toFixed(12);
  }

  models(day: string): string[] {
    return [...this.rows.values()].filter((r) => r.day === day && r.model !== null).map((r) => r.model as string);
  }

  all(): ProviderDayRow[] {
    return [...this.rows.values()].sort((a, b) => a.day.localeCompare(b.day) || (a.model ?? "\uffff").localeCompare(b.model ?? "\uffff"));
  }
}

/** The model an OpenAI cost line item names ("gpt-4o-2024-08-06, input"), among the day's models; null when none. */
export function lineItemModel(lineItem: string | null | undefined, models: readonly string[]): string | null {
  if (!lineItem) return null;
  const named = models.filter((model) => lineItem === model || lineItem.startsWith(`${model},`) || lineItem.startsWith(`${model} `));
  return named.sort((a, b) => b.length - a.length)[0] ?? null;
}

function inWindow(day: string, from: Date, to: Date): boolean {
  const at = Date.parse(`${day}T00:00:00Z`);
  return at >= from.getTime() && at < to.getTime();
}

async function pullOpenai(target: PullTarget, from: Date, to: Date, options: PullOptions): Promise<PullResult> {
  const headers = { authorization: `Bearer ${target.adminKey}` };
  const counter = { pages: 0 };
  const days = new DayRows();
  const seconds = (at: Date) => String(Math.floor(at.getTime() / 1000));
  const usageUrl = endpoint(target.baseUrl, "/v1/organization/usage/completions");
  usageUrl.search = new URLSearchParams({ start_time: seconds(from), end_time: seconds(to), bucket_width: "1d", group_by: "model", limit: "31" }).toString();
  for (const page of await allPages(openaiUsagePageSchema, usageUrl, headers, options, counter)) {
    for (const bucket of page.data) {
      const day = utcDayKey(new Date(bucket.start_time * 1000));
      if (!inWindow(day, from, to)) continue;
      for (const result of bucket.results) {
        days.addTokens(day, result.model ?? null, {
          requests: result.num_model_requests,
          input: result.input_tokens,
          cacheRead: result.input_cached_tokens,
          cacheWrite: result.input_cache_write_tokens,
          cacheWrite1h: 0,
          output: result.output_tokens,
        });
      }
    }
  }
  const costsUrl = endpoint(target.baseUrl, "/v1/organization/costs");
  costsUrl.search = new URLSearchParams({ start_time: seconds(from), end_time: seconds(to), bucket_width: "1d", group_by: "line_item", limit: "180" }).toString();
  for (const page of await allPages(openaiCostsPageSchema, costsUrl, headers, options, counter)) {
    for (const bucket of page.data) {
      const day = utcDayKey(new Date(bucket.start_time * 1000));
      if (!inWindow(day, from, to)) continue;
      for (const result of bucket.results) {
        days.addCost(day, lineItemModel(result.line_item, days.models(day)), new Money(result.amount.value));
      }
    }
  }
  return { rows: days.all(), pages: counter.pages };
}

async function pullAnthropic(target: PullTarget, from: Date, to: Date, options: PullOptions): Promise<PullResult> {
  const headers = { "x-api-key": target.adminKey, "anthropic-version": ANTHROPIC_VERSION };
  const counter = { pages: 0 };
  const days = new DayRows();
  const window = { starting_at: from.toISOString(), ending_at: to.toISOString() };
  const usageUrl = endpoint(target.baseUrl, "/v1/organizations/usage_report/messages");
  usageUrl.search = new URLSearchParams({ ...window, bucket_width: "1d", "group_by[]": "model", limit: "31" }).toString();
  for (const page of await allPages(anthropicUsagePageSchema, usageUrl, headers, options, counter)) {
    for (const bucket of page.data) {
      const day = utcDayKey(new Date(bucket.starting_at));
      if (!inWindow(day, from, to)) continue;
      for (const result of bucket.results) {
        const write5m = result.cache_creation?.ephemeral_5m_input_tokens ?? 0;
        const write1h = result.cache_creation?.ephemeral_1h_input_tokens ?? 0;
        days.addTokens(day, result.model ?? null, {
          input: result.uncached_input_tokens + result.cache_read_input_tokens + write5m + write1h,
          cacheRead: result.cache_read_input_tokens,
          cacheWrite: write5m + write1h,
          cacheWrite1h: write1h,
          output: result.output_tokens,
        });
      }
    }
  }
  const costUrl = endpoint(target.baseUrl, "/v1/organizations/cost_report");
  costUrl.search = new URLSearchParams({ ...window, "group_by[]": "description", limit: "31" }).toString();
  for (const page of await allPages(anthropicCostPageSchema, costUrl, headers, options, counter)) {
    for (const bucket of page.data) {
      const day = utcDayKey(new Date(bucket.starting_at));
      if (!inWindow(day, from, to)) continue;
      for (const result of bucket.results) {
        // Cents as a decimal string, read exactly.
        days.addCost(day, result.model ?? null, new Money(result.amount).div(100));
      }
    }
  }
  return { rows: days.all(), pages: counter.pages };
}

/** [from, to) in whole UTC days, every day of it answered (a day without usage is a day without rows). */
export async function pullProvider(target: PullTarget, window: { from: Date; to: Date }, options: PullOptions = {}): Promise<PullResult> {
  if (window.from.getTime() % DAY_MS !== 0 || window.to.getTime() % DAY_MS !== 0) throw new Error("a pull covers whole UTC days");
  return target.provider === "openai" ? pullOpenai(target, window.from, window.to, options) : pullAnthropic(target, window.from, window.to, options);
}
