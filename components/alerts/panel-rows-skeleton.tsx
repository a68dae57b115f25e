/** A panel's list while it loads: a status region with one grey block. */
export function PanelRowsSkeleton({ label }: { label: string }) {
  return (
    <div role="status" aria-busy="true" aria-live="polite" className="h-16 animate-pulse rounded bg-zinc-100">
      <span className="sr-only">{label}</span>
    </div>
  );
}
