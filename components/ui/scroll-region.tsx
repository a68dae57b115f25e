import type { ReactNode } from "react";
import { cn } from "./cn";

/**
 * A box whose content scrolls inside it (a table wider than a phone, a long list), so the
 * page itself never scrolls sideways. Keyboard users can reach it (tabIndex 0: the arrow
 * keys then scroll it) and screen readers announce it by name, as WCAG asks of a scrollable
 * region (axe: scrollable-region-focusable). `relative` makes it the containing block of
 * absolutely positioned content such as sr-only text in cells, which would otherwise escape
 * the scroller and widen the page. It scrolls sideways; pass `max-h-… overflow-y-auto` in
 * `className` to scroll down too.
 */
export function ScrollRegion({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return (
    <div
      role="region"
      aria-label={label}
      tabIndex={0}
      className={cn(
        "relative overflow-x-auto focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-zinc-400",
        className,
      )}
    >
      {children}
    </div>
  );
}
