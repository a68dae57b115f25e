"use client";

import { useEffect, useRef, type FormEvent } from "react";
import type { TeamView } from "@/lib/access/teams";
import type { UserView } from "@/lib/access/users";
import { ROLE_LABELS } from "@/lib/auth/permissions";
import { apiFetch } from "@/components/api-client";
import { useApiQuery } from "@/components/queries/hooks";
import { queries } from "@/components/queries/keys";
import { Button } from "@/components/ui/button";
import { FieldError, SelectField } from "@/components/ui/form-fields";
import { useApiMutation } from "./use-api-mutation";


/** Team leads first (leading is what their role is for), then everyone else, by email. */
function candidates(users: readonly UserView[], team: TeamView): UserView[] {
  const leads = new Set(team.members.filter((m) => m.role === "lead").map((m) => m.user_id));
  return users
    .filter((user) => !user.disabled && !leads.has(user.id))
    .sort((a, b) => Number(b.role === "team_lead") - Number(a.role === "team_lead") || a.email.localeCompare(b.email));
}

/**
 * "Assign lead" for one team, in a modal <dialog>: focus moves to the user picker when it
 * opens, Escape (or Cancel, or a click on the backdrop) closes it and focus returns to the
 * button that opened it. Saving is the member API (PUT /api/v1/teams/{id}/members with
 * role "lead"), which makes an existing member the lead or adds the user as one.
 */
export function AssignLeadDialog({ team, teamsKey, onClose }: { team: TeamView; teamsKey: readonly unknown[]; onClose: () => void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const users = useApiQuery(queries.users());
  const assign = useApiMutation(teamsKey, (email: string) =>
    apiFetch<TeamView>(`/api/v1/teams/${team.id}/members`, { method: "PUT", body: { email, role: "lead" } }),
  );

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!dialog.open) dialog.showModal();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  const options = users.data ? candidates(users.data.users, team) : [];
  const titleId = `assign-lead-${team.id}`;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email") ?? "");
    if (email) assign.mutate(email, { onSuccess: () => dialogRef.current?.close() });
  }

  return (
    <dialog
      ref={dialogRef}
      aria-labelledby={titleId}
      data-testid="assign-lead-dialog"
      onClose={onClose}
      onClick={(event) => {
        if (event.target === event.currentTarget) event.currentTarget.close();
      }}
      className="m-auto w-full max-w-md rounded-lg bg-white p-0 shadow-xl backdrop:bg-zinc-900/40"
    >
      <form onSubmit={submit} className="space-y-4 px-5 py-4" noValidate>
        <div>
          <h2 id={titleId} className="text-base font-semibold text-zinc-900">
            Assign a lead to <span className="font-mono text-sm">{team.slug}</span>
          </h2>
          <p className="mt-0.5 text-xs text-zinc-500">
            The lead sees the team&apos;s spend and files its burst requests (with the team lead role).
          </p>
        </div>
        {users.error ? (
          <FieldError message={`The users could not be loaded: ${users.error.message}`} />
        ) : !users.data ? (
          <p className="text-sm text-zinc-600" role="status">
            Loading users…
          </p>
        ) : options.length === 0 ? (
          <p className="text-sm text-zinc-600">No other active user. Create one under Settings → Users first.</p>
        ) : (
          <SelectField label="User" name="email" autoFocus defaultValue={options[0]?.email} error={assign.error?.field("email")}>
            {options.map((user) => (
              <option key={user.id} value={user.email}>
                {user.email} ({ROLE_LABELS[user.role]})
              </option>
            ))}
          </SelectField>
        )}
        {assign.error && assign.error.details.length === 0 ? <FieldError message={assign.error.message} /> : null}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={() => dialogRef.current?.close()}>
            Cancel
          </Button>
          <Button type="submit" disabled={assign.isPending || options.length === 0}>
            {assign.isPending ? "Assigning…" : "Assign lead"}
          </Button>
        </div>
      </form>
    </dialog>
  );
}
