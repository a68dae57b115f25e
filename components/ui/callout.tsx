import type { ReactNode } from "react";
import { cn } from "./cn";

const TONES = {
  warning: "border-amber-300 bg-amber-50 text-amber-950",
  info: "border-sky-200 bg-sky-50 text-sky-950",
} as const;

export function Callout({
  tone = "info",
  title,
  children,
  testId,
}: {
  tone?: keyof typeof TONES;
  title: string;
  children?: ReactNode;
  testId?: string;
}) {
  return (
    <div
      role="note"
      data-testid={testId}
      className={cn("mb-4 rounded-lg border px-4 py-3 text-sm", TONES[tone])}
    >
      <p className="font-medium">{title}</p>
      {children ? <div className="mt-1 text-[13px] leading-relaxed opacity-90">{children}</div> : null}
    </div>
  );
}
