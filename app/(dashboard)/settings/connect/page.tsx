import type { Metadata } from "next";
import { headers } from "next/headers";
import { randomUUID } from "node:crypto";
import { listTeams } from "@/lib/access/teams";
import { publicBaseUrl } from "@/lib/env";
import { can, canSee, grantableKeyScopes } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { ConnectPanel } from "@/components/settings/connect-panel";

export const metadata: Metadata = { title: "Connect" };

const HOST_PATTERN = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

function firstValue(value: string | null): string | null {
  return value?.split(",")[0]?.trim() || null;
}

/**
 * The origin senders should use: the one this page was opened on (a reverse proxy's
 * X-Forwarded-Host/-Proto first), else the configured public URL (NEXTAUTH_URL).
 */
async function siteOrigin(): Promise<string> {
  const configured = publicBaseUrl();
  const h = await headers();
  const host = firstValue(h.get("x-forwarded-host")) ?? firstValue(h.get("host"));
  if (!host || !HOST_PATTERN.test(host)) return configured;
  try {
    if (new URL(configured).host === host) return configured;
  } catch {
    // an unparsable NEXTAUTH_URL: the request's origin below
  }
  const proto = firstValue(h.get("x-forwarded-proto"));
  return `${proto === "https" ? "https" : "http"}://${host}`;
}

export default async function ConnectPage() {
  const user = await requireUser("/settings/connect");
  if (!canSee(user, "settings/connect")) return <AccessDenied what="the Connect page" />;
  const grantable = grantableKeyScopes(user);
  const keyForm = grantable.scopes.includes("ingest")
    ? {
        teamRequired: grantable.teamBound,
        teamOptions: grantable.teamBound
          ? user.teams.filter((t) => t.role === "lead").map((t) => t.slug)
          : (await listTeams({ principal: user })).map((t) => t.slug),
      }
    : null;
  return (
    <ConnectPanel
      baseUrl={await siteOrigin()}
      initialEventId={`connect-${randomUUID()}`}
      initialTimestamp={new Date().toISOString()}
      keyForm={keyForm}
      canSeeArrivals={can(user, "metrics:read")}
    />
  );
}
