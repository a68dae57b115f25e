/**
 * The security headers of every response. Next.js adds them (next.config.ts headers()),
 * and the custom server's fast paths (lib/quotas/check-server.ts,
 * lib/ingestion/litellm-receiver.ts) add the same to their JSON answers.
 *
 * Scripts: no 'unsafe-inline'. Pages get their Content-Security-Policy from proxy.ts,
 * with a fresh nonce per request and 'strict-dynamic' (Next.js reads the nonce from the
 * request's CSP header and puts it on its own scripts); everything else (API answers,
 * static files) gets the policy below without a nonce, which allows no inline script at
 * all. React's dev tooling needs 'unsafe-eval', in development only. Styles keep
 * 'unsafe-inline': recharts and next/font set inline styles.
 * No `upgrade-insecure-requests`: self-hosted installs often serve plain HTTP on a LAN,
 * where upgrading every asset request to HTTPS would break the page.
 */
const isDev = process.env.NODE_ENV === "development";

/** The policy; with a nonce (pages, from proxy.ts) its inline and bootstrap scripts may run. */
export function contentSecurityPolicy(options: { nonce?: string } = {}): string {
  const scripts = ["'self'", ...(options.nonce ? [`'nonce-${options.nonce}'`, "'strict-dynamic'"] : []), ...(isDev ? ["'unsafe-eval'"] : [])];
  return [
    "default-src 'self'",
    `script-src ${scripts.join(" ")}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self' data:",
    `connect-src 'self'${isDev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export const CSP_HEADER = "content-security-policy";

// Lower-case names: proxy.ts sets "content-security-policy" on pages, and Next.js lets the
// proxy's value replace this one only when both are spelled the same.
export const securityHeaders = [
  { key: CSP_HEADER, value: contentSecurityPolicy() },
  { key: "x-content-type-options", value: "nosniff" },
  { key: "x-frame-options", value: "DENY" },
  { key: "referrer-policy", value: "strict-origin-when-cross-origin" },
  { key: "cross-origin-opener-policy", value: "same-origin" },
  { key: "permissions-policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
];

/** The same headers as one object, for a node:http response (JSON answers: no nonce needed). */
export const SECURITY_HEADERS: Record<string, string> = Object.fromEntries(securityHeaders.map(({ key, value }) => [key, value]));
