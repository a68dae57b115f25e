/**
 * The security headers of every response: Next.js adds them (next.config.ts headers()),
 * and the custom server's quota check fast path (lib/quotas/check-server.ts) adds the same.
 */
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

export const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
];


/** The same headers as one object, for a node:http response. */
export const SECURITY_HEADERS: Record<string, string> = Object.fromEntries(securityHeaders.map(({ key, value }) => [key.toLowerCase(), value]));
