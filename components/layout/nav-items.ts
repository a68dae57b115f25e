import type { Section } from "@/lib/auth/permissions";

/** The dashboard's sections, in navigation order; `section` names who may see it (lib/auth/permissions). */
export interface NavItem {
  href: string;
  label: string;
  icon: NavIconName;
  section: Section;
}

export type NavIconName =
  | "overview"
  | "showback"
  | "outcomes"
  | "cache"
  | "budgets"
  | "alerts"
  | "quotas"
  | "prices"
  | "reconciliation"
  | "chargeback"
  | "savings"
  | "settings";

export const NAV_ITEMS: readonly NavItem[] = [
  { href: "/", label: "Overview", icon: "overview", section: "overview" },
  { href: "/showback", label: "Showback", icon: "showback", section: "showback" },
  { href: "/outcomes", label: "Outcomes", icon: "outcomes", section: "outcomes" },
  { href: "/cache", label: "Cache", icon: "cache", section: "cache" },
  { href: "/budgets", label: "Budgets", icon: "budgets", section: "budgets" },
  { href: "/alerts", label: "Alerts", icon: "alerts", section: "alerts" },
  { href: "/quotas", label: "Quotas", icon: "quotas", section: "quotas" },
  { href: "/prices", label: "Prices", icon: "prices", section: "prices" },
  { href: "/chargeback", label: "Chargeback", icon: "chargeback", section: "chargeback" },
  { href: "/savings", label: "Savings", icon: "savings", section: "savings" },
  { href: "/reconciliation", label: "Reconciliation", icon: "reconciliation", section: "reconciliation" },
  { href: "/settings", label: "Settings", icon: "settings", section: "settings" },
];

/** "/" matches only itself; other sections also own their sub-pages (/budgets/123). */
export function isActive(href: string, pathname: string): boolean {
  if (href === "/") return pathname === "/";
  return pathname === href || pathname.startsWith(`${href}/`);
}
