import type { ReactNode } from "react";
import { canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { PageHeader } from "@/components/ui/page-header";
import { SettingsTabs } from "@/components/settings/settings-tabs";
import { SETTINGS_TABS } from "@/components/settings/settings-tab-items";

export default async function SettingsLayout({ children }: { children: ReactNode }) {
  const user = await requireUser("/settings");
  const visible = SETTINGS_TABS.filter((tab) => canSee(user, tab.section)).map((tab) => tab.href);
  return (
    <>
      <PageHeader title="Settings" description="People, teams and access." />
      <SettingsTabs visible={visible} />
      {children}
    </>
  );
}
