import "server-only";
import { spendFilters, type SpendDimension, type SpendGroupKey, type SpendQuery } from "@/lib/schemas/spend";
import {
  SPEND_MEASURES,
  aggregateSpend,
  assertFiltersInScope,
  type SpendMeasure,
  type SpendResult,
  type SpendRow,
} from "./spend";
import { dbOf, teamScopeOf, type Ctx } from "@/lib/context";
import { csvTable } from "@/lib/http/csv";
import { DAY_MS, startOfUtcDay, startOfUtcMonth } from "@/lib/time";

/**
 * Downloads of spend (GET /api/v1/spend/export):
 * - format=csv: exactly the rows of GET /api/v1/spend for the same query;
 * - format=focus: a FOCUS 1.2 usage file of the window, one row per UTC day, provider,
 *   model, service tier, team, feature, environment and tenant.
 * Money is copied as the exact decimal text the database summed; nothing goes through a
 * JS number. The pure parts (row mapping, file names) are exported for tests; CSV writing
 * (quoting, formula neutralization) is lib/http/csv.ts.
 */

// ---------------------------------------------------------------- CSV (lib/http/csv.ts)

// Quoting, CRLF records and formula neutralization (a tag, model or provider that starts
// with =, +, -, @, tab or CR gets a leading ') are lib/http/csv.ts's; the measures are
// declared numeric so costs like "-0.5" stay numbers.

/** The header of the csv format: the group keys in query order, then the measures. */
export function spendCsvHeader(groupBy: readonly SpendDimension[]): (SpendDimension | SpendMeasure)[] {
  return [...groupBy, ...SPEND_MEASURES];
}

/** The rows of a /api/v1/spend answer as CSV (an untagged key is an empty field). */
export function spendCsv(result: Pick<SpendResult, "group_by" | "rows">): string {
  const table = csvTable(spendCsvHeader(result.group_by), SPEND_MEASURES);
  return table.header() + result.rows.map((row) => table.row(table.columns.map((column) => row[column]))).join("");
}

// ---------------------------------------------------------------- FOCUS 1.2

/** The dimensions of a FOCUS row, in the order the file is sorted by. */
export const FOCUS_KEYS = [
  "day",
  "provider",
  "model",
  "service_tier",
  "team",
  "feature",
  "environment",
  "tenant",
] as const satisfies readonly SpendGroupKey[];

export const FOCUS_TAG_KEYS = ["team", "feature", "environment", "tenant"] as const;

/**
 * FOCUS columns, then Burnrate's own (x_ prefix, as FOCUS requires of custom columns).
 * x_ServiceTier is there because the tier is part of a row's identity: without it two
 * rows of one day and model could look identical.
 */
export const FOCUS_COLUMNS = [
  "BillingPeriodStart",
  "BillingPeriodEnd",
  "ChargePeriodStart",
  "ChargePeriodEnd",
  "BilledCost",
  "EffectiveCost",
  "ListCost",
  "BillingCurrency",
  "ConsumedQuantity",
  "ConsumedUnit",
  "ChargeCategory",
  "ServiceCategory",
  "ServiceName",
  "ServiceProviderName",
  "SkuId",
  "PricingUnit",
  "Tags",
  "x_PricingState",
  "x_ServiceTier",
  "x_InputTokens",
  "x_OutputTokens",
  "x_CacheReadInputTokens",
  "x_CacheCreationInputTokens",
  "x_ReasoningOutputTokens",
  "x_Requests",
  "x_Retries",
  "x_UnpricedRequests",
] as const;
export type FocusColumn = (typeof FOCUS_COLUMNS)[number];

/** The FOCUS columns that hold numbers (exact decimal text or counts): written unprefixed. */
export const FOCUS_NUMERIC_COLUMNS = [
  "BilledCost",
  "EffectiveCost",
  "ListCost",
  "ConsumedQuantity",
  "x_InputTokens",
  "x_OutputTokens",
  "x_CacheReadInputTokens",
  "x_CacheCreationInputTokens",
  "x_ReasoningOutputTokens",
  "x_Requests",
  "x_Retries",
  "x_UnpricedRequests",
] as const satisfies readonly FocusColumn[];

const focusTable = csvTable(FOCUS_COLUMNS, FOCUS_NUMERIC_COLUMNS);
export type FocusRecord = Record<FocusColumn, string>;

const PROVIDERS: Record<string, { service: string; provider: string }> = {
  openai: { service: "OpenAI API", provider: "OpenAI" },
  anthropic: { service: "Anthropic API", provider: "Anthropic" },
  google: { service: "Google Gemini API", provider: "Google" },
  azure_openai: { service: "Azure OpenAI Service", provider: "Microsoft" },
  bedrock: { service: "Amazon Bedrock", provider: "Amazon Web Services" },
  mistral: { service: "Mistral AI API", provider: "Mistral AI" },
};

/** ServiceName: the provider's API product; an unknown provider is named as sent. */
export function focusServiceName(provider: string): string {
  return PROVIDERS[provider]?.service ?? provider;
}

/** ServiceProviderName: who sells it; an unknown provider is named as sent. */
export function focusProviderName(provider: string): string {
  return PROVIDERS[provider]?.provider ?? provider;
}

/** RFC 3339 in UTC without needless milliseconds: 2026-11-01T00:00:00Z. */
export function rfc3339(at: Date): string {
  return at.toISOString().replace(".000Z", "Z");
}

export type PricingState = "priced" | "unpriced" | "partial";

/** A row with no priced event has no cost at all (never $0); a mixed one sums its priced events. */
export function pricingState(row: Pick<SpendRow, "requests" | "unpriced_requests">): PricingState {
  if (row.unpriced_requests === 0) return "priced";
  return row.unpriced_requests >= row.requests ? "unpriced" : "partial";
}

