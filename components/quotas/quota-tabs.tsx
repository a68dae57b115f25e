"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";

const TABS = [
  { href: "/quotas", label: "Overview" },
  { href: "/quotas/review", label: "Monthly review" },
] as const;

export function QuotaTabs() {
  const pathname = usePathname();
  return (
    <nav aria-label="Quotas" className="mb-6 border-b border-zinc-200">
      <ul className="-mb-px flex gap-4">
        {TABS.map((tab) => {
          const active = pathname === tab.href;
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
