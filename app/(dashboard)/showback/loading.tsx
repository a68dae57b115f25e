import { Block, FormBlock, PageSkeleton, PanelBlock } from "@/components/ui/skeleton";

export default function ShowbackLoading() {
  return (
    <PageSkeleton label="Loading showback…">
      <FormBlock fields={10} />
      <Block className="h-9 w-80 max-w-full" />
      <PanelBlock rows={6} />
    </PageSkeleton>
  );
}
