import { PageSkeleton, PanelBlock } from "@/components/ui/skeleton";

export default function QuotaReviewLoading() {
  return (
    <PageSkeleton label="Loading the quota review…">
      <PanelBlock rows={5} />
      <PanelBlock chart rows={0} />
    </PageSkeleton>
  );
}
