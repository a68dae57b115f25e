import type { Metadata } from "next";
import { listTeams } from "@/lib/access/teams";
import { can, canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { TeamsManager } from "@/components/settings/teams-manager";

export const metadata: Metadata = { title: "Teams" };

export default async function TeamsPage() {
  const user = await requireUser("/settings/teams");
  if (!canSee(user, "settings/teams")) return <AccessDenied what="teams" />;
  return <TeamsManager initialTeams={await listTeams({ principal: user })} canManage={can(user, "teams:manage")} />;
}
