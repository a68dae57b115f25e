import { READS, readRoute } from "@/lib/http/read-endpoints";

export const dynamic = "force-dynamic";

/** ?state=&type=&team=&from=&to=&limit=: {"alerts": [...]}, newest first, team-scoped. */
export const GET = readRoute(READS.alerts);
