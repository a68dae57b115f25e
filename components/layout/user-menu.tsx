"use client";

import Link from "next/link";
import { signOut } from "next-auth/react";
import { useState } from "react";

/** Who is signed in, with what role, and the way out. */
export function UserMenu({ email, roleLabel, teams }: { email: string; roleLabel: string; teams: string[] }) {
  const [pending, setPending] = useState(false);
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
        disabled={pending}
        onClick={() => {
          setPending(true);
          void signOut({ callbackUrl: "/sign-in" });
        }}
        className="mt-2 w-full rounded border border-zinc-300 px-2 py-1 font-medium text-zinc-700 hover:bg-zinc-50 disabled:opacity-60"
      >
        {pending ? "Signing out…" : "Sign out"}
      </button>
    </div>
  );
}
