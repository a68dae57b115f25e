import type { Metadata } from "next";
import { ComingSoon } from "@/components/ui/coming-soon";

export const metadata: Metadata = { title: "Prices" };

export default function PricesPage() {
  return (
    <ComingSoon title="Prices" summary="The price list every request is costed with.">
      The effective-dated price catalog: per-model input, output, cache and reasoning rates by service tier, with their source and the date they take effect. Adding a price re-costs the requests it covers, including any that are unpriced today.
    </ComingSoon>
  );
}
