import { FormBlock, PageSkeleton, PanelBlock, StatBlocks } from "@/components/ui/skeleton";

export default function CacheLoading() {
  return (
    <PageSkeleton label="Loading the cache page…">
      <FormBlock fields={9} />
      <StatBlocks count={4} />
      <PanelBlock chart rows={2} />
      <PanelBlock chart rows={4} />
    </PageSkeleton>
  );
}
