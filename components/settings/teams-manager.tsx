"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import type { TeamView } from "@/lib/access/teams";
import { apiFetch } from "@/components/api-client";
import { QUERY_ROOTS } from "@/components/queries/keys";
import { Button } from "@/components/ui/button";
import { FieldError, SelectField, TextField } from "@/components/ui/form-fields";
import { Panel } from "@/components/ui/panel";
import { AssignLeadDialog } from "./assign-lead-dialog";
import { useApiMutation } from "./use-api-mutation";

const TEAMS_KEY = QUERY_ROOTS.teams;

/** Where a team came from, as the page says it. */
const ORIGIN: Record<TeamView["origin"], { label: string; title: string; className: string }> = {
  discovered: {
    label: "seen in usage",
    title: "Registered by ingest: an event named it in tags.team",
    className: "bg-amber-100 text-amber-800",
  },
  planned: {
    label: "planned",
    title: "Registered by a budget, quota allocation or burst request before any usage",
    className: "bg-sky-100 text-sky-800",
  },
  created: { label: "created", title: "Created by an admin", className: "bg-zinc-100 text-zinc-700" },
};

const SHOW = {
  all: { label: "All teams", keep: () => true },
  "no-lead": { label: "Without a lead", keep: (team: TeamView) => !team.has_lead },
  discovered: { label: "Seen in usage", keep: (team: TeamView) => team.origin === "discovered" },
  planned: { label: "Planned", keep: (team: TeamView) => team.origin === "planned" },
  created: { label: "Created", keep: (team: TeamView) => team.origin === "created" },
} as const satisfies Record<string, { label: string; keep: (team: TeamView) => boolean }>;
type Show = keyof typeof SHOW;

export function TeamsManager({ initialTeams, canManage }: { initialTeams: TeamView[]; canManage: boolean }) {
  const { data } = useQuery({
    queryKey: TEAMS_KEY,
    queryFn: () => apiFetch<{ teams: TeamView[] }>("/api/v1/teams"),
    initialData: { teams: initialTeams },
  });
  const teams = data.teams;
  const [show, setShow] = useState<Show>("all");
  const [search, setSearch] = useState("");
  const needle = search.trim().toLowerCase();
  const shown = teams.filter(
    (team) => SHOW[show].keep(team) && (needle === "" || team.slug.toLowerCase().includes(needle) || team.name.toLowerCase().includes(needle)),
  );
  const withoutLead = teams.filter((team) => !team.has_lead).length;
  return (
    <div className="space-y-4">
      {canManage ? <CreateTeam /> : null}
      {teams.length === 0 ? (
        <p className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-8 text-center text-sm text-zinc-600">
          {canManage
            ? "No teams yet. Create one above, or send events with tags.team and they appear here as discovered teams."
            : "You are not a member of any team yet. Ask an admin to add you."}
        </p>
      ) : (
        <>
          <div className="flex flex-wrap items-end gap-3" role="search" aria-label="Filter teams">
            <TextField label="Find a team" name="team-search" type="search" placeholder="slug or name" value={search} onChange={(event) => setSearch(event.target.value)} />
            <SelectField label="Show" name="team-show" value={show} onChange={(event) => setShow(event.target.value as Show)}>
              {(Object.keys(SHOW) as Show[]).map((key) => (
                <option key={key} value={key}>
                  {SHOW[key].label}
                </option>
              ))}
            </SelectField>
            <p className="pb-2 text-xs text-zinc-500" role="status">
              {shown.length} of {teams.length} teams{withoutLead > 0 ? ` · ${withoutLead} without a lead` : ""}
            </p>
          </div>
          {shown.length === 0 ? (
            <p className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-8 text-center text-sm text-zinc-600">No team matches.</p>
          ) : (
            shown.map((team) => <TeamCard key={team.id} team={team} canManage={canManage} />)
          )}
        </>
      )}
    </div>
  );
}

/** Where the team came from, and "no lead yet" while nobody leads it. */
function TeamMarks({ team }: { team: TeamView }) {
  const origin = ORIGIN[team.origin];
  return (
    <>
      <span className={`ml-2 rounded-full px-2 py-0.5 text-xs font-medium ${origin.className}`} title={origin.title} data-testid="team-origin">
        {origin.label}
      </span>
      {team.has_lead ? null : (
        <span
          className="ml-2 rounded-full bg-rose-50 px-2 py-0.5 text-xs font-medium text-rose-800 ring-1 ring-rose-200 ring-inset"
          data-testid="team-no-lead"
        >
          no lead yet
        </span>
      )}
    </>
  );
}

