import type { ReactNode } from "react";
import { canSee } from "@/lib/auth/permissions";
import { currentUser } from "@/lib/auth/server-session";
import { PageHeader } from "@/components/ui/page-header";
import { SettingsTabs } from "@/components/settings/settings-tabs";
import { SETTINGS_TABS } from "@/components/settings/settings-tab-items";

export default async function SettingsLayout({ children }: { children: ReactNode }) {
  // The page redirects anonymous visitors with its own path (see the dashboard layout).
  const user = await currentUser();
  if (!user) return <>{children}</>;
  const visible = SETTINGS_TABS.filter((tab) => canSee(user, tab.section)).map((tab) => tab.href);
  return (
    <>
      <PageHeader title="Settings" description="People, teams and access." />
      <SettingsTabs visible={visible} />
      {children}
    </>
  );
}
