"use client";

import { useEffect } from "react";

// Next replaces a server error's message with a generic one in production; the digest
// is what links this screen to the server log, so it is the one detail shown.
function digestOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || !("digest" in error)) return undefined;
  return typeof error.digest === "string" ? error.digest : undefined;
}

export default function DashboardError({ error, retry }: { error: unknown; retry: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  const digest = digestOf(error);

  return (
    <section role="alert" className="rounded-lg border border-rose-200 bg-white px-6 py-10 text-center shadow-xs">
      <h1 className="text-base font-semibold text-zinc-900">This page could not be loaded</h1>
      <p className="mx-auto mt-2 max-w-md text-sm text-zinc-600">
        Something went wrong while reading your data. If the database was restarting, trying again usually works.
      </p>
      {digest ? (
        <p className="mt-2 text-xs text-zinc-500">
          Reference: <code className="rounded bg-zinc-100 px-1">{digest}</code>
        </p>
      ) : null}
      <button
        type="button"
        onClick={retry}
        className="mt-5 rounded-md bg-zinc-900 px-3.5 py-2 text-sm font-medium text-white hover:bg-zinc-700"
      >
        Try again
      </button>
    </section>
  );
}
