/** The dashboard's sections, in navigation order. */
export interface NavItem {
  href: string;
  label: string;
  icon: NavIconName;
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
  | "settings";

export const NAV_ITEMS: readonly NavItem[] = [
  { href: "/", label: "Overview", icon: "overview" },
  { href: "/showback", label: "Showback", icon: "showback" },
  { href: "/outcomes", label: "Outcomes", icon: "outcomes" },
  { href: "/cache", label: "Cache", icon: "cache" },
  { href: "/budgets", label: "Budgets", icon: "budgets" },
  { href: "/alerts", label: "Alerts", icon: "alerts" },
  { href: "/quotas", label: "Quotas", icon: "quotas" },
  { href: "/prices", label: "Prices", icon: "prices" },
  { href: "/settings", label: "Settings", icon: "settings" },
];

/** "/" matches only itself; other sections also own their sub-pages (/budgets/123). */
export function isActive(href: string, pathname: string): boolean {
  if (href === "/") return pathname === "/";
  return pathname === href || pathname.startsWith(`${href}/`);
}
