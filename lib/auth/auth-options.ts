import "server-only";
import { randomUUID } from "node:crypto";
import { clientAddress } from "@/lib/http/client-address";
import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { prisma } from "@/lib/db";
import { readEnv, type Env } from "@/lib/env";
import { writeAudit } from "@/lib/audit/audit-log";
import { safeCallbackPath } from "@/lib/auth/safe-callback";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { isSessionLive, revokeSession } from "@/lib/auth/user-principal";
import { SESSION_MAX_AGE_SECONDS, secureCookies, sessionClaims, sessionCookieName } from "@/lib/auth/session-cookie";
import { emailSchema } from "@/lib/schemas/access";
import { getSecret } from "@/lib/secrets";

/**
 * next-auth (v4) configuration: email + password (credentials provider, the contract's
 * fields `email` and `password`), and OpenID Connect single sign-on when configured.
 * Sessions are encrypted JWT cookies carrying a session id and the user's session
 * version; who the user is, what they may do and whether the session still counts are
 * read from the database on every request (lib/auth/user-principal.ts).
 */
export const OIDC_PROVIDER_ID = "oidc";

interface OidcProfile {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
}

export function oidcProvider(env: Env): OAuthConfig<OidcProfile> | null {
  if (!env.BURNRATE_OIDC_ISSUER || !env.BURNRATE_OIDC_CLIENT_ID || !env.BURNRATE_OIDC_CLIENT_SECRET) return null;
  const issuer = env.BURNRATE_OIDC_ISSUER.replace(/\/+$/, "");
  return {
    id: OIDC_PROVIDER_ID,
    name: env.BURNRATE_OIDC_NAME,
    type: "oauth",
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    clientId: env.BURNRATE_OIDC_CLIENT_ID,
    clientSecret: env.BURNRATE_OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile: (profile) => ({ id: profile.sub, email: profile.email ?? null, name: profile.name ?? null }),
  };
}

/** The Burnrate user for an SSO identity: linked by email, created with the default role when allowed. */
async function userForOidc(profile: OidcProfile, env: Env): Promise<{ id: string; email: string } | null> {
  const email = emailSchema.safeParse(profile.email);
  if (!email.success || profile.email_verified === false) return null;
  const existing = await prisma.user.findUnique({ where: { email: email.data }, select: { id: true, email: true, disabledAt: true } });
  if (existing) return existing.disabledAt ? null : existing;
  if (env.BURNRATE_OIDC_DEFAULT_ROLE === "none") return null;
  const created = await prisma.user.create({
    data: { email: email.data, name: profile.name ?? null, role: env.BURNRATE_OIDC_DEFAULT_ROLE },
    select: { id: true, email: true },
  });
  await writeAudit(prisma, { kind: "system", label: "single sign-on" }, {
    action: "user.create",
    targetType: "user",
    targetId: created.id,
    after: { email: created.email, role: env.BURNRATE_OIDC_DEFAULT_ROLE, via: "oidc" },
  });
  return created;
}

export function authOptions(env: Env = readEnv()): AuthOptions {
  const secure = secureCookies();
  const oidc = oidcProvider(env);
  return {
    secret: getSecret("session"),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/sign-in", error: "/sign-in" },
    useSecureCookies: secure,
    cookies: {
      sessionToken: {
        name: sessionCookieName(secure),
        options: { httpOnly: true, sameSite: "lax", path: "/", secure },
      },
    },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: async (credentials, request) => {
          // The custom server's stamp (lib/http/client-address.ts), never a client-sent header.
          const ip = clientAddress((request.headers ?? {}) as Record<string, unknown>);
          const result = await signInWithPassword(credentials ?? {}, ip);
          if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name };
          // Wrong email and wrong password surface as one generic message; these only say to wait.
          if (result.reason === "locked") throw new Error("TooManyAttempts");
          if (result.reason === "rate_limited") throw new Error("TooManyRequests");
          return null;
        },
      }),
      ...(oidc ? [oidc] : []),
    ],
    callbacks: {
      signIn: async ({ account, profile }) => {
        if (account?.provider !== OIDC_PROVIDER_ID) return true;
        const user = await userForOidc(profile as OidcProfile, env);
        if (!user) return "/sign-in?error=AccessDenied";
        await prisma.account.upsert({
          where: { provider_providerAccountId: { provider: OIDC_PROVIDER_ID, providerAccountId: account.providerAccountId } },
          create: { userId: user.id, type: "oidc", provider: OIDC_PROVIDER_ID, providerAccountId: account.providerAccountId },
          update: {},
        });
        await prisma.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
        await writeAudit(prisma, { kind: "user", userId: user.id, email: user.email }, {
          action: "auth.sign_in",
          targetType: "user",
          targetId: user.id,
          after: { method: "oidc" },
        });
        return true;
      },
      // Sign-in: the session gets its id (`sid`, kept for the cookie's whole life; next-auth's
      // own `jti` changes whenever it re-issues the cookie) and the user's session version.
      // Later (next-auth re-issuing the cookie from /api/auth/session): only a live session
      // is re-issued; throwing makes next-auth clear the cookie instead.
      jwt: async ({ token, user, account }) => {
        if (user) {
          let userId = user.id;
          if (account?.provider === OIDC_PROVIDER_ID) {
            // The IdP's subject is not our user id: point the session at the linked user.
            const linked = token.email
              ? await prisma.user.findUnique({ where: { email: token.email.toLowerCase() }, select: { id: true } })
              : null;
            if (!linked) throw new Error("AccessDenied");
            userId = linked.id;
          }
          const current = await prisma.user.findUnique({ where: { id: userId }, select: { sessionVersion: true } });
          if (!current) throw new Error("AccessDenied");
          token.sub = userId;
          token.sid = randomUUID();
          token.sv = current.sessionVersion;
          return token;
        }
        const session = sessionClaims(token);
        if (!session || !(await isSessionLive(session))) throw new Error("SessionEnded");
        return token;
      },
      session: ({ session, token }) => ({ ...session, user: { ...session.user, id: token.sub } }),
      // Where next-auth sends the browser after signing in (SSO) or out: the same rule as the sign-in page.
      redirect: ({ url, baseUrl }) => `${new URL(baseUrl).origin}${safeCallbackPath(url, baseUrl)}`,
    },
    events: {
      // Signing out ends this session on the server too: a copy of the cookie is refused from now on.
      signOut: async ({ token }) => {
        if (typeof token?.sub !== "string") return;
        const userId = token.sub;
        const session = sessionClaims(token);
        const email = typeof token.email === "string" ? token.email : null;
        await prisma.$transaction(async (tx) => {
          if (session) await revokeSession(session.sessionId, tx);
          if (email) {
            await writeAudit(tx, { kind: "user", userId, email }, { action: "auth.sign_out", targetType: "user", targetId: userId });
          }
        });
      },
    },
  };
}
