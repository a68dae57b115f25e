import type { Metadata } from "next";
import { canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { QuotaTabs } from "@/components/quotas/quota-tabs";
import { ReviewTable } from "@/components/quotas/review-table";
import { monthKey } from "@/lib/quotas-view";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Quota review" };

export default async function QuotaReviewPage() {
  const user = await requireUser("/quotas/review");
  if (!canSee(user, "quotas")) return <AccessDenied what="quotas" />;
  return (
    <>
      <PageHeader title="Quotas" description="The monthly review: each team's allocation against what it used and the bursts it needed, with a suggestion to cut, raise or keep it." />
      <QuotaTabs />
      <ReviewTable currentMonth={monthKey(new Date())} />
    </>
  );
}
