import type { ReactNode } from "react";
import { cn } from "./cn";

/** A titled white card; `titleId` lets a table or chart inside name itself after the title. */
export function Panel({
  title,
  titleId,
  description,
  className,
  children,
}: {
  title?: string;
  titleId?: string;
  description?: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  return (
    <section
      aria-labelledby={title ? titleId : undefined}
      className={cn("rounded-lg border border-zinc-200 bg-white shadow-xs", className)}
    >
      {title ? (
        <div className="border-b border-zinc-100 px-4 py-3">
          <h2 id={titleId} className="text-sm font-semibold text-zinc-900">
            {title}
          </h2>
          {description ? <p className="mt-0.5 text-xs text-zinc-500">{description}</p> : null}
        </div>
      ) : null}
      <div className="p-4">{children}</div>
    </section>
  );
}
