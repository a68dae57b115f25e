import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { RestoreRefusedError } from "@/lib/ops/backup-format";
import { defaultBackupPath, findOrderConflict, formatBytes, orderByDependencies, type ForeignKeyEdge } from "@/lib/ops/backup-catalog";
import { migrationsAfter } from "@/lib/ops/restore";
import { libpqEnvironment, parsePostgresVersion, toolProblem, toolSupportsServer } from "@/lib/ops/postgres-tools";
import {
  BackupReader,
  backupPreamble,
  countRows,
  detectBackupFormat,
  parseManifest,
  splitSection,
  type BackupManifest,
} from "@/lib/ops/backup-format";

const version = (text: string) => parsePostgresVersion(text);

describe("parsePostgresVersion", () => {
  it.each([
    ["pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)", 15, "15.18"],
    ["pg_restore (PostgreSQL) 18.1\n", 18, "18.1"],
    ["18.4", 18, "18.4"],
    ["18.4 (Debian 18.4-1.pgdg120+1)", 18, "18.4"],
    ["17beta1", 17, "17beta1"],
    ["pg_dump (PostgreSQL) 16rc1", 16, "16rc1"],
    ["19devel", 19, "19devel"],
    ["9.6.24", 9.6, "9.6.24"],
    ["pg_dump (PostgreSQL) 9.5.3", 9.5, "9.5.3"],
  ])("reads %j as major %d", (output, major, text) => {
    expect(parsePostgresVersion(output)).toEqual({ major, text });
  });

  it.each(["", "pg_dump: command not found", "PostgreSQL eighteen"])("refuses %j", (output) => {
    expect(() => parsePostgresVersion(output)).toThrow(`cannot read a PostgreSQL version from "${output.trim()}"`);
  });
});

describe("toolSupportsServer", () => {
  it.each([
    ["15.18", "18.4", false],
    ["17.9", "18.0", false],
    ["18.0", "18.4", true],
    ["18.4", "18.4", true],
    ["19beta2", "18.4", true],
    ["18devel", "18.4", true],
    ["9.6.24", "9.5.3", true],
    ["9.5.3", "9.6.1", false],
    ["9.6.24", "10.1", false],
  ])("%s with a %s server: %s", (tool, server, supported) => {
    expect(toolSupportsServer(version(tool), version(server))).toBe(supported);
  });
});

describe("toolProblem", () => {
  const server = version("18.4");
  it("names both versions when the tool is too old", () => {
    const tool = { name: "pg_dump" as const, path: "/usr/bin/pg_dump", version: version("pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)") };
    expect(toolProblem("pg_dump", tool, server)).toBe(
      "pg_dump 15.18 (/usr/bin/pg_dump) is older than the PostgreSQL 18.4 server",
    );
  });

  it("says where it looked when there is no tool", () => {
    expect(toolProblem("pg_restore", null, server)).toBe(
      "no pg_restore found (BURNRATE_PG_RESTORE is unset and there is none on PATH); the server is PostgreSQL 18.4",
    );
  });

  it("has no problem with a tool as new as the server", () => {
    expect(toolProblem("pg_dump", { name: "pg_dump", path: "/opt/pg18/pg_dump", version: version("18.1") }, server)).toBeNull();
  });
});

function manifest(overrides: Partial<BackupManifest> = {}): BackupManifest {
  return {
    format: "burnrate-backup",
    formatVersion: 1,
    createdAt: "2026-12-02T01:49:39.123Z",
    serverVersion: "18.4",
    migrations: ["20261125100231_init", "20261201221148_daily_rollups"],
    tables: [
      { name: "teams", columns: ["id", "slug"], rows: 2 },
      { name: "usage_events", columns: ["id", "occurred_at"], rows: 3, occurredAt: { min: "2026-11-01T00:00:00.000Z", max: "2026-12-01T10:00:00.000Z" } },
      { name: "outcomes", columns: ["id"], rows: 0 },
    ],
    ...overrides,
  };
}

