/** The rollups' columns: their dimensions (the key, with the hour) and their measures. */
export const ROLLUP_DIMENSIONS = [
  "hour",
  "team",
  "feature",
  "environment",
  "tenant",
  "prompt_version",
  "provider",
  "model",
  "service_tier",
] as const;

/** The dimensions besides the time bucket: with `hour`, `day` or a tag's key and value they make a rollup's unique key. */
export const GROUP_DIMENSIONS = ROLLUP_DIMENSIONS.slice(1);

export const ROLLUP_MEASURES = [
  "requests",
  "errors",
  "retries",
  "response_cache_hits",
  "unpriced_requests",
  "input_tokens",
  "output_tokens",
  "cache_read_input_tokens",
  "cache_creation_input_tokens",
  "reasoning_output_tokens",
  "cost_usd",
  "latency_ms_sum",
  "reported_cost_usd",
  "reported_requests",
  "retry_cost_usd",
  "error_cost_usd",
] as const;

const NUMERIC_MEASURES = new Set<string>(["cost_usd", "reported_cost_usd", "retry_cost_usd", "error_cost_usd"]);

/** `sum(m)::type AS m` for every measure: a table and its pending rows read as one row per key. */
export const SUMMED_MEASURES = ROLLUP_MEASURES.map((m) => `sum(${m})::${NUMERIC_MEASURES.has(m) ? "numeric(24, 12)" : "bigint"} AS ${m}`).join(", ");
