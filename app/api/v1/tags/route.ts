import { READS, readRoute } from "@/lib/http/read-endpoints";

export const dynamic = "force-dynamic";

/** {"keys": [...]}: the extra tag keys seen in the caller's teams' usage, each groupable as tag.<key>. */
export const GET = readRoute(READS.tagKeys);
