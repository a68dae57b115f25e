"use client";

import { useState, type FormEvent } from "react";
import type { ChannelView, TestResult } from "@/lib/alerts/channels";
import { apiFetch } from "@/components/api-client";
import { useAlertChannels, useApiQuery } from "@/components/queries/hooks";
import { queries, QUERY_ROOTS } from "@/components/queries/keys";
import { Button } from "@/components/ui/button";
import { FieldError, SelectField, TextField } from "@/components/ui/form-fields";
import { Panel } from "@/components/ui/panel";
import { formatDayTime } from "@/lib/format";
import { useApiMutation } from "@/components/settings/use-api-mutation";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { useRefreshBadges } from "@/components/layout/use-badges";
import { channelTypeLabel } from "./channel-labels";
import { PanelRowsSkeleton } from "./panel-rows-skeleton";

const CHANNELS_KEY = QUERY_ROOTS.alertChannels;

/**
 * Where alerts go: the built-in in-app channel (the bell; it can be switched off and
 * tested, not changed or deleted), signed webhooks and Slack; send a test, see failed
 * deliveries.
 */
export function ChannelsPanel() {
  const { data, error, isPending } = useAlertChannels();
  const create = useApiMutation(CHANNELS_KEY, (body: Record<string, string>) => apiFetch<ChannelView>("/api/v1/alert-channels", { method: "POST", body }));
  const [type, setType] = useState("webhook");

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const body: Record<string, string> = {};
    for (const [k, v] of data.entries()) if (String(v).trim()) body[k] = String(v).trim();
    create.mutate(body, { onSuccess: () => form.reset() });
  }

  return (
    <Panel title="Channels" titleId="channels-title" description="The in-app channel is built in: alerts appear in the bell of everyone they concern. Webhooks are signed: X-Burnrate-Signature: sha256=<HMAC-SHA256 of the body with the channel's secret>.">
      <form onSubmit={submit} aria-label="New channel" className="mb-4 flex flex-wrap items-end gap-3" noValidate>
        <SelectField label="Type" name="type" value={type} onChange={(e) => setType(e.target.value)}>
          <option value="webhook">Webhook</option>
          <option value="slack">Slack incoming webhook</option>
        </SelectField>
        <TextField label="Name" name="name" placeholder="finops-alerts" error={create.error?.field("name")} />
        <TextField label="URL" name="url" type="url" placeholder="https://…" required error={create.error?.field("url")} className="min-w-72" />
        {type === "webhook" ? <TextField label="Signing secret (optional)" name="secret" type="password" error={create.error?.field("secret")} /> : null}
        <Button type="submit" disabled={create.isPending}>{create.isPending ? "Adding…" : "Add channel"}</Button>
      </form>
      {create.error && create.error.details.length === 0 ? <FieldError message={create.error.message} /> : null}
      {isPending ? (
        <PanelRowsSkeleton label="Loading channels…" />
      ) : error ? (
        <p role="alert" className="text-sm text-rose-700">{error.message}</p>
      ) : data.channels.length === 0 ? (
        <p className="text-sm text-zinc-600">No channels yet: alerts are only shown here until you add one.</p>
      ) : (
        <ul className="divide-y divide-zinc-100" data-testid="channel-list">
          {data.channels.map((channel) => (
            <ChannelRow key={channel.id} channel={channel} />
          ))}
        </ul>
      )}
    </Panel>
  );
}

function testOutcome(result: TestResult, builtIn: boolean): string {
  if (!result.ok) return `Test failed: ${result.error ?? `HTTP ${result.status_code}`}.`;
  if (builtIn) return "Test notification sent: it is in the bell of admins and finance.";
  return `Test delivered (HTTP ${result.status_code}, ${result.duration_ms} ms).`;
}

