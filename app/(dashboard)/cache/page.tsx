import type { Metadata } from "next";
import { ComingSoon } from "@/components/ui/coming-soon";

export const metadata: Metadata = { title: "Cache" };

export default function CachePage() {
  return (
    <ComingSoon title="Cache" summary="How much prompt caching saves, and when it stops working.">
      Prompt-cache hit rates by model, team and feature, the money cached input tokens saved, and drops in hit rate — the usual sign that a prompt change broke its cacheable prefix.
    </ComingSoon>
  );
}
