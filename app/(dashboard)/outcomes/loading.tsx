import { FormBlock, PageSkeleton, PanelBlock, StatBlocks } from "@/components/ui/skeleton";

export default function OutcomesLoading() {
  return (
    <PageSkeleton label="Loading outcomes…">
      <FormBlock fields={5} />
      <StatBlocks />
      <PanelBlock chart rows={1} />
      <PanelBlock rows={5} />
    </PageSkeleton>
  );
}
