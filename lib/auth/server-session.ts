import "server-only";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { needsSetup } from "@/lib/access/setup";
import type { UserPrincipal } from "@/lib/auth/permissions";
import { principalFromCookies } from "@/lib/auth/user-principal";

/**
 * The signed-in user for server components (the Next-specific adapter around
 * lib/auth/user-principal.ts). Cached per request, so the layout and the page share one
 * database read.
 */
export const currentUser = cache(async (): Promise<UserPrincipal | null> => {
  const jar = await cookies();
  const header = jar
    .getAll()
    .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
    .join("; ");
  return principalFromCookies(header || null);
});

/** The user, or a redirect: to /setup on a fresh installation, to /sign-in otherwise. */
export async function requireUser(callbackPath = "/"): Promise<UserPrincipal> {
  const user = await currentUser();
  if (user) return user;
  if (await needsSetup()) redirect("/setup");
  redirect(`/sign-in?callbackUrl=${encodeURIComponent(callbackPath)}`);
}