describe("detectBackupFormat", () => {
  // Random rows do not compress: the file is much longer than the head that is read.
  const body = Buffer.concat([backupPreamble(manifest()), Buffer.from(`${randomBytes(20_000).toString("hex")}\n\\.\n`)]);

  it("recognises a pg_dump custom-format archive by PGDMP", () => {
    expect(detectBackupFormat(Buffer.from([0x50, 0x47, 0x44, 0x4d, 0x50, 0x01, 0x10, 0x00]))).toBe("pg_dump");
  });

  it("recognises a Burnrate backup from its first compressed bytes alone", () => {
    const compressed = gzipSync(body);
    expect(compressed.length).toBeGreaterThan(4096);
    expect(detectBackupFormat(compressed.subarray(0, 4096))).toBe("burnrate");
    expect(detectBackupFormat(compressed)).toBe("burnrate");
  });

  it.each([
    ["gzip of something else", gzipSync(Buffer.from("--\n-- PostgreSQL database dump\n"))],
    ["a plain-SQL dump", Buffer.from("--\n-- PostgreSQL database dump\n--\n")],
    ["a damaged gzip header", Buffer.from([0x1f, 0x8b, 0xff, 0xff, 0xff])],
    ["an empty file", Buffer.alloc(0)],
  ])("calls %s unknown", (_name, head) => {
    expect(detectBackupFormat(head)).toBe("unknown");
  });
});

describe("orderByDependencies", () => {
  const edges: ForeignKeyEdge[] = [
    { table: "team_memberships", references: "users" },
    { table: "team_memberships", references: "teams" },
    { table: "api_keys", references: "users" },
    { table: "alert_events", references: "alert_rules" },
    { table: "alert_events", references: "budgets" },
    { table: "alert_events", references: "users" },
    { table: "alert_rules", references: "budgets" },
    { table: "alert_deliveries", references: "alert_events" },
    { table: "alert_deliveries", references: "alert_channels" },
    { table: "_AlertChannelToAlertRule", references: "alert_channels" },
    { table: "_AlertChannelToAlertRule", references: "alert_rules" },
    { table: "usage_events", references: "prices" },
    // Ignored: a self-reference, and a table outside the list.
    { table: "teams", references: "teams" },
    { table: "users", references: "_prisma_migrations" },
  ];
  const tables = [
    "users", "usage_events", "teams", "team_memberships", "prices", "budgets", "api_keys",
    "alert_rules", "alert_events", "alert_deliveries", "alert_channels", "_AlertChannelToAlertRule",
  ];

  it("puts every table after the tables it references, alphabetically among the free ones", () => {
    expect(orderByDependencies(tables, edges)).toEqual([
      "alert_channels",
      "budgets",
      "alert_rules",
      "_AlertChannelToAlertRule",
      "prices",
      "teams",
      "usage_events",
      "users",
      "alert_events",
      "alert_deliveries",
      "api_keys",
      "team_memberships",
    ]);
  });

  it("keeps tables without foreign keys in alphabetical order", () => {
    expect(orderByDependencies(["b", "c", "a"], [])).toEqual(["a", "b", "c"]);
  });

  it("names the cycle when foreign keys form one", () => {
    const cyclic: ForeignKeyEdge[] = [
      { table: "a", references: "b" },
      { table: "b", references: "c" },
      { table: "c", references: "a" },
      { table: "e", references: "a" },
    ];
    expect(() => orderByDependencies(["e", "d", "c", "b", "a"], cyclic)).toThrow("foreign keys form a cycle: a → b → c → a");
  });

  it("finds the foreign key an order breaks", () => {
    expect(findOrderConflict(orderByDependencies(tables, edges), edges)).toBeNull();
    expect(findOrderConflict(["users", "api_keys", "team_memberships", "teams"], edges)).toEqual({
      table: "team_memberships",
      references: "teams",
    });
  });
});

