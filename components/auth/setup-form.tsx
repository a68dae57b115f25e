"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { apiFetch, ApiClientError } from "@/components/api-client";
import { FieldError, TextField } from "@/components/ui/form-fields";
import { MIN_PASSWORD_LENGTH } from "@/lib/schemas/access";

export function SetupForm() {
  const router = useRouter();
  const [error, setError] = useState<ApiClientError | null>(null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    const name = String(form.get("name") ?? "").trim();
    setPending(true);
    setError(null);
    try {
      await apiFetch("/api/setup", { method: "POST", body: { email, password, ...(name ? { name } : {}) } });
      await signIn("credentials", { email, password, redirect: false });
      router.push("/settings/teams");
      router.refresh();
    } catch (caught) {
      setPending(false);
      setError(caught instanceof ApiClientError ? caught : new ApiClientError("Setup failed.", 0, "unknown", []));
    }
  }

  return (
    <div className="rounded-lg border border-zinc-200 bg-white p-6 shadow-xs">
      <h1 className="text-lg font-semibold text-zinc-900">Welcome to Burnrate</h1>
      <p className="mt-1 text-sm text-zinc-600">
        Create the first admin account. Admins manage teams, people, API keys and prices; you can add everyone else next.
      </p>
      <form onSubmit={submit} className="mt-5 space-y-4" noValidate>
        <TextField label="Name" name="name" autoComplete="name" error={error?.field("name")} />
        <TextField label="Email" name="email" type="email" autoComplete="username" required error={error?.field("email")} />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
          error={error?.field("password")}
        />
        <FieldError message={error && error.details.length === 0 ? error.message : null} />
        <button
          type="submit"
          disabled={pending}
          className="w-full rounded-md bg-zinc-900 px-3.5 py-2 text-sm font-medium text-white hover:bg-zinc-700 disabled:opacity-60"
        >
          {pending ? "Creating…" : "Create admin account"}
        </button>
      </form>
    </div>
  );
}
