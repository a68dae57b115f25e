import type { Metadata } from "next";
import { ComingSoon } from "@/components/ui/coming-soon";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return (
    <ComingSoon title="Settings" summary="People, teams and access.">
      Users and their roles, teams and team leads, and API keys with ingest, read or admin scopes — shown once when created, stored hashed, and revocable at any time.
    </ComingSoon>
  );
}
