import type { SearchParams } from "@/lib/schemas/pages/search-params";
import type { Metadata } from "next";
import Link from "next/link";
import { queryAudit } from "@/lib/audit/query-audit";
import { AUDIT_ACTIONS } from "@/lib/audit/audit-log";
import { canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { auditQuerySchema } from "@/lib/schemas/access";
import { formatDayTime } from "@/lib/format";
import { AccessDenied } from "@/components/ui/access-denied";
import { Callout } from "@/components/ui/callout";
import { ScrollRegion } from "@/components/ui/scroll-region";

export const metadata: Metadata = { title: "Audit log" };


const FILTERS = ["action", "actor", "from", "to"] as const;

function single(params: SearchParams): Record<string, string> {
  return Object.fromEntries(
    Object.entries(params).flatMap(([k, v]) => {
      const value = Array.isArray(v) ? v[0] : v;
      return value ? [[k, value]] : [];
    }),
  );
}

function compact(value: unknown): string {
  if (value === null || value === undefined) return "";
  return JSON.stringify(value);
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/settings/audit");
  if (!canSee(user, "settings/audit")) return <AccessDenied what="the audit log" />;
  const raw = single(await searchParams);
  const filters: Record<string, string> = Object.fromEntries(FILTERS.flatMap((f) => (raw[f] ? [[f, raw[f]]] : [])));
  const parsed = auditQuerySchema.safeParse({ ...filters, ...(raw.before ? { before: raw.before } : {}), limit: 50 });
  const page = parsed.success ? await queryAudit({ principal: user }, parsed.data) : null;
  const csvHref = `/api/v1/audit?${new URLSearchParams({ ...filters, format: "csv", limit: "5000" }).toString()}`;
  const olderHref = page?.next_before ? `?${new URLSearchParams({ ...filters, before: page.next_before }).toString()}` : null;

  return (
    <div className="space-y-4">
      <form method="get" className="flex flex-wrap items-end gap-3 rounded-lg border border-zinc-200 bg-white p-4 shadow-xs" aria-label="Filter the audit log">
        <label className="text-sm font-medium text-zinc-800">
          Action
          <select name="action" defaultValue={filters.action ?? ""} className="mt-1 block rounded-md border border-zinc-300 px-2 py-1.5 text-sm">
            <option value="">Any</option>
            {[...new Set(AUDIT_ACTIONS.map((a) => a.split(".")[0]))].map((prefix) => (
              <option key={prefix} value={prefix}>
                {prefix}.*
              </option>
            ))}
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium text-zinc-800">
          Actor
          <input name="actor" defaultValue={filters.actor ?? ""} placeholder="email or key" className="mt-1 block rounded-md border border-zinc-300 px-2 py-1.5 text-sm" />
        </label>
        <label className="text-sm font-medium text-zinc-800">
          From
          <input type="date" name="from" defaultValue={filters.from ?? ""} className="mt-1 block rounded-md border border-zinc-300 px-2 py-1.5 text-sm" />
        </label>
        <label className="text-sm font-medium text-zinc-800">
          To (exclusive)
          <input type="date" name="to" defaultValue={filters.to ?? ""} className="mt-1 block rounded-md border border-zinc-300 px-2 py-1.5 text-sm" />
        </label>
        <button type="submit" className="rounded-md bg-zinc-900 px-3.5 py-2 text-sm font-medium text-white hover:bg-zinc-700">
          Filter
        </button>
        <Link href="/settings/audit" className="px-1 py-2 text-sm text-zinc-600 underline underline-offset-4">
          Clear
        </Link>
        <a href={csvHref} className="ml-auto px-1 py-2 text-sm font-medium text-zinc-900 underline underline-offset-4">
          Download CSV
        </a>
      </form>

      {!page ? (
        <Callout tone="warning" title="These filters are not valid">
          Dates are YYYY-MM-DD. <Link href="/settings/audit" className="underline">Clear the filters</Link>.
        </Callout>
      ) : page.entries.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-8 text-center text-sm text-zinc-600">No entries match.</p>
      ) : (
        <ScrollRegion label="Audit log" className="rounded-lg border border-zinc-200 bg-white shadow-xs">
          <table data-testid="audit-table" className="w-full text-sm">
            <caption className="sr-only">Audit log, newest first</caption>
            <thead>
              <tr className="text-left text-xs text-zinc-500">
                <th scope="col" className="px-4 py-2 font-medium">When (UTC)</th>
                <th scope="col" className="px-4 py-2 font-medium">Who</th>
                <th scope="col" className="px-4 py-2 font-medium">Action</th>
                <th scope="col" className="px-4 py-2 font-medium">Before</th>
                <th scope="col" className="px-4 py-2 font-medium">After</th>
              </tr>
            </thead>
            <tbody>
              {page.entries.map((entry) => (
                <tr key={entry.id} className="border-t border-zinc-100 align-top">
                  <td className="tabular px-4 py-2 whitespace-nowrap text-zinc-600">
                    <time dateTime={entry.at}>{formatDayTime(new Date(entry.at))}</time>
                  </td>
                  <td className="px-4 py-2 text-zinc-900">
                    {entry.actor}
                    {entry.ip ? <span className="block text-xs text-zinc-500">{entry.ip}</span> : null}
                  </td>
                  <td className="px-4 py-2 font-mono text-xs text-zinc-800">{entry.action}</td>
                  <td className="max-w-xs px-4 py-2 font-mono text-xs break-all text-zinc-600">{compact(entry.before)}</td>
                  <td className="max-w-xs px-4 py-2 font-mono text-xs break-all text-zinc-600">{compact(entry.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      )}
      {olderHref ? (
        <Link href={olderHref} className="inline-block text-sm font-medium text-zinc-900 underline underline-offset-4">
          Older entries →
        </Link>
      ) : null}
    </div>
  );
}
