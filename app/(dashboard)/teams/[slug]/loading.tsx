import { PageSkeleton, PanelBlock, StatBlocks } from "@/components/ui/skeleton";

export default function TeamLoading() {
  return (
    <PageSkeleton label="Loading the team…">
      <StatBlocks count={4} />
      <PanelBlock chart rows={0} />
      <div className="grid grid-cols-1 gap-4 lg:grid-cols-3">
        <PanelBlock rows={2} />
        <PanelBlock rows={2} />
        <PanelBlock rows={2} />
      </div>
    </PageSkeleton>
  );
}
