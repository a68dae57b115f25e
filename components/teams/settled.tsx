import { Panel } from "@/components/ui/panel";

/**
 * The team page's reports: each started by the page at once and awaited by its own panel
 * inside its own <Suspense>, so a slow one shows its skeleton while the rest of the page is
 * already there, and a failing one says so in its place.
 */
export type Settled<T> = { ok: true; value: T } | { ok: false; message: string };

/** A report that never rejects (so a panel can show its own error), started at once. */
export function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, message: error instanceof Error ? error.message : String(error) }),
  );
}

export function Failed({ what, message }: { what: string; message: string }) {
  return (
    <p role="alert" className="text-sm text-rose-700">
      {what} could not be loaded: {message}
    </p>
  );
}

/** The skeleton a panel shows while its report loads. */
export function PanelSkeleton({ title, titleId, testId, tall = false }: { title: string; titleId: string; testId: string; tall?: boolean }) {
  return (
    <Panel title={title} titleId={titleId}>
      <div role="status" aria-busy="true" aria-label={`Loading ${title.toLowerCase()}`} data-testid={testId} className={`${tall ? "h-64" : "h-16"} animate-pulse rounded bg-zinc-100`} />
    </Panel>
  );
}
