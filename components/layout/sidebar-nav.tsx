"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";
import type { BadgesJson } from "@/lib/schemas/notifications";
import { NAV_ITEMS, isActive } from "./nav-items";
import { NavIcon } from "./nav-icon";
import { badgeText, useBadges } from "./use-badges";

/** The count beside a section's name, when it has one for this user (admins: bursts waiting on /quotas). */
function navCount(href: string, badges: BadgesJson | undefined): { count: number; label: string } | null {
  if (href !== "/quotas") return null;
  const pending = badges?.pending_burst_requests ?? null;
  if (!pending) return null;
  return { count: pending, label: `${pending} pending burst request${pending === 1 ? "" : "s"}` };
}

export function SidebarNav({ visible }: { visible: readonly string[] }) {
  const pathname = usePathname();
  const badges = useBadges();
  return (
    <nav aria-label="Main">
      <ul className="-mx-1 flex gap-0.5 overflow-x-auto px-1 pb-1 md:mx-0 md:flex-col md:overflow-visible md:px-0 md:pb-0">
        {NAV_ITEMS.filter((item) => visible.includes(item.href)).map((item) => {
          const active = isActive(item.href, pathname);
          const badge = navCount(item.href, badges.data);
          return (
            <li key={item.href}>
              <Link
                href={item.href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "flex items-center gap-2.5 whitespace-nowrap rounded-md px-2.5 py-1.5 text-sm font-medium",
                  active ? "bg-zinc-900 text-white" : "text-zinc-600 hover:bg-zinc-200/70 hover:text-zinc-900",
                )}
              >
                <NavIcon name={item.icon} className={cn("size-4 shrink-0", active ? "text-zinc-300" : "text-zinc-400")} />
                {item.label}
                {badge ? (
                  <span
                    role="img"
                    aria-label={badge.label}
                    data-testid={`nav-count-${item.icon}`}
                    className="tabular ml-auto rounded-full bg-amber-100 px-1.5 text-xs leading-5 font-semibold text-amber-900"
                  >
                    {badgeText(badge.count)}
                  </span>
                ) : null}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
