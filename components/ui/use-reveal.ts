"use client";

import { useEffect, useRef } from "react";

/**
 * For the item a link points at (/quotas?request=…, /alerts?id=…): once it renders it is
 * scrolled into view and focused (give it tabIndex -1), so the keyboard and a screen reader
 * start there too. Again whenever another link makes another item the target.
 */
export function useReveal<T extends HTMLElement>(active: boolean) {
  const ref = useRef<T>(null);
  useEffect(() => {
    const element = ref.current;
    if (!active || !element) return;
    element.scrollIntoView({ block: "center" });
    element.focus({ preventScroll: true });
  }, [active]);
  return ref;
}

/** How a linked-to item stands out in its list. */
export const REVEALED_CLASS = "rounded-md bg-amber-50 ring-2 ring-amber-400 ring-inset focus:outline-none";
