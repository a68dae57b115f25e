/**
 * The quota API's JSON, as the backend defines it (type-only: nothing of lib/quotas reaches
 * the browser bundle). The pages' names for them are aliases here.
 */
export type { AllocationView, QuotaUnit } from "@/lib/quotas/standing";
export type { BurstState as BurstStatus } from "@/lib/quotas/transitions";
export type { PersonRef, BurstView as BurstRequestView, TeamUsageView as TeamUsage } from "@/lib/quotas/bursts";
export type { ReviewMonthView, ReviewTeamView, ReviewView } from "@/lib/quotas/review";
