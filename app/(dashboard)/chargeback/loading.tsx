import { PageSkeleton, PanelBlock } from "@/components/ui/skeleton";

export default function ChargebackLoading() {
  return (
    <PageSkeleton label="Loading chargeback…">
      <PanelBlock rows={6} />
      <PanelBlock rows={4} />
    </PageSkeleton>
  );
}
