"use client";

import { useId } from "react";
import type { AlertRuleType } from "@/lib/generated/prisma/client";
import { RULE_FIELDS, type FormProblem, type RuleField, type RuleFormValues } from "@/lib/alerts/rule-describe";
import { cn } from "@/components/ui/cn";

const INPUT_CLASS =
  "block w-full rounded-md border border-zinc-300 bg-white px-3 py-1.5 text-sm text-zinc-900 shadow-xs focus:border-zinc-500 focus:ring-2 focus:ring-zinc-200 focus:outline-none aria-invalid:border-rose-400";

/** "Must be …" from the schema's "must be …". */
function sentenceCase(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** A rule type's parameters as labelled inputs with their units, help and the schema's messages. */
export function RuleParamsFields({
  type,
  values,
  problems,
  onChange,
}: {
  type: AlertRuleType;
  values: RuleFormValues;
  problems: readonly FormProblem[];
  onChange: (name: string, value: string | string[]) => void;
}) {
  const fields = RULE_FIELDS[type];
  if (fields.length === 0) {
    return <p className="text-sm text-zinc-600">Nothing to tune: each budget sets its own thresholds on the Budgets page.</p>;
  }
  return (
    <div className="grid grid-cols-1 gap-x-4 gap-y-3 sm:grid-cols-2">
      {fields.map((field) => (
        <ParamField
          key={field.name}
          field={field}
          value={values[field.name]}
          error={problems.find((p) => p.field === field.name)?.message ?? null}
          onChange={(value) => onChange(field.name, value)}
        />
      ))}
    </div>
  );
}

function ParamField({ field, value, error, onChange }: { field: RuleField; value: string | string[] | undefined; error: string | null; onChange: (value: string | string[]) => void }) {
  const id = useId();
  const describedBy = [field.unit ? `${id}-unit` : null, `${id}-help`, error ? `${id}-error` : null].filter(Boolean).join(" ");
  const help = (
    <>
      <p id={`${id}-help`} className="mt-1 text-xs text-zinc-500">
        {field.help}
        {field.min !== undefined && field.max !== undefined ? ` ${sentenceCase(`from ${field.min} to ${field.max}`)}${field.unit ? ` ${field.unit}` : ""}.` : ""}
      </p>
      {error ? (
        <p id={`${id}-error`} className="mt-1 text-xs text-rose-700" data-testid={`rule-field-error-${field.name}`}>
          {sentenceCase(error)}
        </p>
      ) : null}
    </>
  );

  if (field.kind === "checkboxes") {
    const checked = Array.isArray(value) ? value : [];
    return (
      <fieldset aria-describedby={describedBy} aria-invalid={error ? true : undefined}>
        <legend className="text-sm font-medium text-zinc-800">{field.label}</legend>
        <div className="mt-1 flex flex-wrap gap-3">
          {field.options?.map((option) => (
            <label key={option.value} className="flex items-center gap-1.5 text-sm text-zinc-800">
              <input
                type="checkbox"
                checked={checked.includes(option.value)}
                onChange={(event) =>
                  onChange(event.target.checked ? [...checked, option.value] : checked.filter((v) => v !== option.value))
                }
              />
              {option.label}
            </label>
          ))}
        </div>
        {help}
      </fieldset>
    );
  }

  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-zinc-800">
        {field.label}
      </label>
      <div className="mt-1 flex items-center gap-2">
        {field.kind === "select" ? (
          <select id={id} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)} aria-describedby={describedBy} aria-invalid={error ? true : undefined} className={INPUT_CLASS}>
            {field.options?.map((option) => (
              <option key={option.value} value={option.value}>{option.label}</option>
            ))}
          </select>
        ) : (
          <>
            <input
              id={id}
              type="text"
              inputMode={field.kind === "integer" ? "numeric" : "decimal"}
              autoComplete="off"
              value={typeof value === "string" ? value : ""}
              placeholder={field.optional ? "default" : undefined}
              onChange={(e) => onChange(e.target.value)}
              aria-describedby={describedBy}
              aria-invalid={error ? true : undefined}
              className={cn(INPUT_CLASS, "max-w-40 tabular")}
            />
          </>
        )}
        {field.unit && field.kind !== "select" ? (
          <span id={`${id}-unit`} className="text-sm whitespace-nowrap text-zinc-600">{field.unit}</span>
        ) : null}
      </div>
      {help}
    </div>
  );
}
