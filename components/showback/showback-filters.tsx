"use client";

import { useMemo } from "react";
import { DIMENSION_LABELS, SHOWBACK_DIMENSIONS, dimensionLabel } from "@/lib/view/showback";
import { SHOWBACK_FILTERS, secondaryOf, type ShowbackPageState } from "@/lib/schemas/pages/showback";
import { addDays } from "@/lib/time";
import { useApiQuery, useSpend } from "@/components/queries/hooks";
import { queries } from "@/components/queries/keys";
import { Button } from "@/components/ui/button";
import { FormBlock, LoadingRegion } from "@/components/ui/skeleton";
import { useShowbackState } from "./use-showback-state";
import { showbackRequests, type ShowbackWindow } from "./showback-params";

/** Grouping, window and tag filters; every change goes to the URL. The tag choices are the window's own values. */
export function ShowbackFilters({ state, window }: { state: ShowbackPageState; window: ShowbackWindow }) {
  const [shown, update] = useShowbackState(state, window);
  const primary = shown.by;
  const secondary = secondaryOf(shown);
  const requests = showbackRequests(state, window);
  const options = useSpend(requests.options);
  // Any extra tag seen in usage is a dimension too (tag.<key>), and one can filter on it.
  const tagKeys = useApiQuery(queries.tagKeys());
  const dimensions = useMemo(() => [...SHOWBACK_DIMENSIONS, ...(tagKeys.data?.keys ?? []).map((key) => `tag.${key}`)], [tagKeys.data]);
  const tagValues = useSpend(requests.tagValues ?? { from: window.from, to: window.to }, requests.tagValues !== null);
  const tagValueChoices = useMemo(
    () => (tagValues.data?.rows ?? []).map((row) => row[`tag.${shown.tag_key}`]).filter((v): v is string => typeof v === "string").sort(),
    [tagValues.data, shown.tag_key],
  );

  const optionValues = useMemo(() => {
    const values: Record<string, string[]> = {};
    for (const f of SHOWBACK_FILTERS) {
      const set = new Set<string>();
      for (const row of options.data?.rows ?? []) if (row[f] !== null && row[f] !== undefined) set.add(String(row[f]));
      values[f] = [...set].sort();
    }
    return values;
  }, [options.data]);

  return (
    <form
      aria-label="Showback filters"
      className="flex flex-wrap items-end gap-3 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        const fromDay = String(data.get("from") ?? window.from);
        const throughDay = String(data.get("through") ?? addDays(window.to, -1));
        update({ from: fromDay, to: addDays(throughDay, 1) });
      }}
    >
      <label className="text-sm font-medium text-zinc-800">
        Group by
        <select aria-label="Group by" value={primary} onChange={(e) => update({ by: e.target.value, then: undefined })} className="mt-1 block rounded-md border border-zinc-300 px-2 py-1.5 text-sm">
          {(dimensions.includes(primary) ? dimensions : [...dimensions, primary]).map((d) => (
            <option key={d} value={d}>{dimensionLabel(d)}</option>
          ))}
        </select>
      </label>
      <label className="text-sm font-medium text-zinc-800">
        Then by
        <select aria-label="Then by" value={secondary ?? "none"} onChange={(e) => update({ then: e.target.value })} className="mt-1 block rounded-md border border-zinc-300 px-2 py-1.5 text-sm">
          <option value="none">—</option>
          {dimensions.filter((d) => d !== primary).map((d) => (
            <option key={d} value={d}>{dimensionLabel(d)}</option>
          ))}
        </select>
      </label>
      <label className="text-sm font-medium text-zinc-800">
        From
        <input type="date" aria-label="From" name="from" defaultValue={window.from} key={`from-${window.from}`} className="mt-1 block rounded-md border border-zinc-300 px-2 py-1.5 text-sm" />
      </label>
      <label className="text-sm font-medium text-zinc-800">
        Through
        <input type="date" aria-label="Through" name="through" defaultValue={addDays(window.to, -1)} key={`to-${window.to}`} className="mt-1 block rounded-md border border-zinc-300 px-2 py-1.5 text-sm" />
      </label>
      <Button type="submit" variant="secondary">Apply dates</Button>
      {SHOWBACK_FILTERS.map((f) => (
        <label key={f} className="text-sm font-medium text-zinc-800">
          {DIMENSION_LABELS[f]}
          <select
            aria-label={DIMENSION_LABELS[f]}
            value={shown[f] ?? ""}
            onChange={(e) => update({ [f]: e.target.value || undefined })}
            className="mt-1 block max-w-40 rounded-md border border-zinc-300 px-2 py-1.5 text-sm"
          >
            <option value="">All</option>
            {shown[f] && !optionValues[f]?.includes(shown[f] as string) ? <option value={shown[f]}>{shown[f]}</option> : null}
            {(optionValues[f] ?? []).map((v) => (
              <option key={v} value={v}>{v}</option>
            ))}
          </select>
        </label>
      ))}
      <label className="text-sm font-medium text-zinc-800">
        Tag
        <select
          aria-label="Tag"
          value={shown.tag_key ?? ""}
          onChange={(e) => update({ tag_key: e.target.value || undefined, tag_value: undefined })}
          className="mt-1 block max-w-40 rounded-md border border-zinc-300 px-2 py-1.5 text-sm"
        >
          <option value="">Any</option>
          {shown.tag_key && !(tagKeys.data?.keys ?? []).includes(shown.tag_key) ? <option value={shown.tag_key}>{shown.tag_key}</option> : null}
          {(tagKeys.data?.keys ?? []).map((key) => (
            <option key={key} value={key}>{key}</option>
          ))}
        </select>
      </label>
      {shown.tag_key ? (
        <label className="text-sm font-medium text-zinc-800">
          {shown.tag_key} is
          <select
            aria-label={`${shown.tag_key} is`}
            value={shown.tag_value ?? ""}
            onChange={(e) => update({ tag_value: e.target.value || undefined })}
            className="mt-1 block max-w-40 rounded-md border border-zinc-300 px-2 py-1.5 text-sm"
          >
            <option value="">Any value</option>
            {shown.tag_value && !tagValueChoices.includes(shown.tag_value) ? <option value={shown.tag_value}>{shown.tag_value}</option> : null}
            {tagValueChoices.map((v) => (
              <option key={v} value={v}>{v}</option>
            ))}
          </select>
        </label>
      ) : null}
    </form>
  );
}

/** The filter bar while its choices load on the server. */
export function ShowbackFiltersSkeleton() {
  return (
    <LoadingRegion label="Loading the filters…" testId="showback-filters-loading">
      <FormBlock fields={10} />
    </LoadingRegion>
  );
}
