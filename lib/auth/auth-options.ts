import type { AuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { prisma } from "@/lib/db";
import { readEnv, type Env } from "@/lib/env";
import { writeAudit } from "@/lib/audit/audit-log";
import { signInWithPassword } from "@/lib/auth/sign-in";
import { SESSION_MAX_AGE_SECONDS, secureCookies, sessionCookieName } from "@/lib/auth/session-cookie";
import { emailSchema } from "@/lib/schemas/access";
import { getSecret } from "@/lib/secrets";

/**
 * next-auth (v4) configuration: email + password (credentials provider, the contract's
 * fields `email` and `password`), and OpenID Connect single sign-on when configured.
 * Sessions are encrypted JWT cookies; who the user is and what they may do is read from
 * the database on every request (lib/auth/user-principal.ts), so a role change applies
 * at once.
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

function headerValue(headers: unknown, name: string): string | null {
  if (!headers || typeof headers !== "object") return null;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === "string" ? value : null;
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
          const ip = headerValue(request.headers, "x-forwarded-for")?.split(",")[0]?.trim() ?? null;
          const result = await signInWithPassword(credentials ?? {}, ip);
          if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name };
          // Both surface as a generic message; "locked" only says to wait.
          if (result.reason === "locked") throw new Error("TooManyAttempts");
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
      jwt: async ({ token, user, account }) => {
        if (account?.provider === OIDC_PROVIDER_ID && token.email) {
          // The IdP's subject is not our user id: point the session at the linked user.
          const linked = await prisma.user.findUnique({ where: { email: token.email.toLowerCase() }, select: { id: true } });
          if (linked) token.sub = linked.id;
        } else if (user) {
          token.sub = user.id;
        }
        return token;
      },
      session: ({ session, token }) => ({ ...session, user: { ...session.user, id: token.sub } }),
    },
    events: {
      signOut: async ({ token }) => {
        if (typeof token?.sub !== "string" || typeof token.email !== "string") return;
        await writeAudit(prisma, { kind: "user", userId: token.sub, email: token.email }, {
          action: "auth.sign_out",
          targetType: "user",
          targetId: token.sub,
        });
      },
    },
  };
}
