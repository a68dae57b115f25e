import { describe, expect, it } from "vitest";
import { parseLsn, PRIMARY_SAMPLES_KEPT, replicaLagSeconds, withSample, type PrimarySample, type ReplicaPosition } from "@/lib/db/replica-lag";

const NOW = new Date("2026-12-01T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW.getTime() - ms);

const position = (fields: Partial<ReplicaPosition>): ReplicaPosition => ({
  inRecovery: true,
  replayLsn: "0/3000148",
  replayedAt: ago(600_000),
  now: NOW,
  ...fields,
});

describe("parseLsn", () => {
  it("reads the high and low 32 bits in hex", () => {
    expect(parseLsn("0/0")).toBe(0n);
    expect(parseLsn("0/3000148")).toBe(0x3000148n);
    expect(parseLsn("16/B374D848")).toBe((0x16n << 32n) + 0xb374d848n);
    expect(parseLsn("FFFFFFFF/FFFFFFFF")).toBe(2n ** 64n - 1n);
    // The low word is not a decimal fraction: 1/0 is past 0/FFFFFFFF.
    expect(parseLsn("1/0") > parseLsn("0/FFFFFFFF")).toBe(true);
  });

  it("refuses anything else", () => {
    for (const text of ["", "3000148", "0/", "/1", "0/123456789", "0/xyz", " 0/1"]) expect(() => parseLsn(text)).toThrow("not a WAL position");
  });
});

describe("replicaLagSeconds", () => {
  it("is 0 when the replica has replayed up to the primary's position, however old its last commit (an idle primary)", () => {
    expect(replicaLagSeconds("0/3000148", position({}))).toBe(0);
    // Read after the primary's position was taken: the replica may already be past it.
    expect(replicaLagSeconds("0/3000100", position({}))).toBe(0);
  });

  it("is the age of the last replayed commit when the replica is behind, to the millisecond", () => {
    expect(replicaLagSeconds("0/3000149", position({ replayedAt: ago(45_250) }))).toBe(45.25);
    expect(replicaLagSeconds("1/0", position({ replayLsn: "0/FFFFFFFF", replayedAt: ago(1) }))).toBe(0.001);
  });

  it("never goes below 0 when the clocks disagree", () => {
    expect(replicaLagSeconds("0/4000000", position({ replayedAt: new Date(NOW.getTime() + 1_500) }))).toBe(0);
  });

  it("is 0 for a server that is not a standby (the read URL names a primary)", () => {
    expect(replicaLagSeconds("0/4000000", position({ inRecovery: false, replayLsn: null, replayedAt: null }))).toBe(0);
  });

  it("is unknown (null) without the primary's position, before the first replay, or behind without a replayed commit", () => {
    expect(replicaLagSeconds(null, position({}))).toBeNull();
    expect(replicaLagSeconds("0/4000000", position({ replayLsn: null }))).toBeNull();
    expect(replicaLagSeconds("0/4000000", position({ replayedAt: null }))).toBeNull();
    // Caught up needs no commit time.
    expect(replicaLagSeconds("0/3000148", position({ replayedAt: null }))).toBe(0);
  });
});

describe("replicaLagSeconds with the primary's earlier positions", () => {
  const nowMs = NOW.getTime();
  const samples = [
    { lsn: "0/3000000", atMs: nowMs - 20_000 },
    { lsn: "0/3000100", atMs: nowMs - 10_000 },
    { lsn: "0/3000200", atMs: nowMs - 5_000 },
  ];

  it("is at most the time since the primary was at a position the replica has replayed (WAL without commits)", () => {
    // Replayed 0/3000148: past the sample of 10 s ago, not the one of 5 s ago; its last commit is 10 min old.
    expect(replicaLagSeconds("0/3000300", position({}), { samples, nowMs })).toBe(10);
    // Samples in any order: the newest one reached counts.
    expect(replicaLagSeconds("0/3000300", position({}), { samples: [...samples].reverse(), nowMs })).toBe(10);
  });

  it("is the last commit's age when that is smaller (the usual case under load)", () => {
    expect(replicaLagSeconds("0/3000300", position({ replayedAt: ago(1_250) }), { samples, nowMs })).toBe(1.25);
  });

  it("is the commit's age when the replica has reached none of the samples, and the bound when there is no commit time", () => {
    expect(replicaLagSeconds("0/4000000", position({ replayLsn: "0/2000000", replayedAt: ago(45_000) }), { samples, nowMs })).toBe(45);
    expect(replicaLagSeconds("0/3000300", position({ replayedAt: null }), { samples, nowMs })).toBe(10);
    expect(replicaLagSeconds("0/4000000", position({ replayLsn: "0/2000000", replayedAt: null }), { samples, nowMs })).toBeNull();
  });

  it("keeps the last PRIMARY_SAMPLES_KEPT samples", () => {
    let kept: PrimarySample[] = [];
    for (let i = 0; i < PRIMARY_SAMPLES_KEPT + 5; i++) kept = withSample(kept, { lsn: `0/${i.toString(16)}`, atMs: i });
    expect(kept).toHaveLength(PRIMARY_SAMPLES_KEPT);
    expect(kept[0]).toEqual({ lsn: "0/5", atMs: 5 });
    expect(kept.at(-1)).toEqual({ lsn: `0/${(PRIMARY_SAMPLES_KEPT + 4).toString(16)}`, atMs: PRIMARY_SAMPLES_KEPT + 4 });
  });
});
