import Link from "next/link";

/** What a signed-in user sees on a page their role does not include. */
export function AccessDenied({ what }: { what: string }) {
  return (
    <section role="alert" data-testid="access-denied" className="rounded-lg border border-zinc-200 bg-white px-6 py-10 text-center shadow-xs">
      <h1 className="text-base font-semibold text-zinc-900">You do not have access to {what}</h1>
      <p className="mx-auto mt-2 max-w-md text-sm text-zinc-600">
        Your role does not include this page. Ask a Burnrate admin if you need it.
      </p>
      <Link href="/" className="mt-5 inline-block text-sm font-medium text-zinc-900 underline underline-offset-4">
        Back to the overview
      </Link>
    </section>
  );
}
