import type { Change } from "@/lib/format";
import { cn } from "@/components/ui/cn";

// For spend, up is the direction to watch: warm for increases, green for savings.
const STYLES: Record<Change["direction"], string> = {
  up: "bg-rose-50 text-rose-700 ring-rose-200",
  down: "bg-emerald-50 text-emerald-700 ring-emerald-200",
  flat: "bg-zinc-100 text-zinc-700 ring-zinc-200",
};

const ARROWS: Record<Change["direction"], string> = { up: "↑", down: "↓", flat: "→" };

export function ChangeBadge({ change, testId }: { change: Change; testId?: string }) {
  return (
    <span
      className={cn("inline-flex items-center gap-0.5 rounded px-1.5 py-px font-medium ring-1 ring-inset", STYLES[change.direction])}
    >
      <span aria-hidden="true">{ARROWS[change.direction]}</span>
      <span data-testid={testId}>{change.text}</span>
    </span>
  );
}
