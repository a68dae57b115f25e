"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/components/ui/cn";
import { NAV_ITEMS, isActive } from "./nav-items";
import { NavIcon } from "./nav-icon";

export function SidebarNav({ visible }: { visible: readonly string[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Main">
      <ul className="-mx-1 flex gap-0.5 overflow-x-auto px-1 pb-1 md:mx-0 md:flex-col md:overflow-visible md:px-0 md:pb-0">
        {NAV_ITEMS.filter((item) => visible.includes(item.href)).map((item) => {
          const active = isActive(item.href, pathname);
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
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
