"use client";

import { signIn } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { FieldError, TextField } from "@/components/ui/form-fields";
import { safeCallbackPath } from "@/lib/auth/safe-callback";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "The email or password is not right.",
  TooManyAttempts: "Too many failed attempts. Wait 15 minutes and try again.",
  TooManyRequests: "Too many sign-in attempts right now. Try again in a few seconds.",
  AccessDenied: "Your single sign-on account has no access to Burnrate. Ask an admin.",
  SessionRequired: "Sign in to continue.",
};

function messageFor(code: string): string {
  return MESSAGES[code] ?? "Sign-in failed. Try again.";
}

export function SignInForm({
  callbackUrl,
  ssoName,
  initialError,
  demo,
}: {
  callbackUrl: string;
  ssoName: string | null;
  initialError: string | null;
  demo: boolean;
}) {
  const [error, setError] = useState<string | null>(initialError ? messageFor(initialError) : null);
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
      callbackUrl,
    });
    if (result?.ok && !result.error) {
      // A full navigation, so every server component renders with the new session; the
      // page already checked callbackUrl, and the same rule is applied once more here.
      window.location.assign(safeCallbackPath(callbackUrl, window.location.origin));
      return;
    }
    setPending(false);
    setError(messageFor(result?.error ?? "CredentialsSignin"));
  }

  return (
    <div className="rounded-lg border border-zinc-200 bg-white p-6 shadow-xs">
      <h1 className="text-lg font-semibold text-zinc-900">Sign in</h1>
      <p className="mt-1 text-sm text-zinc-600">See where your LLM spend goes.</p>
      <form onSubmit={submit} className="mt-5 space-y-4" noValidate>
        <TextField label="Email" name="email" type="email" autoComplete="username" required autoFocus />
        <TextField label="Password" name="password" type="password" autoComplete="current-password" required />
        <FieldError message={error} />
        <button
          type="submit"
          disabled={pending}
          className="w-full rounded-md bg-zinc-900 px-3.5 py-2 text-sm font-medium text-white hover:bg-zinc-700 disabled:opacity-60"
        >
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {ssoName ? (
        <button
          type="button"
          onClick={() => void signIn("oidc", { callbackUrl })}
          className="mt-3 w-full rounded-md border border-zinc-300 bg-white px-3.5 py-2 text-sm font-medium text-zinc-800 hover:bg-zinc-50"
        >
          Continue with {ssoName}
        </button>
      ) : null}
      {demo ? (
        <p className="mt-5 rounded-md bg-amber-50 px-3 py-2 text-xs leading-relaxed text-amber-900">
          Demo installation: <code>admin@example.com</code>, <code>finance@example.com</code>, <code>lead@example.com</code>{" "}
          or <code>viewer@example.com</code> with the password <code>burnrate-demo</code>.
        </p>
      ) : null}
    </div>
  );
}
