"use client";

import { useEffect, useState } from "react";
import { Callout } from "@/components/ui/callout";
import type { ReplicaStatus } from "@/lib/db/replica-lag";
import { replicaNotice, replicaNoticeText } from "@/lib/view/replica-notice";

/** How often the banner asks again while the page stays open. */
export const REPLICA_BANNER_POLL_MS = 30_000;

/**
 * Above every dashboard page when a read replica serves the figures (DATABASE_READ_URL):
 * says when its data may be more than 30 s old, or that the primary answers while the
 * replica is unreachable; nothing otherwise, and never without a replica. The layout renders
 * it with the state at page load; since a layout is not rendered again on client-side
 * navigation, it then reads the same state from GET /api/ready (the public readiness JSON,
 * checks.replica) every 30 s.
 */
export function ReplicaBanner({ initial }: { initial: ReplicaStatus | null }) {
  const [status, setStatus] = useState(initial);
  const configured = initial !== null;

  useEffect(() => {
    if (!configured) return;
    let cancelled = false;
    const timer = setInterval(async () => {
      try {
        // 503 (not ready) still carries the checks.
        const response = await fetch("/api/ready", { cache: "no-store" });
        const body = (await response.json()) as { checks?: { replica?: ReplicaStatus } };
        if (!cancelled && body.checks?.replica) setStatus(body.checks.replica);
      } catch {
        // Keep the last state; the next poll tries again.
      }
    }, REPLICA_BANNER_POLL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [configured]);

  const notice = replicaNotice(status);
  if (!notice) return null;
  return (
    <Callout tone="warning" title={notice.kind === "fallback" ? "Read replica unreachable" : "Data may be out of date"} testId="replica-banner">
      {replicaNoticeText(notice)}
    </Callout>
  );
}
