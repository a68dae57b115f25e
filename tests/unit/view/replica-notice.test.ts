import { describe, expect, it } from "vitest";
import { formatReplicaAge, replicaNotice, replicaNoticeText, STALE_AFTER_SECONDS } from "@/lib/view/replica-notice";

describe("replicaNotice", () => {
  it("says nothing without a replica, or while it is within 30 s of the primary", () => {
    expect(STALE_AFTER_SECONDS).toBe(30);
    expect(replicaNotice(null)).toBeNull();
    expect(replicaNotice(undefined)).toBeNull();
    expect(replicaNotice({ ok: true, reads_from: "replica", lag_seconds: 0 })).toBeNull();
    expect(replicaNotice({ ok: true, reads_from: "replica", lag_seconds: 30 })).toBeNull();
    // Unknown lag (the primary unreachable for the measurement) is not claimed to be stale.
    expect(replicaNotice({ ok: true, reads_from: "replica", lag_seconds: null })).toBeNull();
  });

  it("says how old the data may be past 30 s", () => {
    expect(replicaNotice({ ok: true, reads_from: "replica", lag_seconds: 30.001 })).toEqual({ kind: "stale", seconds: 30.001 });
    expect(replicaNoticeText({ kind: "stale", seconds: 45.9 })).toBe("Data may be 45 s old: the read replica is behind the primary database.");
  });

  it("says the primary answers while the replica is unreachable", () => {
    const notice = replicaNotice({ ok: false, reads_from: "primary", lag_seconds: null, error: "database unreachable (ECONNREFUSED)" });
    expect(notice).toEqual({ kind: "fallback" });
    expect(replicaNoticeText({ kind: "fallback" })).toBe("The read replica is unreachable: pages are read from the primary database until it is back.");
  });
});

describe("formatReplicaAge", () => {
  it("rounds down to whole seconds, minutes from 2 min, hours from 2 h", () => {
    expect(formatReplicaAge(31.9)).toBe("31 s");
    expect(formatReplicaAge(119.99)).toBe("119 s");
    expect(formatReplicaAge(120)).toBe("2 min");
    expect(formatReplicaAge(7_199)).toBe("119 min");
    expect(formatReplicaAge(7_200)).toBe("2 h");
    expect(formatReplicaAge(90_000)).toBe("25 h");
  });
});