describe("migrationsAfter", () => {
  const code = ["20261125100231_init", "20261125111725_drop_event_team_index", "20261201221148_daily_rollups"];

  it("returns the code's migrations the backup predates", () => {
    expect(migrationsAfter(code.slice(0, 1), code)).toEqual(code.slice(1));
    expect(migrationsAfter(code, code)).toEqual([]);
    expect(migrationsAfter([], code)).toEqual(code);
  });

  it("refuses a backup with migrations this version does not have", () => {
    const newer = [...code, "20270101000000_from_the_future"];
    expect(() => migrationsAfter(newer, code)).toThrow(RestoreRefusedError);
    expect(() => migrationsAfter(newer, code)).toThrow(
      "the backup comes from a newer Burnrate: its migration 20270101000000_from_the_future is not in this version; upgrade Burnrate, then restore",
    );
  });

  it("refuses a history that skips one of the code's migrations", () => {
    expect(() => migrationsAfter([code[0] as string, code[2] as string], code)).toThrow(
      "the backup's migration history differs from this version's at #2 (backup: 20261201221148_daily_rollups, this version: 20261125111725_drop_event_team_index)",
    );
  });
});

describe("parseManifest", () => {
  it("accepts a valid manifest as it is", () => {
    expect(parseManifest(JSON.stringify(manifest()))).toEqual(manifest());
  });

  it("accepts an empty usage_events range as null", () => {
    const empty = manifest({ tables: [{ name: "usage_events", columns: ["id"], rows: 0, occurredAt: null }] });
    expect(parseManifest(JSON.stringify(empty)).tables[0]?.occurredAt).toBeNull();
  });

  it("names the field that is wrong", () => {
    const broken = { ...manifest(), tables: [{ name: "teams", columns: [], rows: -1 }] };
    expect(() => parseManifest(JSON.stringify(broken))).toThrow(/tables\.0\.columns: .*; tables\.0\.rows: /);
    expect(() => parseManifest(JSON.stringify({ ...manifest(), migrations: "init" }))).toThrow(/^the backup's manifest is invalid: migrations: /);
  });

  it("refuses a table listed twice and an inverted range", () => {
    const twice = manifest({ tables: [{ name: "teams", columns: ["id"], rows: 1 }, { name: "teams", columns: ["id"], rows: 1 }] });
    expect(() => parseManifest(JSON.stringify(twice))).toThrow("tables.1.name: table teams is listed twice");
    const inverted = manifest({
      tables: [{ name: "usage_events", columns: ["id"], rows: 2, occurredAt: { min: "2026-12-01T00:00:00.000Z", max: "2026-11-01T00:00:00.000Z" } }],
    });
    expect(() => parseManifest(JSON.stringify(inverted))).toThrow("tables.0.occurredAt: min is after max");
  });

  it("says when a newer Burnrate wrote the file, and when it is not JSON", () => {
    expect(() => parseManifest(JSON.stringify({ ...manifest(), formatVersion: 2 }))).toThrow(
      "the backup is in format version 2, written by a newer Burnrate; this version reads version 1",
    );
    expect(() => parseManifest("{not json")).toThrow("the backup's manifest is not valid JSON: the file is damaged");
  });
});

describe("splitSection", () => {
  const text = (buffer: Buffer) => buffer.toString("latin1");

  it("ends a table at a line holding only \\.", () => {
    const split = splitSection(Buffer.from("a\t1\nb\t2\n\\.\nnext"), true);
    expect([text(split.data), text(split.rest), split.ended, split.atLineStart]).toEqual(["a\t1\nb\t2\n", "next", true, true]);
  });

  it("ends an empty table at once", () => {
    const split = splitSection(Buffer.from("\\.\nnext"), true);
    expect([text(split.data), text(split.rest), split.ended]).toEqual(["", "next", true]);
  });

  it("keeps back the bytes that could start the marker", () => {
    const split = splitSection(Buffer.from("a\t1\n\\."), false);
    expect([text(split.data), text(split.rest), split.ended, split.atLineStart]).toEqual(["a\t1", "\n\\.", false, false]);
    const atStart = splitSection(Buffer.from("\\."), true);
    expect([text(atStart.data), text(atStart.rest), atStart.ended]).toEqual(["", "\\.", false]);
  });

  it("does not take an escaped backslash-dot inside a row for the marker", () => {
    // The value `\.` is written `\\.` by COPY: never a line of its own.
    const split = splitSection(Buffer.from("x\n\\\\.\n\\.\n"), true);
    expect([text(split.data), split.ended]).toEqual(["x\n\\\\.\n", true]);
  });

  it("counts one row per line", () => {
    expect(countRows(Buffer.from("a\n\\n escaped newline\nb\n"))).toBe(3);
    expect(countRows(Buffer.alloc(0))).toBe(0);
  });
});

describe("BackupReader", () => {
  const tables = ["row one\t\\N\nrow\\ttwo\t\\\\.\n", "", "\\.x\n.\n\\\\.\n"];
  const body = Buffer.concat([
    backupPreamble(manifest()),
    ...tables.map((rows) => Buffer.from(`${rows}\\.\n`, "latin1")),
  ]);

  async function* chunks(buffer: Buffer, size: number): AsyncGenerator<Buffer> {
    for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, at + size);
  }

  async function readAll(size: number): Promise<{ manifest: BackupManifest; tables: string[] }> {
    const reader = new BackupReader(chunks(body, size));
    const read = await reader.readManifest();
    const data: string[] = [];
    for (const table of read.tables) {
      const parts: Buffer[] = [];
      for await (const chunk of reader.tableData(table.name)) parts.push(Buffer.from(chunk));
      data.push(Buffer.concat(parts).toString("latin1"));
    }
    await reader.expectEnd();
    return { manifest: read, tables: data };
  }

  it.each([1, 2, 3, 4, 5, 7, 64, 1 << 16])("reads the same tables whatever the chunk size (%d bytes)", async (size) => {
    expect(await readAll(size)).toEqual({ manifest: manifest(), tables });
  });

  it("reports a file cut inside a table", async () => {
    const reader = new BackupReader(chunks(body.subarray(0, body.length - 5), 100));
    const read = await reader.readManifest();
    const drain = async () => {
      for (const table of read.tables) for await (const _chunk of reader.tableData(table.name));
    };
    await expect(drain()).rejects.toThrow("the backup ends inside table outcomes: the file is truncated");
  });

  it("reports data after the last table and a wrong first line", async () => {
    const reader = new BackupReader(chunks(Buffer.concat([body, Buffer.from("extra\n")]), 4096));
    const read = await reader.readManifest();
    for (const table of read.tables) for await (const _chunk of reader.tableData(table.name));
    await expect(reader.expectEnd()).rejects.toThrow("the backup holds data after its last table: the file is damaged");
    await expect(new BackupReader(chunks(Buffer.from("PGDMP\n{}\n"), 10)).readManifest()).rejects.toThrow(
      "not a Burnrate backup (its first line is not BURNRATE-BACKUP)",
    );
  });
});

