import type { Metadata } from "next";
import { canSee, teamScope } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { parseOutcomesPageState, resolveOutcomesWindow, utcToday } from "@/lib/analytics/outcomes-view";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { OutcomesExplorer } from "@/components/outcomes/outcomes-explorer";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Outcomes" };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function OutcomesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/outcomes");
  if (!canSee(user, "outcomes")) return <AccessDenied what="outcomes" />;
  const state = parseOutcomesPageState(await searchParams);
  const now = new Date();
  const window = resolveOutcomesWindow(state, now);
  const scope = teamScope(user);
  return (
    <>
      <PageHeader
        title="Outcomes"
        description={
          <>
            {scope.kind === "teams" ? <span data-testid="team-scope">Outcomes of your teams ({scope.slugs.join(", ") || "none yet"}) · </span> : null}
            What each successful result costs: every model call of a workflow, retries and failures included, divided by the
            outcomes it achieved. UTC days.
          </>
        }
      />
      <OutcomesExplorer state={state} window={window} today={utcToday(now)} scoped={scope.kind === "teams"} />
    </>
  );
}
