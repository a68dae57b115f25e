"use client";

import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { apiFetch, type ApiClientError } from "@/components/api-client";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { formatDayTime } from "@/lib/format";
import type { BadgesJson, NotificationItem, NotificationPageJson } from "@/lib/schemas/notifications";
import { NavIcon } from "./nav-icon";
import { queries } from "@/components/queries/keys";
import { BADGES_KEY, BADGES_POLL_MS, NOTIFICATIONS_KEY, badgeText, useBadges } from "./use-badges";

const LIST_LIMIT = 20;
const LIST = queries.latestNotifications(LIST_LIMIT);
const LIST_KEY = LIST.queryKey;

type MarkRead = { ids: string[] } | { all: true };

const relative = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** "just now", "5 minutes ago", "yesterday", then the date ("Nov 3, 14:00 UTC") after a week. */
export function relativeTime(at: Date, now: Date = new Date()): string {
  const seconds = Math.round((at.getTime() - now.getTime()) / 1000);
  if (Math.abs(seconds) < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return relative.format(minutes, "minute");
  const hours = Math.round(seconds / 3600);
  if (Math.abs(hours) < 24) return relative.format(hours, "hour");
  const days = Math.round(seconds / 86_400);
  if (Math.abs(days) < 7) return relative.format(days, "day");
  return formatDayTime(at);
}

/** Only app-relative paths become links ("/quotas?request=…"); anything else is shown without one. */
function appPath(link: string | null): string | null {
  return link && link.startsWith("/") && !link.startsWith("//") ? link : null;
}

function withRead(page: NotificationPageJson | undefined, body: MarkRead): NotificationPageJson | undefined {
  if (!page) return page;
  const ids = "ids" in body ? new Set(body.ids) : null;
  const notifications = page.notifications.map((n) => (!n.read && (!ids || ids.has(n.id)) ? { ...n, read: true } : n));
  const newlyRead = page.notifications.filter((n, i) => n.read !== notifications[i]?.read).length;
  return { notifications, unread_count: ids ? Math.max(0, page.unread_count - newlyRead) : 0 };
}

/**
 * The header's bell: the unread count (from the badges query the sidebar shares, polled
 * every 30 s) and, when opened, a panel of the newest notifications. Opening one follows
 * its link and marks it read; "Mark all as read" clears the count. Escape, a click
 * outside or following a link closes the panel; Escape returns focus to the bell.
 */
export function NotificationBell() {
  const client = useQueryClient();
  const badges = useBadges();
  const [open, setOpen] = useState(false);
  const wrapperRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const panelId = useId();
  const titleId = useId();
  const unread = badges.data?.unread_notifications ?? 0;

  const list = useQuery({
    queryKey: LIST_KEY,
    queryFn: async () => {
      const page = await apiFetch<NotificationPageJson>(LIST.path);
      // The list's count is the newest: the bell agrees with what the panel shows.
      client.setQueryData<BadgesJson>(BADGES_KEY, (old) => (old ? { ...old, unread_notifications: page.unread_count } : old));
      return page;
    },
    enabled: open,
    staleTime: 0,
    refetchInterval: open ? BADGES_POLL_MS : false,
  });

  const markRead = useMutation<{ marked: number; unread_count: number }, ApiClientError, MarkRead>({
    mutationFn: (body) => apiFetch("/api/v1/notifications/read", { method: "POST", body }),
    onMutate: async (body) => {
      // A poll answering after this would put the old count back for 30 s.
      await client.cancelQueries({ queryKey: BADGES_KEY });
      const before = client.getQueryData<NotificationPageJson>(LIST_KEY);
      const after = withRead(before, body);
      client.setQueryData(LIST_KEY, after);
      client.setQueryData<BadgesJson>(BADGES_KEY, (old) => {
        if (!old) return old;
        const dropped = before && after ? before.unread_count - after.unread_count : 0;
        return { ...old, unread_notifications: "all" in body ? 0 : Math.max(0, old.unread_notifications - dropped) };
      });
    },
    onSuccess: (result) => {
      client.setQueryData<BadgesJson>(BADGES_KEY, (old) => (old ? { ...old, unread_notifications: result.unread_count } : old));
    },
    onError: () => void client.invalidateQueries({ queryKey: BADGES_KEY }),
    onSettled: () => client.invalidateQueries({ queryKey: NOTIFICATIONS_KEY }),
  });

  // A click anywhere outside closes the panel (focus stays where the click put it).
  useEffect(() => {
    if (!open) return;
    function onPointerDown(event: PointerEvent) {
      if (!wrapperRef.current?.contains(event.target as Node)) setOpen(false);
    }
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [open]);

  // Opening moves focus into the panel, so a screen reader announces it and Tab walks its items.
  useEffect(() => {
    if (open) panelRef.current?.focus();
  }, [open]);

  function close(returnFocus: boolean) {
    setOpen(false);
    if (returnFocus) buttonRef.current?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === "Escape" && open) {
      event.preventDefault();
      event.stopPropagation();
      close(true);
    }
  }

  function follow(notification: NotificationItem) {
    if (!notification.read) markRead.mutate({ ids: [notification.id] });
    if (appPath(notification.link)) setOpen(false);
  }

  const label = unread > 0 ? `Notifications, ${unread} unread` : "Notifications";
  const page = list.data;

  return (
    <div
      ref={wrapperRef}
      onKeyDown={onKeyDown}
      onBlur={(event) => {
        // Tabbing out of the panel closes it; a click on its blank parts (no related target) does not.
        const next = event.relatedTarget as Node | null;
        if (open && next && !wrapperRef.current?.contains(next)) setOpen(false);
      }}
      className="relative"
    >
      <button
        ref={buttonRef}
        type="button"
        aria-label={label}
        aria-expanded={open}
        aria-haspopup="dialog"
        aria-controls={open ? panelId : undefined}
        data-testid="notification-bell"
        onClick={() => setOpen((was) => !was)}
        className={cn(
          "relative inline-flex size-9 items-center justify-center rounded-md text-zinc-600 hover:bg-zinc-200/70 hover:text-zinc-900",
          open && "bg-zinc-200/70 text-zinc-900",
        )}
      >
        <NavIcon name="alerts" className="size-5" />
        {unread > 0 ? (
          <span
            aria-hidden="true"
            data-testid="notification-count"
            className="tabular absolute -top-0.5 -right-0.5 min-w-[1.125rem] rounded-full bg-rose-700 px-1 text-center text-[10px] leading-[1.125rem] font-semibold text-white"
          >
            {badgeText(unread)}
          </span>
        ) : null}
      </button>
      {open ? (
        <div
          ref={panelRef}
          id={panelId}
          role="dialog"
          aria-labelledby={titleId}
          tabIndex={-1}
          data-testid="notification-panel"
          className="fixed inset-x-3 top-16 z-40 flex max-h-[min(34rem,calc(100dvh-5rem))] flex-col rounded-lg border border-zinc-200 bg-white shadow-xl focus:outline-none md:right-auto md:left-44 md:w-96"
        >
          <div className="flex items-center justify-between gap-2 border-b border-zinc-100 px-4 py-2.5">
            <h2 id={titleId} className="text-sm font-semibold text-zinc-900">
              Notifications
            </h2>
            <Button
              size="sm"
              variant="secondary"
              disabled={unread === 0 || markRead.isPending}
              onClick={() => markRead.mutate({ all: true })}
            >
              Mark all as read
            </Button>
          </div>
          {markRead.error ? (
            <p role="alert" className="border-b border-zinc-100 px-4 py-2 text-xs text-rose-700">
              Could not mark as read: {markRead.error.message}
            </p>
          ) : null}
          <div className="min-h-0 overflow-y-auto">
            {list.isPending ? (
              <p role="status" className="px-4 py-6 text-sm text-zinc-500">
                Loading notifications…
              </p>
            ) : list.error && !page ? (
              <div role="alert" className="space-y-2 px-4 py-4 text-sm text-rose-700">
                <p>Notifications could not be loaded: {list.error.message}</p>
                <Button size="sm" variant="secondary" onClick={() => void list.refetch()}>
                  Try again
                </Button>
              </div>
            ) : !page || page.notifications.length === 0 ? (
              <p data-testid="notifications-empty" className="px-4 py-6 text-sm text-zinc-600">
                No notifications yet
              </p>
            ) : (
              <ul className="divide-y divide-zinc-100" aria-label="Newest notifications">
                {page.notifications.map((notification) => (
                  <li key={notification.id} data-testid="notification" data-notification-id={notification.id} data-read={notification.read}>
                    <NotificationEntry notification={notification} onFollow={() => follow(notification)} />
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      ) : null}
    </div>
  );
}

function NotificationEntry({ notification, onFollow }: { notification: NotificationItem; onFollow: () => void }) {
  const at = new Date(notification.created_at);
  const body = (
    <span className="flex items-start gap-2.5">
      <span
        aria-hidden="true"
        className={cn("mt-1.5 size-2 shrink-0 rounded-full", notification.read ? "bg-transparent" : "bg-rose-700")}
      />
      <span className="min-w-0 flex-1">
        <span className={cn("block text-sm break-words", notification.read ? "font-medium text-zinc-700" : "font-semibold text-zinc-900")}>
          {notification.read ? null : <span className="sr-only">Unread: </span>}
          {notification.title}
        </span>
        <span className="mt-0.5 block text-xs break-words text-zinc-600">{notification.message}</span>
        <span className="mt-1 block text-xs text-zinc-500">
          {notification.team ?? "Whole organisation"} ·{" "}
          <time dateTime={notification.created_at} title={formatDayTime(at)}>
            {relativeTime(at)}
          </time>
        </span>
      </span>
    </span>
  );
  const className = cn(
    "block w-full px-4 py-3 text-left hover:bg-zinc-50 focus-visible:bg-zinc-50",
    !notification.read && "bg-rose-50/40",
  );
  const href = appPath(notification.link);
  if (href) {
    return (
      <Link href={href} onClick={onFollow} className={className}>
        {body}
      </Link>
    );
  }
  return (
    <button type="button" onClick={onFollow} disabled={notification.read} className={cn(className, "disabled:cursor-default")}>
      {body}
    </button>
  );
}
