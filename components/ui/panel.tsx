import type { ReactNode } from "react";
import { cn } from "./cn";

/** A titled white card; `titleId` lets a table or chart inside name itself after the title. */
export function Panel({
  title,
  titleId,
  description,
  className,
  actions,
  children,
}: {
  title?: string;
  titleId?: string;
  description?: ReactNode;
  className?: string;
  /** Controls at the right of the title (a status, a button). */
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section
      aria-labelledby={title ? titleId : undefined}
      className={cn("rounded-lg border border-zinc-200 bg-white shadow-xs", className)}
    >
      {title ? (
        <div className="flex flex-wrap items-start justify-between gap-2 border-b border-zinc-100 px-4 py-3">
          <div className="min-w-0">
            <h2 id={titleId} className="text-sm font-semibold text-zinc-900">
              {title}
            </h2>
            {description ? <p className="mt-0.5 text-xs text-zinc-500">{description}</p> : null}
          </div>
          {actions}
        </div>
      ) : null}
      <div className="p-4">{children}</div>
    </section>
  );
}
