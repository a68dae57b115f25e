import { PageSkeleton, PanelBlock } from "@/components/ui/skeleton";

export default function ReconciliationLoading() {
  return (
    <PageSkeleton label="Loading reconciliation…">
      <PanelBlock rows={3} chart />
      <PanelBlock rows={6} />
    </PageSkeleton>
  );
}
