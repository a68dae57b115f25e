import { cn } from "@/components/ui/cn";

/** The sort a table shows: which column, which way. */
export interface TableSort<K extends string> {
  key: K;
  direction: "asc" | "desc";
}

/** A column header that sorts its table: a real button (keyboard), the state in aria-sort on the <th>. */
export function SortHeader<K extends string>({
  column,
  label,
  sort,
  onSort,
  numeric = false,
  title,
  className,
}: {
  column: K;
  label: string;
  sort: TableSort<K>;
  onSort: (key: K) => void;
  numeric?: boolean;
  title?: string;
  className?: string;
}) {
  const active = sort.key === column;
  return (
    <th
      scope="col"
      aria-sort={active ? (sort.direction === "asc" ? "ascending" : "descending") : "none"}
      className={cn("px-2 py-2 font-medium whitespace-nowrap", numeric ? "text-right" : "text-left", className)}
    >
      <button type="button" title={title} onClick={() => onSort(column)} className="inline-flex items-center gap-1 rounded hover:text-zinc-900">
        {label}
        <span aria-hidden="true" className="w-2 text-zinc-400">{active ? (sort.direction === "asc" ? "▲" : "▼") : ""}</span>
      </button>
    </th>
  );
}
