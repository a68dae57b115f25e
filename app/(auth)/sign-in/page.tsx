import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { needsSetup } from "@/lib/access/setup";
import { oidcProvider } from "@/lib/auth/auth-options";
import { currentUser } from "@/lib/auth/server-session";
import { readEnv } from "@/lib/env";
import { SignInForm } from "@/components/auth/sign-in-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

/** Only same-site paths: a callbackUrl to another host would make this an open redirect. */
function safeCallback(value: string | string[] | undefined): string {
  const path = Array.isArray(value) ? value[0] : value;
  return path && path.startsWith("/") && !path.startsWith("//") ? path : "/";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
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
