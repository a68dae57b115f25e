"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { apiFetch, ApiClientError } from "@/components/api-client";
import { Button } from "@/components/ui/button";
import { FieldError, SelectField, TextField } from "@/components/ui/form-fields";
import { SERVICE_TIERS } from "@/lib/schemas/price";

export const RATE_FIELDS = [
  ["input_per_mtok", "Input $/Mtok", true],
  ["output_per_mtok", "Output $/Mtok", true],
  ["cache_read_per_mtok", "Cache read $/Mtok", false],
  ["cache_write_per_mtok", "Cache write $/Mtok", false],
  ["cache_write_1h_per_mtok", "1-hour cache write $/Mtok", false],
  ["reasoning_per_mtok", "Reasoning $/Mtok", false],
] as const;

/** POST /api/v1/prices; rates go as decimal strings, exactly as typed. */
export function AddPriceForm({ preset }: { preset: { provider: string; model: string; serviceTier: string } | null }) {
  const router = useRouter();
  const [error, setError] = useState<ApiClientError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const body: Record<string, string> = {};
    for (const [name, value] of data.entries()) if (String(value).trim() !== "") body[name] = String(value).trim();
    setPending(true);
    setError(null);
    try {
      await apiFetch("/api/v1/prices", { method: "POST", body });
      setSaved(`${body.provider}/${body.model}`);
      form.reset();
      router.refresh();
    } catch (caught) {
      setError(caught instanceof ApiClientError ? caught : new ApiClientError("Saving failed.", 0, "unknown", []));
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={submit} aria-label="Add a price" className="space-y-3" noValidate key={preset ? `${preset.provider}/${preset.model}` : "blank"}>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <TextField label="Provider" name="provider" defaultValue={preset?.provider} required error={error?.field("provider")} />
        <TextField label="Model" name="model" defaultValue={preset?.model} required error={error?.field("model")} />
        <SelectField label="Service tier" name="service_tier" defaultValue={preset?.serviceTier ?? "standard"} error={error?.field("service_tier")}>
          {SERVICE_TIERS.map((tier) => (
            <option key={tier} value={tier}>{tier}</option>
          ))}
        </SelectField>
        <TextField label="Effective from" name="effective_from" type="date" required error={error?.field("effective_from")} hint="Midnight UTC; events from then on are re-priced" />
        {RATE_FIELDS.map(([name, label, required]) => (
          <TextField
            key={name}
            label={label}
            name={name}
            inputMode="decimal"
            placeholder={required ? "e.g. 2.5" : "defaults from input/output"}
            required={required}
            error={error?.field(name)}
          />
        ))}
      </div>
      {error && error.details.length === 0 ? <FieldError message={error.message} /> : null}
      {saved ? <p role="status" className="text-sm text-emerald-700">Saved a price for {saved}. Matching events are re-priced within a minute.</p> : null}
      <Button type="submit" disabled={pending}>{pending ? "Saving…" : "Add price"}</Button>
    </form>
  );
}
