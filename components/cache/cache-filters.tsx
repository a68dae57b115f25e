"use client";

import { useId, useState } from "react";
import { CACHE_FILTERS, CACHE_GROUPS, cacheDimensionLabel, WINDOW_PRESETS, type CachePageState, type CacheWindow } from "@/lib/schemas/pages/cache";
import { MAX_WINDOW_DAYS } from "@/lib/schemas/cache";
import { addDays } from "@/lib/time";
import { Button } from "@/components/ui/button";
import { useApiQuery, useSpend } from "@/components/queries/hooks";
import { queries } from "@/components/queries/keys";
import { isTagDimension } from "@/lib/schemas/spend";
import { cacheRequests } from "./cache-params";
import { cn } from "@/components/ui/cn";

export type Update = (changes: Partial<Record<keyof CachePageState, string | undefined>>) => void;

const SELECT = "mt-1 block min-w-24 max-w-44 rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm";
const LABEL = "text-sm font-medium text-zinc-800";

function Toggle({ label, options, value, onChange }: { label: string; options: { value: string; label: string; title?: string }[]; value: string | null; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <div className={LABEL}>
      <span id={id}>{label}</span>
      <div role="group" aria-labelledby={id} className="mt-1 flex overflow-hidden rounded-md border border-zinc-300">
        {options.map((option, i) => (
          <button
            key={option.value}
            type="button"
            aria-pressed={value === option.value}
            title={option.title}
            onClick={() => onChange(option.value)}
            className={cn(
              "px-2.5 py-1.5 text-sm",
              i > 0 && "border-l border-zinc-300",
              value === option.value ? "bg-zinc-900 text-white" : "bg-white text-zinc-700 hover:bg-zinc-50",
            )}
          >
            {option.label}
          </button>
        ))}
      </div>
    </div>
  );
}

/** Window, bucket, grouping and tag filters; every change goes to the URL. */
export function CacheFilters({
  state,
  window,
  options,
  update,
}: {
  state: CachePageState;
  window: CacheWindow;
  options: Record<string, string[]>;
  update: Update;
}) {
  const [dateError, setDateError] = useState<string | null>(null);
  const through = addDays(window.to, -1);
  const anyFilter = CACHE_FILTERS.some((f) => state[f]) || state.tag_key !== undefined;
  // Extra tags seen in usage: a grouping (tag.<key>) and a filter on one of them.
  const tagKeys = useApiQuery(queries.tagKeys()).data?.keys ?? [];
  const tagGroups = tagKeys.map((key) => `tag.${key}`).filter((g) => g !== state.by);
  if (isTagDimension(state.by)) tagGroups.unshift(state.by);
  const tagValueQuery = useSpend(cacheRequests(state, window).tagValues ?? { from: window.from, to: window.to }, state.tag_key !== undefined);
  const tagValues = (tagValueQuery.data?.rows ?? [])
    .map((row) => row[`tag.${state.tag_key}`])
    .filter((v): v is string => typeof v === "string")
    .sort();
  return (
    <form
      aria-label="Cache filters"
      className="flex flex-wrap items-end gap-3 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        const from = String(data.get("from") ?? "");
        const last = String(data.get("through") ?? "");
        if (!from || !last || last < from) {
          setDateError("The last day must be on or after the first.");
          return;
        }
        setDateError(null);
        update({ from, to: addDays(last, 1), days: undefined });
      }}
    >
      <Toggle
        label="Window"
        options={WINDOW_PRESETS.map((p) => ({ value: p, label: `${p} days`, title: `The last ${p} UTC days, today included` }))}
        value={window.preset}
        onChange={(days) => update({ days, from: undefined, to: undefined })}
      />
      <label className={LABEL}>
        From
        <input type="date" name="from" aria-label="From" defaultValue={window.from} key={`from-${window.from}`} className={SELECT} />
      </label>
      <label className={LABEL}>
        Through
        <input type="date" name="through" aria-label="Through" defaultValue={through} key={`to-${window.to}`} className={SELECT} aria-describedby={dateError ? "cache-date-error" : undefined} />
      </label>
      <Button type="submit" variant="secondary">Apply dates</Button>
      <Toggle
        label="Bucket"
        options={[
          { value: "day", label: "Daily" },
          { value: "hour", label: "Hourly", title: `Hourly buckets, windows up to ${MAX_WINDOW_DAYS.hour} days` },
        ]}
        value={state.bucket}
        onChange={(bucket) => update({ bucket })}
      />
      <label className={LABEL}>
        Group by
        <select aria-label="Group by" value={state.by} onChange={(e) => update({ by: e.target.value })} className={SELECT}>
          {[...CACHE_GROUPS, ...tagGroups].map((g) => (
            <option key={g} value={g}>{cacheDimensionLabel(g)}</option>
          ))}
        </select>
      </label>
      <label className={LABEL}>
        Tag
        <select aria-label="Tag" value={state.tag_key ?? ""} onChange={(e) => update({ tag_key: e.target.value || undefined, tag_value: undefined })} className={SELECT}>
          <option value="">Any</option>
          {state.tag_key && !tagKeys.includes(state.tag_key) ? <option value={state.tag_key}>{state.tag_key}</option> : null}
          {tagKeys.map((key) => (
            <option key={key} value={key}>{key}</option>
          ))}
        </select>
      </label>
      {state.tag_key ? (
        <label className={LABEL}>
          {state.tag_key} is
          <select aria-label={`${state.tag_key} is`} value={state.tag_value ?? ""} onChange={(e) => update({ tag_value: e.target.value || undefined })} className={SELECT}>
            <option value="">Any value</option>
            {state.tag_value && !tagValues.includes(state.tag_value) ? <option value={state.tag_value}>{state.tag_value}</option> : null}
            {tagValues.map((v) => (
              <option key={v} value={v}>{v}</option>
            ))}
          </select>
        </label>
      ) : null}
      {CACHE_FILTERS.map((f) => {
        const values = options[f] ?? [];
        const current = state[f];
        return (
          <label key={f} className={LABEL}>
            {cacheDimensionLabel(f)}
            <select aria-label={cacheDimensionLabel(f)} value={current ?? ""} onChange={(e) => update({ [f]: e.target.value || undefined })} className={SELECT}>
              <option value="">All</option>
              {current && !values.includes(current) ? <option value={current}>{current}</option> : null}
              {values.map((v) => (
                <option key={v} value={v}>{v}</option>
              ))}
            </select>
          </label>
        );
      })}
      {anyFilter ? (
        <Button variant="secondary" onClick={() => update({ ...Object.fromEntries(CACHE_FILTERS.map((f) => [f, undefined])), tag_key: undefined, tag_value: undefined })}>
          Clear filters
        </Button>
      ) : null}
      {dateError ? (
        <p id="cache-date-error" role="alert" className="w-full text-sm text-rose-700">
          {dateError}
        </p>
      ) : null}
    </form>
  );
}
