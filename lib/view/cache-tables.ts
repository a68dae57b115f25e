import type { CacheModel } from "@/lib/analytics/cache";
import type { TokensJump, TokensPerRequestReport } from "@/lib/analytics/tokens-per-request";
import { Money } from "@/lib/money";
import { tokensGroupName } from "./cache-format";
import type { ModelSortKey, SortDirection, TokensSortKey } from "@/lib/schemas/pages/cache";

/** The Cache page's tables, sorted: models (with their current prices) and tokens per request by group. */

/** Exact comparison of decimal strings, nulls last whatever the direction. */
function compareDecimals(a: string | null, b: string | null, dir: SortDirection): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  const c = new Money(a).cmp(b);
  return dir === "asc" ? c : -c;
}

function compareNumbers(a: number, b: number, dir: SortDirection): number {
  return dir === "asc" ? a - b : b - a;
}

function compareText(a: string, b: string, dir: SortDirection): number {
  const c = a < b ? -1 : a > b ? 1 : 0;
  return dir === "asc" ? c : -c;
}

// ------------------------------------------------------------------ models table

export const modelName = (m: Pick<CacheModel, "provider" | "model">) => `${m.provider}/${m.model}`;

export function sortModels(models: readonly CacheModel[], key: ModelSortKey, dir: SortDirection): CacheModel[] {
  const compare = (a: CacheModel, b: CacheModel): number => {
    switch (key) {
      case "model":
        return compareText(modelName(a), modelName(b), dir);
      case "hit_rate":
        return compareDecimals(a.hit_rate, b.hit_rate, dir);
      case "saved_usd":
        return compareDecimals(a.saved_usd, b.saved_usd, dir);
      default:
        return compareNumbers(a[key], b[key], dir);
    }
  };
  return [...models].sort((a, b) => compare(a, b) || compareText(modelName(a), modelName(b), "asc"));
}

export interface TokensRow {
  id: string;
  name: string;
  requests: number;
  avgInput: string | null;
  avgOutput: string | null;
  jump: TokensJump;
}

export function tokensRows(report: Pick<TokensPerRequestReport, "groups" | "group_by">): TokensRow[] {
  return report.groups.map((group) => ({
    id: JSON.stringify([group.feature ?? null, group.key]),
    name: tokensGroupName(group, report.group_by),
    requests: group.totals.requests,
    avgInput: group.totals.avg_input_tokens,
    avgOutput: group.totals.avg_output_tokens,
    jump: group.jump,
  }));
}

export function sortTokensRows(rows: readonly TokensRow[], key: TokensSortKey, dir: SortDirection): TokensRow[] {
  const compare = (a: TokensRow, b: TokensRow): number => {
    switch (key) {
      case "key":
        return compareText(a.name, b.name, dir);
      case "requests":
        return compareNumbers(a.requests, b.requests, dir);
      case "avg_input":
        return compareDecimals(a.avgInput, b.avgInput, dir);
      case "avg_output":
        return compareDecimals(a.avgOutput, b.avgOutput, dir);
      case "recent_input":
        return compareDecimals(a.jump.recent.avg_input_tokens, b.jump.recent.avg_input_tokens, dir);
      case "recent_output":
        return compareDecimals(a.jump.recent.avg_output_tokens, b.jump.recent.avg_output_tokens, dir);
      case "input_change":
        return compareDecimals(a.jump.input_change_pct, b.jump.input_change_pct, dir);
      case "output_change":
        return compareDecimals(a.jump.output_change_pct, b.jump.output_change_pct, dir);
    }
  };
  return [...rows].sort((a, b) => compare(a, b) || compareText(a.name, b.name, "asc"));
}
