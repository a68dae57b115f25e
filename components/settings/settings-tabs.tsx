import { TabNav } from "@/components/ui/tab-nav";
import { SETTINGS_TABS } from "./settings-tab-items";

/** The Settings sub-pages the user may see (`visible`: their hrefs, decided on the server). */
export function SettingsTabs({ visible }: { visible: readonly string[] }) {
  return <TabNav label="Settings" tabs={SETTINGS_TABS.filter((tab) => visible.includes(tab.href))} match="prefix" />;
}
