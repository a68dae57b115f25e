import { cn } from "@/components/ui/cn";

/** A column header that sorts its table: a real button (keyboard), with aria-sort on the <th>. */
export function SortHeader<K extends string>({
  column,
  label,
  sort,
  onSort,
  numeric = true,
  title,
}: {
  column: K;
  label: string;
  sort: { key: K; dir: "asc" | "desc" };
  onSort: (key: K) => void;
  numeric?: boolean;
  title?: string;
}) {
  const active = sort.key === column;
  return (
    <th
      scope="col"
      aria-sort={active ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}
      className={cn("px-2 py-2 font-medium whitespace-nowrap", numeric ? "text-right" : "text-left")}
    >
      <button type="button" title={title} onClick={() => onSort(column)} className="inline-flex items-center gap-1 rounded hover:text-zinc-900">
        {label}
        <span aria-hidden="true" className="w-2 text-zinc-400">{active ? (sort.dir === "asc" ? "▲" : "▼") : ""}</span>
      </button>
    </th>
  );
}
