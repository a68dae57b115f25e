"use client";

import { useEffect, useId, useRef, type ReactNode } from "react";
import { Button } from "@/components/ui/button";

/**
 * A modal <dialog> for a rule's form: opened with showModal (Tab stays inside, the page
 * behind is inert), focus moves to the first field, Escape or Cancel closes it, and focus
 * returns to the button that opened it.
 */
export function RuleDialog({ title, description, onClose, children, testId }: { title: string; description?: ReactNode; onClose: () => void; children: ReactNode; testId?: string }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    const first = dialog.querySelector<HTMLElement>("input:not([type=hidden]), select, textarea");
    first?.focus();
    // No close() here (StrictMode would fire a late "close"); unmounting takes it out of the top layer.
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      data-testid={testId}
      onClose={onClose}
      className="m-auto w-full max-w-2xl rounded-lg bg-white p-0 shadow-xl backdrop:bg-zinc-900/40"
    >
      <div className="px-5 py-4">
        <div className="flex items-start justify-between gap-4 border-b border-zinc-100 pb-3">
          <div className="min-w-0">
            <h2 id={titleId} className="text-base font-semibold text-zinc-900">{title}</h2>
            {description ? <p className="mt-0.5 text-xs text-zinc-500">{description}</p> : null}
          </div>
          <Button variant="secondary" size="sm" onClick={() => dialogRef.current?.close()}>
            Cancel
          </Button>
        </div>
        <div className="mt-4">{children}</div>
      </div>
    </dialog>
  );
}
