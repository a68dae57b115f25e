import type { ReactNode } from "react";
import { cn } from "./cn";

/**
 * Loading placeholders: a pulsing grey block, and the status region that holds blocks
 * while something loads (announced once, marked busy; tests wait for no busy region).
 */
export function Block({ className }: { className?: string }) {
  return <div className={cn("animate-pulse rounded-lg bg-zinc-200/70", className)} />;
}

export function LoadingRegion({ label, testId, className, children }: { label: string; testId?: string; className?: string; children: ReactNode }) {
  return (
    <div role="status" aria-busy="true" aria-live="polite" data-testid={testId} className={className}>
      <span className="sr-only">{label}</span>
      {children}
    </div>
  );
}

/** A bordered panel's stand-in: a title bar and `rows` lines, or a chart-sized block. */
export function PanelBlock({ rows = 4, chart = false, className }: { rows?: number; chart?: boolean; className?: string }) {
  return (
    <div className={cn("space-y-2 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs", className)}>
      <div className="mb-3 h-4 w-40 animate-pulse rounded bg-zinc-200/70" />
      {chart ? <div className="h-64 animate-pulse rounded bg-zinc-100" /> : null}
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="h-6 animate-pulse rounded bg-zinc-100" />
      ))}
    </div>
  );
}

/** A filter bar's stand-in. */
export function FormBlock({ fields = 6 }: { fields?: number }) {
  return (
    <div className="flex flex-wrap items-end gap-3 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs">
      {Array.from({ length: fields }, (_, i) => (
        <div key={i} className="space-y-1">
          <div className="h-4 w-16 animate-pulse rounded bg-zinc-200/70" />
          <div className="h-8 w-32 animate-pulse rounded-md bg-zinc-100" />
        </div>
      ))}
    </div>
  );
}

/** Stat cards' stand-ins, in the stat grid. */
export function StatBlocks({ count = 6, className }: { count?: number; className?: string }) {
  return (
    <div className={cn("grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3 2xl:grid-cols-6", className)}>
      {Array.from({ length: count }, (_, i) => (
        <Block key={i} className="h-[92px]" />
      ))}
    </div>
  );
}

/** A segment's loading.tsx: the page header's stand-in above the page's own blocks. */
export function PageSkeleton({ label, children }: { label: string; children: ReactNode }) {
  return (
    <LoadingRegion label={label}>
      <Block className="mb-2 h-6 w-40" />
      <Block className="mb-6 h-4 w-72 max-w-full" />
      <div className="space-y-4">{children}</div>
    </LoadingRegion>
  );
}