describe("libpqEnvironment", () => {
  it("moves the URL's parts, password included, into libpq's variables", () => {
    expect(libpqEnvironment("postgresql://burnrate:p%40ss%2Fw@127.0.0.1:54329/burnrate_test?sslmode=require&schema=public")).toEqual({
      PGHOST: "127.0.0.1",
      PGPORT: "54329",
      PGUSER: "burnrate",
      PGPASSWORD: "p@ss/w",
      PGDATABASE: "burnrate_test",
      PGSSLMODE: "require",
    });
  });

  it("takes a socket directory from ?host= and an IPv6 host without brackets", () => {
    expect(libpqEnvironment("postgres://app@localhost/burnrate?host=/var/run/postgresql")).toEqual({
      PGHOST: "/var/run/postgresql",
      PGUSER: "app",
      PGDATABASE: "burnrate",
    });
    expect(libpqEnvironment("postgres://app@[::1]:5432/db").PGHOST).toBe("::1");
  });
});

describe("defaultBackupPath and formatBytes", () => {
  it("names a backup by its UTC time to the second", () => {
    expect(defaultBackupPath("/data/backups", new Date("2026-12-02T01:49:39.123Z"))).toBe("/data/backups/burnrate-20261202T014939Z.dump");
  });

  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1.0 KB"],
    [1536, "1.5 KB"],
    [5 * 1024 * 1024, "5.0 MB"],
    [3.25 * 1024 ** 3, "3.3 GB"],
  ])("formats %d bytes as %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
