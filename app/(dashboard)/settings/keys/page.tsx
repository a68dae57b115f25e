import type { Metadata } from "next";
import { listKeys } from "@/lib/access/api-keys";
import { listTeams } from "@/lib/access/teams";
import { canSee, grantableKeyScopes } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { KeysManager } from "@/components/settings/keys-manager";

export const metadata: Metadata = { title: "API keys" };

export default async function KeysPage() {
  const user = await requireUser("/settings/keys");
  if (!canSee(user, "settings/keys")) return <AccessDenied what="API keys" />;
  const grantable = grantableKeyScopes(user);
  const teamOptions = grantable.teamBound
    ? user.teams.filter((t) => t.role === "lead").map((t) => t.slug)
    : (await listTeams({ principal: user })).map((t) => t.slug);
  return (
    <KeysManager
      initialKeys={await listKeys({ principal: user })}
      grantableScopes={grantable.scopes}
      teamOptions={teamOptions}
      teamRequired={grantable.teamBound}
    />
  );
}
