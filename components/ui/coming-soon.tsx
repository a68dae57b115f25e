import type { ReactNode } from "react";
import { PageHeader } from "./page-header";

/** Placeholder for a section that is planned but not built: says so plainly. */
export function ComingSoon({ title, summary, children }: { title: string; summary: string; children: ReactNode }) {
  return (
    <>
      <PageHeader title={title} description={summary} />
      <section
        aria-labelledby="coming-soon-title"
        className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-10 text-center"
      >
        <p className="inline-flex items-center rounded-full bg-zinc-100 px-2.5 py-0.5 text-xs font-medium text-zinc-600">
          Not available yet
        </p>
        <h2 id="coming-soon-title" className="mt-3 text-base font-semibold text-zinc-900">
          Coming in a later release
        </h2>
        <p className="mx-auto mt-2 max-w-xl text-sm leading-relaxed text-zinc-600">{children}</p>
      </section>
    </>
  );
}
