import packageJson from "@/package.json";
import { jsonResponse } from "@/lib/http/with-route";

export const dynamic = "force-dynamic";

/** Liveness for load balancers: no credentials, no database, nothing but that the process answers. */
export async function GET(): Promise<Response> {
  return jsonResponse({ status: "ok", uptime_seconds: Math.floor(process.uptime()), version: packageJson.version });
}
