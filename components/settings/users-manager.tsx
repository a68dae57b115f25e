"use client";

import { useQuery } from "@tanstack/react-query";
import { type FormEvent } from "react";
import type { UserView } from "@/lib/access/users";
import { ROLE_LABELS, ROLES } from "@/lib/auth/permissions";
import { MIN_PASSWORD_LENGTH } from "@/lib/schemas/access";
import { apiFetch } from "@/components/api-client";
import { QUERY_ROOTS } from "@/components/queries/keys";
import { Button } from "@/components/ui/button";
import { FieldError, SelectField, TextField } from "@/components/ui/form-fields";
import { Panel } from "@/components/ui/panel";
import { formatDayTime } from "@/lib/format";
import { useApiMutation } from "./use-api-mutation";
import { ScrollRegion } from "@/components/ui/scroll-region";

const USERS_KEY = QUERY_ROOTS.users;

export function UsersManager({ initialUsers, selfId }: { initialUsers: UserView[]; selfId: string }) {
  const { data } = useQuery({
    queryKey: USERS_KEY,
    queryFn: () => apiFetch<{ users: UserView[] }>("/api/v1/users"),
    initialData: { users: initialUsers },
  });
  const update = useApiMutation(USERS_KEY, ({ id, ...body }: { id: string; role?: string; disabled?: boolean }) =>
    apiFetch<UserView>(`/api/v1/users/${id}`, { method: "PATCH", body }),
  );

  return (
    <div className="space-y-4">
      <CreateUser />
      <Panel title="Users" titleId="users-title" description="Roles apply at once; a disabled user is signed out on their next click.">
        {update.error ? <div className="mb-3"><FieldError message={update.error.message} /></div> : null}
        <ScrollRegion label="Users">
          <table aria-labelledby="users-title" data-testid="users-table" className="w-full text-sm">
            <thead>
              <tr className="text-left text-xs text-zinc-500">
                <th scope="col" className="pb-2 font-medium">User</th>
                <th scope="col" className="pb-2 font-medium">Role</th>
                <th scope="col" className="pb-2 font-medium">Teams</th>
                <th scope="col" className="pb-2 font-medium">Last sign-in</th>
                <th scope="col" className="pb-2 text-right font-medium">Status</th>
              </tr>
            </thead>
            <tbody>
              {data.users.map((user) => (
                <tr key={user.id} className="border-t border-zinc-100">
                  <th scope="row" className="py-2 pr-2 text-left font-normal text-zinc-900">
                    {user.email}
                    {user.name ? <span className="block text-xs text-zinc-500">{user.name}</span> : null}
                  </th>
                  <td className="py-2 pr-2">
                    <select
                      aria-label={`Role of ${user.email}`}
                      value={user.role}
                      disabled={update.isPending}
                      onChange={(event) => update.mutate({ id: user.id, role: event.target.value })}
                      className="rounded border border-zinc-300 px-1.5 py-0.5 text-sm"
                    >
                      {ROLES.map((role) => (
                        <option key={role} value={role}>
                          {ROLE_LABELS[role]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="py-2 pr-2 text-zinc-600">
                    {user.teams.length ? user.teams.map((t) => `${t.slug}${t.role === "lead" ? " (lead)" : ""}`).join(", ") : "—"}
                  </td>
                  <td className="tabular py-2 pr-2 text-zinc-600">{user.last_sign_in_at ? formatDayTime(new Date(user.last_sign_in_at)) : "never"}</td>
                  <td className="py-2 text-right">
                    {user.id === selfId ? (
                      <span className="text-xs text-zinc-500">you</span>
                    ) : (
                      <Button
                        variant={user.disabled ? "secondary" : "danger"}
                        size="sm"
                        disabled={update.isPending}
                        onClick={() => update.mutate({ id: user.id, disabled: !user.disabled })}
                        aria-label={`${user.disabled ? "Enable" : "Disable"} ${user.email}`}
                      >
                        {user.disabled ? "Enable" : "Disable"}
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      </Panel>
    </div>
  );
}

function CreateUser() {
  const create = useApiMutation(USERS_KEY, (body: Record<string, string>) =>
    apiFetch<UserView>("/api/v1/users", { method: "POST", body }),
  );
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const body: Record<string, string> = {
      email: String(data.get("email") ?? "").trim(),
      role: String(data.get("role") ?? "viewer"),
    };
    const name = String(data.get("name") ?? "").trim();
    const password = String(data.get("password") ?? "");
    if (name) body.name = name;
    if (password) body.password = password;
    create.mutate(body, { onSuccess: () => form.reset() });
  }
  return (
    <Panel title="New user" titleId="new-user-title" description="Leave the password empty for users who sign in with single sign-on only.">
      <form onSubmit={submit} aria-labelledby="new-user-title" className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5 lg:items-end" noValidate>
        <TextField label="Email" name="email" type="email" required error={create.error?.field("email")} />
        <TextField label="Name" name="name" error={create.error?.field("name")} />
        <SelectField label="Role" name="role" defaultValue="viewer" error={create.error?.field("role")}>
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {ROLE_LABELS[role]}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
          error={create.error?.field("password")}
        />
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create user"}
        </Button>
      </form>
      {create.error && create.error.details.length === 0 ? <div className="mt-3"><FieldError message={create.error.message} /></div> : null}
      {create.isSuccess ? <p role="status" className="mt-3 text-sm text-emerald-700">Created {create.data.email}.</p> : null}
    </Panel>
  );
}