function ChannelRow({ channel }: { channel: ChannelView }) {
  const [open, setOpen] = useState(false);
  const [result, setResult] = useState<TestResult | null>(null);
  const builtIn = channel.type === "in_app";
  const refreshBadges = useRefreshBadges();
  const test = useApiMutation(queries.alertDeliveries(channel.id).queryKey, () => apiFetch<TestResult>(`/api/v1/alert-channels/${channel.id}/test`, { method: "POST" }));
  const toggle = useApiMutation(CHANNELS_KEY, (enabled: boolean) => apiFetch<ChannelView>(`/api/v1/alert-channels/${channel.id}`, { method: "PATCH", body: { enabled } }));
  const remove = useApiMutation(CHANNELS_KEY, () => apiFetch(`/api/v1/alert-channels/${channel.id}`, { method: "DELETE" }));
  const deliveries = useApiQuery(queries.alertDeliveries(channel.id), { enabled: open });
  return (
    <li className="py-3" data-channel={channel.name} data-channel-type={channel.type}>
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="min-w-0 text-sm">
          <p className="font-medium text-zinc-900">
            {channel.name}{" "}
            {builtIn ? (
              <span data-testid="channel-built-in" className="rounded-full bg-zinc-100 px-2 py-0.5 text-xs font-medium text-zinc-700">
                Built in
              </span>
            ) : null}{" "}
            <span className="text-xs font-normal text-zinc-500">{channelTypeLabel(channel.type)}{channel.has_secret ? " · own secret" : ""}{channel.enabled ? "" : " · disabled"}</span>
          </p>
          <p className="truncate text-xs text-zinc-500">{builtIn ? "The bell at the top of every page." : (channel.url ?? channel.email)}</p>
        </div>
        <div className="flex flex-wrap gap-1">
          <Button
            size="sm"
            variant="secondary"
            disabled={test.isPending}
            aria-label={`Send test to ${channel.name}`}
            onClick={() =>
              test.mutate(undefined, {
                onSuccess: (answer) => {
                  setResult(answer);
                  if (builtIn) void refreshBadges();
                },
              })
            }
          >
            {test.isPending ? "Sending…" : "Send test"}
          </Button>
          <Button size="sm" variant="secondary" aria-label={`${channel.enabled ? "Disable" : "Enable"} ${channel.name}`} onClick={() => toggle.mutate(!channel.enabled)}>
            {channel.enabled ? "Disable" : "Enable"}
          </Button>
          <Button size="sm" variant="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>Deliveries</Button>
          {builtIn ? null : (
            <Button size="sm" variant="danger" onClick={() => { if (window.confirm(`Delete channel "${channel.name}"?`)) remove.mutate(undefined); }}>Delete</Button>
          )}
        </div>
      </div>
      {result ? (
        <p role="status" data-testid="channel-test-result" className={result.ok ? "mt-1 text-xs text-emerald-700" : "mt-1 text-xs text-rose-700"}>
          {testOutcome(result, builtIn)}
        </p>
      ) : null}
      {toggle.error ? <p role="alert" className="mt-1 text-xs text-rose-700">{toggle.error.message}</p> : null}
      {remove.error ? <p role="alert" className="mt-1 text-xs text-rose-700">{remove.error.message}</p> : null}
      {test.error ? <p role="alert" className="mt-1 text-xs text-rose-700">{test.error.message}</p> : null}
      {open ? (
        <ScrollRegion label={`Recent deliveries to ${channel.name}`} className="mt-2 max-h-56 overflow-y-auto">
          {deliveries.isPending ? (
            <p className="text-xs text-zinc-500">Loading…</p>
          ) : (deliveries.data?.deliveries.length ?? 0) === 0 ? (
            <p className="text-xs text-zinc-500">No deliveries yet.</p>
          ) : (
            <table className="w-full text-xs">
              <caption className="sr-only">Recent deliveries to {channel.name}</caption>
              <thead>
                <tr className="text-left text-zinc-500">
                  <th scope="col" className="py-1 font-medium">When</th>
                  <th scope="col" className="py-1 font-medium">Alert</th>
                  <th scope="col" className="py-1 font-medium">Status</th>
                  <th scope="col" className="py-1 font-medium">Attempts</th>
                  <th scope="col" className="py-1 font-medium">Error</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.data?.deliveries.map((d) => (
                  <tr key={d.id} className="border-t border-zinc-100">
                    <td className="py-1 whitespace-nowrap">{formatDayTime(new Date(d.created_at))}</td>
                    <td className="py-1">{d.alert_message}</td>
                    <td className={d.status === "failed" ? "py-1 text-rose-700" : "py-1"}>{d.status}{d.response_status ? ` (${d.response_status})` : ""}</td>
                    <td className="py-1">{d.attempts}{d.next_attempt_at && d.status === "pending" ? `, next ${formatDayTime(new Date(d.next_attempt_at))}` : ""}</td>
                    <td className="py-1 text-zinc-600">{d.last_error ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </ScrollRegion>
      ) : null}
    </li>
  );
}
