import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { needsSetup } from "@/lib/access/setup";
import { oidcProvider } from "@/lib/auth/auth-options";
import { safeCallbackPath } from "@/lib/auth/safe-callback";
import { currentUser } from "@/lib/auth/server-session";
import { readEnv } from "@/lib/env";
import { SignInForm } from "@/components/auth/sign-in-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

/**
 * This site's origins for the callback rule: the configured public URL (NEXTAUTH_URL) and
 * the one this request came to (its Host, which a cross-site link cannot choose).
 */
async function siteOrigins(): Promise<string[]> {
  const origins: string[] = [];
  if (process.env.NEXTAUTH_URL) origins.push(process.env.NEXTAUTH_URL);
  const requestHeaders = await headers();
  const host = requestHeaders.get("host");
  if (host) origins.push(`${process.env.NEXTAUTH_URL?.startsWith("https://") ? "https" : "http"}://${host}`);
  return origins;
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  // Only a page of this site, always as a path: anything else would make this an open redirect.
  const callbackUrl = safeCallbackPath(params.callbackUrl, await siteOrigins());
  if (await currentUser()) redirect(callbackUrl);
  if (await needsSetup()) redirect("/setup");
  const env = readEnv();
  const sso = oidcProvider(env);
  const error = typeof params.error === "string" ? params.error : null;
  return (
    <SignInForm
      callbackUrl={callbackUrl}
      ssoName={sso ? env.BURNRATE_OIDC_NAME : null}
      initialError={error}
      demo={env.BURNRATE_DEMO === "1"}
    />
  );
}
