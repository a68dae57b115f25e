import type { Metadata } from "next";
import { listUsers } from "@/lib/access/users";
import { canSee } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { AccessDenied } from "@/components/ui/access-denied";
import { UsersManager } from "@/components/settings/users-manager";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const user = await requireUser("/settings/users");
  if (!canSee(user, "settings/users")) return <AccessDenied what="users and roles" />;
  return <UsersManager initialUsers={await listUsers({ principal: user })} selfId={user.userId} />;
}
