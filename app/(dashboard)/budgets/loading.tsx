import { PageSkeleton, PanelBlock } from "@/components/ui/skeleton";

export default function BudgetsLoading() {
  return (
    <PageSkeleton label="Loading budgets…">
      <PanelBlock rows={4} />
      <PanelBlock rows={3} />
      <PanelBlock chart rows={0} />
    </PageSkeleton>
  );
}
