import type { Metadata } from "next";
import { ComingSoon } from "@/components/ui/coming-soon";

export const metadata: Metadata = { title: "Outcomes" };

export default function OutcomesPage() {
  return (
    <ComingSoon title="Outcomes" summary="What each successful result costs.">
      Cost per successful outcome: the spend of every model call in a workflow (retries and failures included) divided by the business results it produced, such as tickets resolved or documents summarised, so you can compare prompts and models by what they achieve rather than by tokens.
    </ComingSoon>
  );
}
