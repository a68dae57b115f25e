import { dehydrate, HydrationBoundary, QueryClient } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { logger } from "@/lib/log";
import type { ServerQuery } from "./server-queries";

/**
 * A panel's data, fetched on the server before the panel renders: the queries it will ask
 * for are put in a fresh QueryClient and handed to the browser's one (HydrationBoundary),
 * so the panel's hooks find their answers in the server-rendered HTML and hydrate without
 * a request. Put it inside the panel's own <Suspense>: the page streams each panel as its
 * data arrives. `queries` may be a function when one query needs another's answer first.
 * A failed query is left out (and logged); the panel's hook then asks the API itself.
 */
export async function Prefetch({ queries, children }: { queries: ServerQuery[] | (() => Promise<ServerQuery[]>); children: ReactNode }) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  let list: ServerQuery[] = [];
  try {
    list = typeof queries === "function" ? await queries() : queries;
  } catch (error) {
    logger().warn({ err: error }, "prefetch: the queries could not be worked out; the browser loads them");
  }
  await Promise.all(
    list.map(async (query) => {
      try {
        await client.fetchQuery({ queryKey: query.queryKey, queryFn: query.load });
      } catch (error) {
        logger().warn({ err: error, query: query.queryKey[0] }, "prefetch failed; the browser asks the API");
      }
    }),
  );
  return <HydrationBoundary state={dehydrate(client)}>{children}</HydrationBoundary>;
}
