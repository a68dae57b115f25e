import { PageSkeleton, PanelBlock } from "@/components/ui/skeleton";

export default function AlertsLoading() {
  return (
    <PageSkeleton label="Loading alerts…">
      <PanelBlock rows={4} />
      <div className="grid grid-cols-1 gap-4 xl:grid-cols-2">
        <PanelBlock rows={3} />
        <PanelBlock rows={3} />
      </div>
    </PageSkeleton>
  );
}
