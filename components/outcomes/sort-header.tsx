import type { SortState } from "@/lib/analytics/outcomes-view";
import { cn } from "@/components/ui/cn";

/** A column header that sorts its table: a button inside, the state in aria-sort. */
export function SortHeader<K extends string>({
  sortKey,
  label,
  sort,
  onSort,
  numeric = false,
  className,
}: {
  sortKey: K;
  label: string;
  sort: SortState<K>;
  onSort: (key: K) => void;
  numeric?: boolean;
  className?: string;
}) {
  const active = sort.key === sortKey;
  return (
    <th
      scope="col"
      aria-sort={active ? (sort.direction === "asc" ? "ascending" : "descending") : "none"}
      className={cn("px-2 py-2 font-medium whitespace-nowrap", numeric ? "text-right" : "text-left", className)}
    >
      <button type="button" onClick={() => onSort(sortKey)} className="inline-flex items-center gap-1 rounded hover:text-zinc-900">
        {label}
        <span aria-hidden="true" className="w-2 text-zinc-400">{active ? (sort.direction === "asc" ? "▲" : "▼") : ""}</span>
      </button>
    </th>
  );
}
