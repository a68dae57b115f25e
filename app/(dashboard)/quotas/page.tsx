import type { Metadata } from "next";
import { requireUser } from "@/lib/auth/server-session";
import { ComingSoon } from "@/components/ui/coming-soon";

export const metadata: Metadata = { title: "Quotas" };

export default async function QuotasPage() {
  await requireUser("/quotas");
  return (
    <ComingSoon title="Quotas" summary="Monthly allocations per team, and requests to exceed them.">
      Monthly allocations per team (in dollars or tokens, optionally per model), a quota check your gateway can call before each request, and burst requests that team leads file and admins approve or reject, every decision recorded in the audit log.
    </ComingSoon>
  );
}
