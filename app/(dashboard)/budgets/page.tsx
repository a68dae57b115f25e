import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/server-session";
import { ComingSoon } from "@/components/ui/coming-soon";

export const metadata: Metadata = { title: "Budgets" };

export default async function BudgetsPage() {
  await requireUser("/budgets");
  return (
    <ComingSoon title="Budgets" summary="Monthly budgets and where each month will end.">
      Monthly budgets for the whole organisation or for a team, feature, environment or tenant, with spend to date, a month-end forecast from the current run rate, and threshold alerts at the percentages you choose.
    </ComingSoon>
  );
}
