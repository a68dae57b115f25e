import type { ReactNode } from "react";
import { canSee, ROLE_LABELS } from "@/lib/auth/permissions";
import { currentUser } from "@/lib/auth/server-session";
import { needsSetup } from "@/lib/access/setup";
import { replicaStatusNow } from "@/lib/db/read-routing";
import { redirect } from "next/navigation";
import { Brand } from "@/components/layout/brand";
import { NAV_ITEMS } from "@/components/layout/nav-items";
import { NotificationBell } from "@/components/layout/notification-bell";
import { ReplicaBanner } from "@/components/layout/replica-banner";
import { SidebarNav } from "@/components/layout/sidebar-nav";
import { UserMenu } from "@/components/layout/user-menu";

// Every dashboard page needs a signed-in user: each page calls requireUser with its own
// path (a layout does not know the URL, and the sign-in page should send people back to
// where they were going) and checks its own permission.
export const dynamic = "force-dynamic";

export default async function DashboardLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  if (!user) {
    if (await needsSetup()) redirect("/setup");
    // The page redirects to /sign-in with its own callbackUrl; no shell for nobody.
    return <>{children}</>;
  }
  const visible = NAV_ITEMS.filter((item) => canSee(user, item.section)).map((item) => item.href);
  // null without DATABASE_READ_URL (no query); else the last measurement, never waiting on a probe.
  const replica = await replicaStatusNow();
  return (
    <div className="flex min-h-screen flex-col md:flex-row">
      <a
        href="#main"
        className="sr-only rounded-md bg-white text-sm font-medium text-zinc-900 shadow-md focus:not-sr-only focus:absolute focus:top-3 focus:left-3 focus:z-50 focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <aside className="border-b border-zinc-200 bg-zinc-100/60 print:hidden md:w-56 md:shrink-0 md:border-r md:border-b-0">
        <div className="flex flex-col gap-4 px-3 py-4 md:sticky md:top-0 md:max-h-screen md:overflow-y-auto">
          <div className="flex items-center justify-between gap-2">
            <Brand />
            <NotificationBell />
          </div>
          <SidebarNav visible={visible} />
          <UserMenu email={user.email} roleLabel={ROLE_LABELS[user.role]} teams={user.teams.map((t) => t.slug)} />
        </div>
      </aside>
      <main id="main" tabIndex={-1} className="min-w-0 flex-1 focus:outline-none">
        <div className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8">
          <ReplicaBanner initial={replica} />
          {children}
        </div>
      </main>
    </div>
  );
}
