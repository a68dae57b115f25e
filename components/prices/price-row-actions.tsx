"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { apiFetch, ApiClientError } from "@/components/api-client";
import { Button } from "@/components/ui/button";
import { FieldError, TextField } from "@/components/ui/form-fields";
import { RATE_FIELDS } from "./add-price-form";

export interface EditablePrice {
  id: string;
  name: string;
  rates: Record<(typeof RATE_FIELDS)[number][0], string>;
}

/**
 * An admin's corrections to one catalog entry: PATCH its rates (only those changed are sent)
 * or DELETE it; both re-price the events the entry covers (docs/API.md), and the page reloads
 * its data when they are done.
 */
export function PriceRowActions({ price }: { price: EditablePrice }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiClientError | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function run(action: () => Promise<string>) {
    setPending(true);
    setError(null);
    try {
      setDone(await action());
      setEditing(false);
      router.refresh();
    } catch (caught) {
      setError(caught instanceof ApiClientError ? caught : new ApiClientError("The change failed.", 0, "unknown", []));
    } finally {
      setPending(false);
    }
  }

  function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const changes: Record<string, string> = {};
    for (const [name] of RATE_FIELDS) {
      const value = String(data.get(name) ?? "").trim();
      if (value !== "" && value !== price.rates[name]) changes[name] = value;
    }
    if (Object.keys(changes).length === 0) {
      setEditing(false);
      return;
    }
    void run(async () => {
      await apiFetch(`/api/v1/prices/${price.id}`, { method: "PATCH", body: changes });
      return `Saved ${price.name}: its events are re-priced within a minute.`;
    });
  }

  function remove() {
    if (!window.confirm(`Delete the price of ${price.name}? Its events are re-priced with the entry before it, or become unpriced.`)) return;
    void run(async () => {
      const answer = await apiFetch<{ repriced: number; unpriced: number }>(`/api/v1/prices/${price.id}`, { method: "DELETE" });
      return `Deleted ${price.name}: ${answer.repriced} events re-priced, ${answer.unpriced} now unpriced.`;
    });
  }

  return (
    <div className="text-right">
      <div className="flex justify-end gap-1">
        <Button variant="secondary" size="sm" onClick={() => setEditing((open) => !open)} aria-expanded={editing} aria-label={`Edit the rates of ${price.name}`}>
          Edit
        </Button>
        <Button variant="danger" size="sm" onClick={remove} disabled={pending} aria-label={`Delete the price of ${price.name}`}>
          Delete
        </Button>
      </div>
      {editing ? (
        <form onSubmit={save} aria-label={`Rates of ${price.name}`} className="mt-2 grid grid-cols-2 gap-2 text-left" noValidate>
          {RATE_FIELDS.map(([name, label]) => (
            <TextField key={name} label={label} name={name} inputMode="decimal" defaultValue={price.rates[name]} error={error?.field(name)} />
          ))}
          <div className="col-span-2 flex items-center gap-2">
            <Button type="submit" size="sm" disabled={pending}>{pending ? "Saving…" : "Save rates"}</Button>
            <Button size="sm" variant="secondary" onClick={() => setEditing(false)}>Cancel</Button>
          </div>
        </form>
      ) : null}
      {error && error.details.length === 0 ? <FieldError message={error.message} /> : null}
      {done ? <p role="status" className="mt-1 text-xs text-emerald-700">{done}</p> : null}
    </div>
  );
}
