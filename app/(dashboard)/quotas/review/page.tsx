import type { SearchParams } from "@/lib/schemas/pages/search-params";
import type { Metadata } from "next";
import { Suspense } from "react";
import { canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { UrlNavigationProvider } from "@/components/ui/url-navigation";
import { reviewMonthParam } from "@/components/quotas/quota-params";
import { QuotaTabs } from "@/components/quotas/quota-tabs";
import { QuotaPanelSkeleton } from "@/components/quotas/quotas-overview";
import { ReviewTable } from "@/components/quotas/review-table";
import { monthKey } from "@/lib/quotas/view";
import { Prefetch } from "../../_prefetch/prefetch";
import { serverQueries } from "../../_prefetch/server-queries";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Quota review" };


/** The monthly review, rendered on the server: the month of the URL prefetched inside its <Suspense>. */
export default async function QuotaReviewPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/quotas/review");
  if (!canSee(user, "quotas")) return <AccessDenied what="quotas" />;
  const month = (await searchParams).month;
  const requested = reviewMonthParam({ get: (name) => (name === "month" ? ((Array.isArray(month) ? month[0] : month) ?? null) : null) });
  return (
    <>
      <PageHeader title="Quotas" description="The monthly review: each team's allocation against what it used and the bursts it needed, with a suggestion to cut, raise or keep it." />
      <QuotaTabs />
      <UrlNavigationProvider>
        <Suspense fallback={<QuotaPanelSkeleton label="Loading the review…" tall />}>
          <Prefetch queries={[serverQueries(user).quotaReview(requested)]}>
            <ReviewTable currentMonth={monthKey(new Date())} />
          </Prefetch>
        </Suspense>
      </UrlNavigationProvider>
    </>
  );
}
