import type { Metadata } from "next";
import { ComingSoon } from "@/components/ui/coming-soon";

export const metadata: Metadata = { title: "Quotas" };

export default function QuotasPage() {
  return (
    <ComingSoon title="Quotas" summary="Monthly allocations per team, and requests to exceed them.">
      Monthly allocations per team (in dollars or tokens, optionally per model), a quota check your gateway can call before each request, and burst requests that team leads file and admins approve or reject, every decision recorded in the audit log.
    </ComingSoon>
  );
}
