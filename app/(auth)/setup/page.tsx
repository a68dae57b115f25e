import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { needsSetup } from "@/lib/access/setup";
import { SetupForm } from "@/components/auth/setup-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Set up Burnrate" };

/** Shown once: while no user exists. Afterwards it sends everyone to sign in. */
export default async function SetupPage() {
  if (!(await needsSetup())) redirect("/sign-in");
  return <SetupForm />;
}