function CreateTeam() {
  const create = useApiMutation(TEAMS_KEY, (body: { slug: string; name: string }) =>
    apiFetch<TeamView>("/api/v1/teams", { method: "POST", body }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    create.mutate(
      { slug: String(data.get("slug") ?? "").trim(), name: String(data.get("name") ?? "").trim() },
      { onSuccess: () => form.reset() },
    );
  }
  return (
    <Panel title="New team" titleId="new-team-title">
      <form onSubmit={submit} className="flex flex-wrap items-end gap-3" aria-labelledby="new-team-title" noValidate>
        <TextField label="Slug" name="slug" placeholder="search" required error={create.error?.field("slug")} hint="As sent in tags.team" />
        <TextField label="Name" name="name" placeholder="Search" required error={create.error?.field("name")} />
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create team"}
        </Button>
      </form>
      {create.error && create.error.details.length === 0 ? <FieldError message={create.error.message} /> : null}
    </Panel>
  );
}

function TeamCard({ team, canManage }: { team: TeamView; canManage: boolean }) {
  const [renaming, setRenaming] = useState(false);
  const [assigning, setAssigning] = useState(false);
  const rename = useApiMutation(TEAMS_KEY, (name: string) =>
    apiFetch<TeamView>(`/api/v1/teams/${team.id}`, { method: "PATCH", body: { name } }),
  );
  const setMember = useApiMutation(TEAMS_KEY, (body: { email: string; role: string }) =>
    apiFetch<TeamView>(`/api/v1/teams/${team.id}/members`, { method: "PUT", body }),
  );
  const removeMember = useApiMutation(TEAMS_KEY, (userId: string) =>
    apiFetch<TeamView>(`/api/v1/teams/${team.id}/members/${userId}`, { method: "DELETE" }),
  );
  const error = rename.error ?? setMember.error ?? removeMember.error;

  return (
    <section aria-label={`Team ${team.slug}`} data-testid={`team-${team.slug}`} className="rounded-lg border border-zinc-200 bg-white shadow-xs">
      <header className="flex flex-wrap items-center justify-between gap-2 border-b border-zinc-100 px-4 py-3">
        {renaming ? (
          <form
            className="flex items-end gap-2"
            onSubmit={(event) => {
              event.preventDefault();
              const name = String(new FormData(event.currentTarget).get("name") ?? "").trim();
              rename.mutate(name, { onSuccess: () => setRenaming(false) });
            }}
          >
            <TextField label={`New name for ${team.slug}`} name="name" defaultValue={team.name} autoFocus error={rename.error?.field("name")} />
            <Button type="submit" size="sm" disabled={rename.isPending}>
              Save
            </Button>
            <Button variant="secondary" size="sm" onClick={() => setRenaming(false)}>
              Cancel
            </Button>
          </form>
        ) : (
          <h2 className="text-sm font-semibold text-zinc-900">
            <Link href={`/teams/${encodeURIComponent(team.slug)}`} className="hover:underline">{team.name}</Link>{" "}
            <span className="font-normal text-zinc-500">({team.slug})</span>
            <TeamMarks team={team} />
          </h2>
        )}
        {canManage && !renaming ? (
          <div className="flex gap-2">
            {team.has_lead ? null : (
              <Button size="sm" onClick={() => setAssigning(true)} aria-label={`Assign lead to ${team.slug}`}>
                Assign lead
              </Button>
            )}
            <Button variant="secondary" size="sm" onClick={() => setRenaming(true)}>
              Rename
            </Button>
          </div>
        ) : null}
        {assigning ? <AssignLeadDialog team={team} teamsKey={TEAMS_KEY} onClose={() => setAssigning(false)} /> : null}
      </header>
      <div className="p-4">
        {team.members.length === 0 ? (
          <p className="text-sm text-zinc-600">No members yet.</p>
        ) : (
          <table className="w-full text-sm">
            <caption className="sr-only">Members of {team.name}</caption>
            <thead>
              <tr className="text-left text-xs text-zinc-500">
                <th scope="col" className="pb-2 font-medium">Member</th>
                <th scope="col" className="pb-2 font-medium">Role in team</th>
                {canManage ? <th scope="col" className="pb-2 text-right font-medium"><span className="sr-only">Actions</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {team.members.map((member) => (
                <tr key={member.user_id} className="border-t border-zinc-100">
                  <th scope="row" className="py-2 pr-2 text-left font-normal text-zinc-900">
                    {member.email}
                    {member.name ? <span className="text-zinc-500"> · {member.name}</span> : null}
                  </th>
                  <td className="py-2">
                    {canManage ? (
                      <select
                        aria-label={`Role of ${member.email} in ${team.slug}`}
                        value={member.role}
                        onChange={(event) => setMember.mutate({ email: member.email, role: event.target.value })}
                        className="rounded border border-zinc-300 px-1.5 py-0.5 text-sm"
                      >
                        <option value="lead">lead</option>
                        <option value="member">member</option>
                      </select>
                    ) : (
                      member.role
                    )}
                  </td>
                  {canManage ? (
                    <td className="py-2 text-right">
                      <Button variant="danger" size="sm" onClick={() => removeMember.mutate(member.user_id)} aria-label={`Remove ${member.email} from ${team.slug}`}>
                        Remove
                      </Button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canManage ? (
          <form
            className="mt-3 flex flex-wrap items-end gap-3"
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              const form = event.currentTarget;
              const data = new FormData(form);
              setMember.mutate(
                { email: String(data.get("email") ?? "").trim(), role: String(data.get("role") ?? "member") },
                { onSuccess: () => form.reset() },
              );
            }}
          >
            <TextField label="Add member by email" name="email" type="email" placeholder="someone@example.com" error={setMember.error?.field("email")} />
            <SelectField label="Role" name="role" defaultValue="member">
              <option value="member">member</option>
              <option value="lead">lead</option>
            </SelectField>
            <Button type="submit" variant="secondary" disabled={setMember.isPending}>
              Add
            </Button>
          </form>
        ) : null}
        {error && error.details.length === 0 ? <div className="mt-3"><FieldError message={error.message} /></div> : null}
      </div>
    </section>
  );
}
