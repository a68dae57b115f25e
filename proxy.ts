import { type NextRequest, NextResponse } from "next/server";
import { signInThrottle, SIGN_IN_THROTTLE_KEY } from "@/lib/http/rate-limit";
import { CSP_HEADER, contentSecurityPolicy } from "@/lib/http/security-headers";

/**
 * Next.js Proxy (Node.js runtime, same process as the routes). Two jobs, nothing else:
 *
 * - Pages: a fresh nonce per request and the Content-Security-Policy that allows only
 *   scripts carrying it ('strict-dynamic' lets them load Next's chunks). The policy is put
 *   on the request too: Next.js reads the nonce from there and stamps it on every script it
 *   renders, which is why pages render dynamically (app/layout.tsx). Other responses keep
 *   next.config.ts's policy, which allows no inline script at all.
 * - Password sign-in (POST /api/auth/callback/credentials): when the process-wide sign-in
 *   bucket is empty (lib/http/rate-limit.ts), 429 with Retry-After before next-auth runs,
 *   so no scrypt, no database. lib/auth/sign-in.ts takes the token itself, right before
 *   scrypt; this only answers early and properly (next-auth could only say "failed").
 *
 * Authorization is never decided here: every route and page checks it itself.
 */

const CREDENTIALS_CALLBACK = "/api/auth/callback/credentials";

function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
}

function signInRateLimited(request: NextRequest): NextResponse | null {
  if (request.method !== "POST") return null;
  const decision = signInThrottle().peek(SIGN_IN_THROTTLE_KEY);
  if (decision.allowed) return null;
  // next-auth's client reads `url` and takes the error code from it: the sign-in form shows it.
  const url = new URL("/sign-in?error=TooManyRequests", process.env.NEXTAUTH_URL ?? request.nextUrl.origin).toString();
  return NextResponse.json(
    {
      error: { code: "rate_limited", message: "Too many sign-in attempts on this server; retry later.", details: [] },
      url,
    },
    { status: 429, headers: { "retry-after": String(decision.retryAfter), "cache-control": "no-store" } },
  );
}

export function proxy(request: NextRequest): NextResponse {
  if (request.nextUrl.pathname === CREDENTIALS_CALLBACK) return signInRateLimited(request) ?? NextResponse.next();

  const nonce = newNonce();
  const policy = contentSecurityPolicy({ nonce });
  const headers = new Headers(request.headers);
  headers.set(CSP_HEADER, policy);
  headers.set("x-nonce", nonce);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set(CSP_HEADER, policy);
  return response;
}

export const config = {
  // Literals only: Next.js reads the matcher statically at build time.
  matcher: [
    "/api/auth/callback/credentials",
    // Pages: everything but API routes and static files. Prefetches need no nonce.
    {
      source: "/((?!api/|_next/static|_next/image|favicon.ico|icon.svg).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
