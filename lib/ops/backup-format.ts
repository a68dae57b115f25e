import { constants as zlibConstants, gunzipSync } from "node:zlib";
import { z } from "zod";

/**
 * Burnrate's portable backup format, for when no pg_dump as new as the server is at hand.
 * One gzip stream (so `zcat FILE | less` shows it) holding, line by line:
 *
 *   BURNRATE-BACKUP
 *   {"format":"burnrate-backup","formatVersion":1,…}     the manifest, one line of JSON
 *   <table 1's rows in COPY text format>
 *   \.
 *   <table 2's rows>
 *   \.
 *   …
 *
 * Tables come in the manifest's order. COPY's text format escapes every backslash in the
 * data as `\\` and every newline as `\n`, so a row is exactly one line and a line holding
 * only `\.` can only be an end of table (the same marker psql uses in plain-SQL dumps).
 * Text, not binary COPY: it reads back into any PostgreSQL version and architecture.
 */

/** A refusal to act (the operator must decide something): the CLI exits with status 2. */
export class RestoreRefusedError extends Error {}

export const BACKUP_MAGIC_LINE = "BURNRATE-BACKUP";
export const BACKUP_FORMAT_VERSION = 1;
export const END_OF_TABLE = Buffer.from("\\.\n");
/** A newline followed by END_OF_TABLE: how the marker appears after a table's last row. */
const END_OF_TABLE_AFTER_ROW = Buffer.from("\n\\.\n");
const NEWLINE = 0x0a;
/** The magic line and the manifest must fit in this much; anything bigger is not ours. */
const MAX_PREAMBLE_LINE_BYTES = 16 << 20;

const instant = z.iso.datetime({ offset: true });

const backupTableSchema = z.object({
  name: z.string().min(1),
  columns: z.array(z.string().min(1)).min(1),
  rows: z.number().int().nonnegative(),
  /** usage_events only: the range of its rows, so a restore can create their partitions first (null: no rows). */
  occurredAt: z.object({ min: instant, max: instant }).nullable().optional(),
});

export interface BackupTable {
  name: string;
  columns: string[];
  rows: number;
  occurredAt?: { min: string; max: string } | null;
}

export interface BackupManifest {
  format: "burnrate-backup";
  formatVersion: 1;
  createdAt: string;
  /** SHOW server_version of the database backed up. */
  serverVersion: string;
  /** Migrations applied to that database (from _prisma_migrations), oldest first. */
  migrations: string[];
  /** In the order their rows follow in the file: referenced tables before the tables referencing them. */
  tables: BackupTable[];
}

const backupManifestSchema: z.ZodType<BackupManifest> = z
  .object({
    format: z.literal("burnrate-backup"),
    formatVersion: z.literal(BACKUP_FORMAT_VERSION),
    createdAt: instant,
    serverVersion: z.string().min(1),
    migrations: z.array(z.string().min(1)),
    tables: z.array(backupTableSchema),
  })
  .superRefine((manifest, context) => {
    const seen = new Set<string>();
    manifest.tables.forEach((table, index) => {
      if (seen.has(table.name)) {
        context.addIssue({ code: "custom", path: ["tables", index, "name"], message: `table ${table.name} is listed twice` });
      }
      seen.add(table.name);
      if (new Set(table.columns).size !== table.columns.length) {
        context.addIssue({ code: "custom", path: ["tables", index, "columns"], message: `table ${table.name} lists a column twice` });
      }
      const range = table.occurredAt;
      if (range && Date.parse(range.min) > Date.parse(range.max)) {
        context.addIssue({ code: "custom", path: ["tables", index, "occurredAt"], message: "min is after max" });
      }
    });
  });

/** The manifest in a backup's second line, validated; throws naming what is wrong. */
export function parseManifest(line: string): BackupManifest {
  let document: unknown;
  try {
    document = JSON.parse(line);
  } catch {
    throw new Error("the backup's manifest is not valid JSON: the file is damaged");
  }
  const version = (document as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === "number" && version > BACKUP_FORMAT_VERSION) {
    throw new Error(
      `the backup is in format version ${version}, written by a newer Burnrate; this version reads version ${BACKUP_FORMAT_VERSION}`,
    );
  }
  const parsed = backupManifestSchema.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "manifest"}: ${issue.message}`);
    throw new Error(`the backup's manifest is invalid: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** The magic line and the manifest line that open a backup's (uncompressed) contents. */
export function backupPreamble(manifest: BackupManifest): Buffer {
  return Buffer.from(`${BACKUP_MAGIC_LINE}\n${JSON.stringify(manifest)}\n`, "utf8");
}

export type BackupFileFormat = "pg_dump" | "burnrate" | "unknown";

/**
 * What a backup file is, from its first bytes (a few KB): a pg_dump custom-format
 * archive starts with "PGDMP"; ours is gzip whose contents start with the magic line.
 */
