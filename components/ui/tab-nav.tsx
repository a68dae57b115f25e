"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "./cn";

/** A row of tabs that are links; the current one is marked with aria-current. */
export function TabNav({
  label,
  tabs,
  match = "exact",
}: {
  label: string;
  tabs: ReadonlyArray<{ href: string; label: string }>;
  /** "prefix": a tab also owns its sub-pages (/settings/keys/…). */
  match?: "exact" | "prefix";
}) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className="mb-6 border-b border-zinc-200">
      <ul className="-mb-px flex gap-4 overflow-x-auto">
        {tabs.map((tab) => {
          const active = pathname === tab.href || (match === "prefix" && pathname.startsWith(`${tab.href}/`));
          return (
            <li key={tab.href}>
              <Link
                href={tab.href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "inline-block border-b-2 px-1 pb-2 text-sm font-medium whitespace-nowrap",
                  active ? "border-zinc-900 text-zinc-900" : "border-transparent text-zinc-500 hover:text-zinc-800",
                )}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
