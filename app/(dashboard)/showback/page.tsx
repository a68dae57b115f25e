import type { Metadata } from "next";
import { ComingSoon } from "@/components/ui/coming-soon";

export const metadata: Metadata = { title: "Showback" };

export default function ShowbackPage() {
  return (
    <ComingSoon title="Showback" summary="Who spends what, broken down by team and feature.">
      Chargeback tables that split spend by team, then by feature, environment and tenant, with requests, tokens, cache hits and retries beside each cost — and exports as CSV and as FOCUS-format files your finance tools already understand.
    </ComingSoon>
  );
}