/**
 * One FOCUS record from a row grouped by FOCUS_KEYS. The charge period is the row's UTC
 * day, clipped to the export window when the window starts or ends inside the day; the
 * billing period is the UTC calendar month of that day (providers invoice monthly).
 */
export function focusRecord(row: SpendRow, window: { from: Date; to: Date }): FocusRecord {
  const day = row.day;
  if (!day) throw new Error("a FOCUS row needs its day");
  const dayStart = new Date(`${day}T00:00:00Z`);
  const dayEnd = new Date(dayStart.getTime() + DAY_MS);
  const chargeStart = dayStart < window.from ? window.from : dayStart;
  const chargeEnd = dayEnd > window.to ? window.to : dayEnd;
  const monthStart = startOfUtcMonth(dayStart);
  const monthEnd = startOfUtcMonth(dayStart, 1);

  const provider = row.provider ?? "";
  const state = pricingState(row);
  const cost = state === "unpriced" ? "" : row.cost_usd;
  const tags: Record<string, string> = {};
  for (const key of FOCUS_TAG_KEYS) {
    const value = row[key];
    if (value !== null && value !== undefined) tags[key] = value;
  }
  // Input counts cache reads and writes, output counts reasoning (contract), so this is every token once.
  const tokens = BigInt(row.input_tokens) + BigInt(row.output_tokens);

  return {
    BillingPeriodStart: rfc3339(monthStart),
    BillingPeriodEnd: rfc3339(monthEnd),
    ChargePeriodStart: rfc3339(chargeStart),
    ChargePeriodEnd: rfc3339(chargeEnd),
    BilledCost: cost,
    EffectiveCost: cost,
    ListCost: cost,
    BillingCurrency: "USD",
    ConsumedQuantity: tokens.toString(),
    ConsumedUnit: "Tokens",
    ChargeCategory: "Usage",
    ServiceCategory: "AI and Machine Learning",
    ServiceName: focusServiceName(provider),
    ServiceProviderName: focusProviderName(provider),
    SkuId: row.model ?? "",
    PricingUnit: "Tokens",
    Tags: JSON.stringify(tags),
    x_PricingState: state,
    x_ServiceTier: row.service_tier ?? "",
    x_InputTokens: String(row.input_tokens),
    x_OutputTokens: String(row.output_tokens),
    x_CacheReadInputTokens: String(row.cache_read_input_tokens),
    x_CacheCreationInputTokens: String(row.cache_creation_input_tokens),
    x_ReasoningOutputTokens: String(row.reasoning_output_tokens),
    x_Requests: String(row.requests),
    x_Retries: String(row.retries),
    x_UnpricedRequests: String(row.unpriced_requests),
  };
}

export function focusCsvLine(record: FocusRecord): string {
  return focusTable.record(record);
}

/** The window cut at UTC midnights: [from, next midnight), ..., [last midnight, to). */
export function utcDayChunks(from: Date, to: Date): { from: Date; to: Date }[] {
  const chunks: { from: Date; to: Date }[] = [];
  let start = from;
  while (start < to) {
    const midnight = new Date(startOfUtcDay(start).getTime() + DAY_MS);
    const end = midnight < to ? midnight : to;
    chunks.push({ from: start, to: end });
    start = end;
  }
  return chunks;
}

/**
 * The FOCUS file as a stream, one UTC day per query: memory holds one day's rows, not
 * the window's (400 days of every tag combination would not fit one response). The
 * header and the first day are produced before this resolves, so a scope or database
 * failure still becomes a proper error response instead of a cut-off download. Days are
 * read one after another, not in one snapshot: an event ingested mid-download may show
 * in a later day, never twice.
 */
export async function streamFocusCsv(ctx: Ctx, query: SpendQuery): Promise<ReadableStream<Uint8Array>> {
  const db = dbOf(ctx);
  const scope = teamScopeOf(ctx);
  const filters = spendFilters(query);
  assertFiltersInScope(filters, scope);
  const window = { from: query.from, to: query.to };
  const days = utcDayChunks(query.from, query.to);
  let next = 0;

  // The next day with any usage as CSV text, or null when the window is exhausted.
  async function nextDay(): Promise<string | null> {
    while (next < days.length) {
      const day = days[next++];
      if (!day) break;
      const { rows } = await aggregateSpend(db, { ...day, groupBy: FOCUS_KEYS, filters, tagFilters: query.tag_filters }, scope, {
        limit: null,
        order: "keys",
      });
      if (rows.length > 0) return rows.map((row) => focusCsvLine(focusRecord(row, window))).join("");
    }
    return null;
  }

  const encoder = new TextEncoder();
  const first = await nextDay();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(focusTable.header() + (first ?? "")));
      if (first === null) controller.close();
    },
    // Pulled only as the client reads, so a slow download never piles days up in memory.
    async pull(controller) {
      const text = await nextDay();
      if (text === null) controller.close();
      else controller.enqueue(encoder.encode(text));
    },
  });
}

// ---------------------------------------------------------------- file names

/** A bound for a file name: the bare date at midnight UTC, else a compact timestamp (no colons). */
function fileStamp(at: Date): string {
  const text = rfc3339(at);
  return text.endsWith("T00:00:00Z") ? text.slice(0, 10) : text.replace(/[-:]/g, "");
}

/** "burnrate-spend-2026-11-01-to-2026-12-01.csv" (focus: "burnrate-focus-…"). */
export function exportFilename(format: "csv" | "focus", from: Date, to: Date): string {
  return `burnrate-${format === "focus" ? "focus" : "spend"}-${fileStamp(from)}-to-${fileStamp(to)}.csv`;
}
