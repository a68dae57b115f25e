import { PageSkeleton, PanelBlock } from "@/components/ui/skeleton";

export default function SavingsLoading() {
  return (
    <PageSkeleton label="Loading savings…">
      <PanelBlock rows={6} />
      <PanelBlock rows={3} />
    </PageSkeleton>
  );
}
