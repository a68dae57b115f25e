import { PageSkeleton, PanelBlock } from "@/components/ui/skeleton";

export default function QuotasLoading() {
  return (
    <PageSkeleton label="Loading quotas…">
      <PanelBlock rows={5} />
      <PanelBlock rows={3} />
      <PanelBlock rows={3} />
    </PageSkeleton>
  );
}