export function detectBackupFormat(head: Buffer): BackupFileFormat {
  if (head.subarray(0, 5).toString("latin1") === "PGDMP") return "pg_dump";
  if (head[0] !== 0x1f || head[1] !== 0x8b) return "unknown";
  try {
    // A sync flush decompresses what a truncated stream holds instead of failing on it.
    const start = gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    return start.subarray(0, BACKUP_MAGIC_LINE.length + 1).toString("latin1") === `${BACKUP_MAGIC_LINE}\n` ? "burnrate" : "unknown";
  } catch {
    return "unknown";
  }
}

export interface SectionSplit {
  /** Bytes of the current table that can be passed on now. */
  data: Buffer;
  /** What stays to look at: the next table's bytes once ended, else a possible start of the end marker. */
  rest: Buffer;
  /** The end-of-table line was found (and is in neither data nor rest). */
  ended: boolean;
  /** Whether rest starts at the beginning of a line. */
  atLineStart: boolean;
}

/**
 * Takes one table's COPY data off the front of `pending`: up to its end-of-table line when
 * that is there, else everything but the last 3 bytes, which could be the start of a
 * marker the next chunk completes.
 */
export function splitSection(pending: Buffer, atLineStart: boolean): SectionSplit {
  if (atLineStart && pending.length >= END_OF_TABLE.length && pending.subarray(0, END_OF_TABLE.length).equals(END_OF_TABLE)) {
    return { data: pending.subarray(0, 0), rest: pending.subarray(END_OF_TABLE.length), ended: true, atLineStart: true };
  }
  if (atLineStart && pending.length < END_OF_TABLE.length) {
    return { data: pending.subarray(0, 0), rest: pending, ended: false, atLineStart };
  }
  const marker = pending.indexOf(END_OF_TABLE_AFTER_ROW);
  if (marker >= 0) {
    return {
      data: pending.subarray(0, marker + 1),
      rest: pending.subarray(marker + END_OF_TABLE_AFTER_ROW.length),
      ended: true,
      atLineStart: true,
    };
  }
  const safe = Math.max(0, pending.length - (END_OF_TABLE_AFTER_ROW.length - 1));
  return {
    data: pending.subarray(0, safe),
    rest: pending.subarray(safe),
    ended: false,
    atLineStart: safe > 0 ? pending[safe - 1] === NEWLINE : atLineStart,
  };
}

/** Rows in a piece of COPY text data: one per newline. */
export function countRows(data: Buffer): number {
  let rows = 0;
  for (let at = data.indexOf(NEWLINE); at >= 0; at = data.indexOf(NEWLINE, at + 1)) rows++;
  return rows;
}

/**
 * Reads a backup's decompressed contents in order: the manifest, then each table's COPY
 * data as a stream of chunks, then the end. Holds at most one chunk in memory.
 */
export class BackupReader {
  private pending: Buffer = Buffer.alloc(0);
  private atLineStart = true;
  private readonly chunks: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.chunks = source[Symbol.asyncIterator]();
  }

  async readManifest(): Promise<BackupManifest> {
    const magic = await this.readLine();
    if (magic !== BACKUP_MAGIC_LINE) throw new Error("not a Burnrate backup (its first line is not BURNRATE-BACKUP)");
    return parseManifest(await this.readLine());
  }

  /** The next table's COPY data, up to (not including) its end-of-table line. */
  async *tableData(tableName: string): AsyncGenerator<Buffer> {
    for (;;) {
      const split = splitSection(this.pending, this.atLineStart);
      this.pending = split.rest;
      this.atLineStart = split.atLineStart;
      if (split.data.length > 0) yield split.data;
      if (split.ended) return;
      if (!(await this.fill())) throw new Error(`the backup ends inside table ${tableName}: the file is truncated`);
    }
  }

  /** Throws unless every byte has been read. */
  async expectEnd(): Promise<void> {
    if (this.pending.length > 0 || (await this.fill())) throw new Error("the backup holds data after its last table: the file is damaged");
  }

  private async readLine(): Promise<string> {
    for (;;) {
      const newline = this.pending.indexOf(NEWLINE);
      if (newline >= 0) {
        const line = this.pending.subarray(0, newline).toString("utf8");
        this.pending = this.pending.subarray(newline + 1);
        return line;
      }
      if (this.pending.length > MAX_PREAMBLE_LINE_BYTES) throw new Error("not a Burnrate backup (no manifest line)");
      if (!(await this.fill())) throw new Error("the backup ends before its manifest: the file is truncated");
    }
  }

  private async fill(): Promise<boolean> {
    let next: IteratorResult<Buffer>;
    try {
      next = await this.chunks.next();
    } catch (error) {
      throw new Error(`the backup cannot be read (${error instanceof Error ? error.message : String(error)}): the file is damaged or truncated`);
    }
    if (next.done) return false;
    this.pending = this.pending.length > 0 ? Buffer.concat([this.pending, next.value]) : next.value;
    return true;
  }
}
