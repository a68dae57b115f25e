import { Button } from "@/components/ui/button";

/** Grey placeholder rows while a part of the page loads. */
export function LoadingRows({ rows = 5, label, testId }: { rows?: number; label: string; testId?: string }) {
  return (
    <div role="status" aria-busy="true" aria-live="polite" className="space-y-2" data-testid={testId}>
      <span className="sr-only">{label}</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-6 animate-pulse rounded bg-zinc-100" />
      ))}
    </div>
  );
}

/** What failed, why, and a way to try again. */
export function LoadError({ title, error, onRetry, testId }: { title: string; error: Error; onRetry: () => void; testId?: string }) {
  return (
    <div role="alert" className="rounded-lg border border-rose-200 bg-white px-6 py-8 text-center text-sm" data-testid={testId}>
      <p className="font-medium text-zinc-900">{title}</p>
      <p className="mt-1 text-zinc-600">{error.message}</p>
      <Button className="mt-4" onClick={onRetry}>
        Try again
      </Button>
    </div>
  );
}

/** The whole page's placeholder: stat cards, two panels, a table. */
export function OutcomesSkeleton() {
  return (
    <div role="status" aria-busy="true" aria-live="polite" data-testid="outcomes-loading" className="space-y-4">
      <span className="sr-only">Loading outcomes…</span>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-3 2xl:grid-cols-6">
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="h-[92px] animate-pulse rounded-lg bg-zinc-200/70" />
        ))}
      </div>
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
        <div className="h-80 animate-pulse rounded-lg bg-zinc-200/70" />
        <div className="h-80 animate-pulse rounded-lg bg-zinc-200/70" />
      </div>
      <div className="h-64 animate-pulse rounded-lg bg-zinc-200/70" />
    </div>
  );
}
