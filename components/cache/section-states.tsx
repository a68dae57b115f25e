import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";

/** Placeholder blocks while a section's data loads. */
export function SectionSkeleton({ testId, rows = 4, chart = true }: { testId?: string; rows?: number; chart?: boolean }) {
  return (
    <div aria-busy="true" data-testid={testId} className="space-y-2">
      <span className="sr-only">Loading…</span>
      {chart ? <div className="h-64 animate-pulse rounded bg-zinc-100" /> : null}
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-6 animate-pulse rounded bg-zinc-100" />
      ))}
    </div>
  );
}

export function SectionError({ title, error, onRetry }: { title: string; error: Error; onRetry: () => void }) {
  return (
    <div role="alert" className="rounded-lg border border-rose-200 bg-white px-6 py-8 text-center text-sm">
      <p className="font-medium text-zinc-900">{title}</p>
      <p className="mt-1 text-zinc-600">{error.message}</p>
      <Button className="mt-4" onClick={onRetry}>
        Try again
      </Button>
    </div>
  );
}

export function SectionEmpty({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <p data-testid={testId} className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-10 text-center text-sm text-zinc-600">
      {children}
    </p>
  );
}
