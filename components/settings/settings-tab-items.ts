import type { Section } from "@/lib/auth/permissions";

/** Settings sub-pages, in tab order (a plain module: server layouts read it too). */
export const SETTINGS_TABS: ReadonlyArray<{ href: string; label: string; section: Section }> = [
  { href: "/settings/teams", label: "Teams", section: "settings/teams" },
  { href: "/settings/connect", label: "Connect", section: "settings/connect" },
  { href: "/settings/users", label: "Users", section: "settings/users" },
  { href: "/settings/keys", label: "API keys", section: "settings/keys" },
  { href: "/settings/audit", label: "Audit log", section: "settings/audit" },
];
