"use client";

import Link from "next/link";
import { signOut } from "next-auth/react";
import { useState } from "react";

/** Who is signed in, with what role, and the ways out: this browser, or every session. */
export function UserMenu({ email, roleLabel, teams }: { email: string; roleLabel: string; teams: string[] }) {
  const [pending, setPending] = useState<"this" | "all" | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function endAllSessions() {
    if (!window.confirm("Sign out everywhere? Every browser and device signed in as you will have to sign in again.")) return;
    setPending("all");
    setError(null);
    try {
      const response = await fetch("/api/v1/users/me/sessions/revoke", { method: "POST", credentials: "same-origin" });
      if (!response.ok && response.status !== 401) throw new Error(String(response.status));
      // A full page load: nothing of the ended session stays in the client router.
      window.location.replace("/sign-in");
    } catch {
      setPending(null);
      setError("Could not end your sessions. Try again.");
    }
  }

  return (
    <div className="rounded-md border border-zinc-200 bg-white px-2.5 py-2 text-xs" data-testid="user-menu">
      <p className="truncate font-medium text-zinc-900" title={email}>
        {email}
      </p>
      <p className="mt-0.5 text-zinc-500">{roleLabel}</p>
      {teams.length > 0 ? (
        <ul className="mt-1 flex flex-wrap gap-x-2 gap-y-0.5" aria-label="Your teams">
          {teams.map((slug) => (
            <li key={slug}>
              <Link href={`/teams/${encodeURIComponent(slug)}`} className="text-zinc-700 underline-offset-2 hover:underline">
                {slug}
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      <button
        type="button"
        disabled={pending !== null}
        onClick={() => {
          setPending("this");
          void signOut({ callbackUrl: "/sign-in" });
        }}
        className="mt-2 w-full rounded border border-zinc-300 px-2 py-1 font-medium text-zinc-700 hover:bg-zinc-50 disabled:opacity-60"
      >
        {pending === "this" ? "Signing out…" : "Sign out"}
      </button>
      {/* Not labelled "Sign out …": that name belongs to the button above. */}
      <button
        type="button"
        disabled={pending !== null}
        onClick={() => void endAllSessions()}
        title="Sign out everywhere: every browser and device signed in as you"
        className="mt-1 w-full rounded px-2 py-1 text-zinc-500 underline-offset-2 hover:text-zinc-800 hover:underline disabled:opacity-60"
      >
        {pending === "all" ? "Ending sessions…" : "End all sessions"}
      </button>
      {error ? (
        <p role="alert" className="mt-1 text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
