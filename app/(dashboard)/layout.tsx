import type { ReactNode } from "react";
import { Brand } from "@/components/layout/brand";
import { SidebarNav } from "@/components/layout/sidebar-nav";

export default function DashboardLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <a
        href="#main"
        className="sr-only rounded-md bg-white text-sm font-medium text-zinc-900 shadow-md focus:not-sr-only focus:absolute focus:top-3 focus:left-3 focus:z-50 focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <aside className="border-b border-zinc-200 bg-zinc-100/60 md:w-56 md:shrink-0 md:border-r md:border-b-0">
        <div className="flex flex-col gap-4 px-3 py-4 md:sticky md:top-0 md:max-h-screen md:overflow-y-auto">
          <Brand />
          <SidebarNav />
        </div>
      </aside>
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 focus:outline-none">
        <div className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8">{children}</div>
      </main>
    </div>
  );
}
