import { TabNav } from "@/components/ui/tab-nav";

const TABS = [
  { href: "/quotas", label: "Overview" },
  { href: "/quotas/review", label: "Monthly review" },
] as const;

export function QuotaTabs() {
  return <TabNav label="Quotas" tabs={TABS} />;
}
