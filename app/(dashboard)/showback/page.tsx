import type { Metadata } from "next";
import { canSee, teamScope } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/server-session";
import { defaultShowbackWindow, showbackPageSchema } from "@/lib/schemas/showback-page";
import { AccessDenied } from "@/components/ui/access-denied";
import { PageHeader } from "@/components/ui/page-header";
import { ShowbackExplorer } from "@/components/showback/showback-explorer";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Showback" };

type SearchParams = Record<string, string | string[] | undefined>;

export default async function ShowbackPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requireUser("/showback");
  if (!canSee(user, "showback")) return <AccessDenied what="showback" />;
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const parsed = showbackPageSchema.safeParse(raw);
  const state = parsed.success ? parsed.data : showbackPageSchema.parse({});
  const fallback = defaultShowbackWindow(new Date());
  const window = state.from && state.to && state.from < state.to ? { from: state.from, to: state.to } : fallback;
  const scope = teamScope(user);
  return (
    <>
      <PageHeader
        title="Showback"
        description={
          scope.kind === "all"
            ? "Who spends what: by team, feature, environment, tenant, model or prompt version. UTC days."
            : `Spend of your teams (${scope.slugs.join(", ") || "none yet"}). UTC days.`
        }
      />
      <ShowbackExplorer state={state} window={window} />
    </>
  );
}
