"use client";

import { useState } from "react";
import { activePreset, presetWindow, WINDOW_PRESETS, windowInputProblem, type DayWindow } from "@/lib/view/outcomes";
import { addDays } from "@/lib/time";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { SelectField, TextField } from "@/components/ui/form-fields";

export type FilterChanges = Partial<Record<"from" | "to" | "type" | "feature", string | undefined>>;

/** Window (presets or two dates, UTC) and the type and feature filters; every change goes to the URL. */
export function OutcomeFilters({
  window,
  today,
  type,
  feature,
  types,
  features,
  onChange,
}: {
  window: DayWindow;
  today: string;
  type: string | undefined;
  feature: string | undefined;
  types: readonly string[];
  features: readonly string[];
  onChange: (changes: FilterChanges) => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const preset = activePreset(window, today);
  const typeOptions = type && !types.includes(type) ? [type, ...types] : types;
  const featureOptions = feature && !features.includes(feature) ? [feature, ...features] : features;

  return (
    <form
      aria-label="Outcome filters"
      className="flex flex-wrap items-end gap-3 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        const fromDay = String(data.get("from") ?? "");
        const throughDay = String(data.get("through") ?? "");
        const issue = windowInputProblem(fromDay, throughDay);
        setProblem(issue);
        if (!issue) onChange({ from: fromDay, to: addDays(throughDay, 1) });
      }}
    >
      <div role="group" aria-label="Window" className="flex rounded-md shadow-xs">
        {WINDOW_PRESETS.map((days, i) => (
          <button
            key={days}
            type="button"
            aria-pressed={preset === days}
            onClick={() => {
              setProblem(null);
              onChange(presetWindow(today, days));
            }}
            className={cn(
              "border border-zinc-300 px-3 py-1.5 text-sm font-medium",
              i === 0 ? "rounded-l-md" : "-ml-px",
              i === WINDOW_PRESETS.length - 1 ? "rounded-r-md" : "",
              preset === days ? "z-10 border-zinc-900 bg-zinc-900 text-white" : "bg-white text-zinc-800 hover:bg-zinc-50",
            )}
          >
            Last {days} days
          </button>
        ))}
      </div>
      <TextField label="From" type="date" name="from" defaultValue={window.from} key={`from-${window.from}`} className="w-40" error={problem} />
      <TextField label="Through" type="date" name="through" defaultValue={addDays(window.to, -1)} key={`to-${window.to}`} className="w-40" />
      <Button type="submit" variant="secondary" className="mb-px">
        Apply dates
      </Button>
      <SelectField label="Outcome type" value={type ?? ""} onChange={(e) => onChange({ type: e.target.value || undefined })} className="w-48">
        <option value="">All types</option>
        {typeOptions.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </SelectField>
      <SelectField label="Feature" value={feature ?? ""} onChange={(e) => onChange({ feature: e.target.value || undefined })} className="w-48">
        <option value="">All features</option>
        {featureOptions.map((f) => (
          <option key={f} value={f}>
            {f}
          </option>
        ))}
      </SelectField>
      {type || feature ? (
        <Button variant="secondary" className="mb-px" onClick={() => onChange({ type: undefined, feature: undefined })}>
          Clear filters
        </Button>
      ) : null}
    </form>
  );
}
