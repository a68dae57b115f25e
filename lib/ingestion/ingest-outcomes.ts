import "server-only";
import { outcomeSchema } from "@/lib/schemas/outcome";
import { findUnstorableText } from "@/lib/schemas/storable-text";
import { issuePath } from "@/lib/http/errors";
import { MAX_EVENT_BYTES, type EventError } from "@/lib/ingestion/prepare-event";
import { applyBoundTeam, ingestScope, scopedItemId, type IngestResult } from "@/lib/ingestion/ingest-events";
import { recordIngest, rejectReason, secondsSince, type RejectReason } from "@/lib/ops/metrics";
import { dbOf, type Ctx } from "@/lib/context";

const OUTCOME_COLUMNS_TAGS = ["team", "feature", "environment", "tenant"] as const;

/** Same rules as events: per-item validation, dedupe by id, one committed write. */
export async function ingestOutcomes(ctx: Ctx, input: { outcomes: readonly unknown[] }): Promise<IngestResult> {
  const pool = dbOf(ctx);
  const options = ingestScope(ctx.principal);
  const rawOutcomes = input.outcomes;
  const started = process.hrtime.bigint();
  const errors: EventError[] = [];
  const rejections: RejectReason[] = [];
  const rows = new Map<string, unknown[]>();
  let duplicates = 0;
  rawOutcomes.forEach((raw, index) => {
    const id = typeof (raw as { id?: unknown } | null)?.id === "string" ? (raw as { id: string }).id : undefined;
    const unstorable = findUnstorableText(raw);
    if (unstorable) {
      errors.push({ index, ...(id ? { id } : {}), ...unstorable });
      rejections.push(rejectReason(unstorable));
      return;
    }
    const size = Buffer.byteLength(JSON.stringify(raw) ?? "", "utf8");
    if (size > MAX_EVENT_BYTES) {
      errors.push({ index, ...(id ? { id } : {}), path: "", message: `the outcome is ${size} bytes; at most ${MAX_EVENT_BYTES}` });
      rejections.push("too_large");
      return;
    }
    const parsed = outcomeSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        errors.push({ index, ...(id ? { id } : {}), path: issuePath(issue.path), message: issue.message });
      }
      rejections.push(parsed.error.issues[0] ? rejectReason({ path: issuePath(parsed.error.issues[0].path), message: "" }) : "invalid_field");
      return;
    }
    const outcome = { ...parsed.data, id: scopedItemId(parsed.data.id, options.idNamespace) };
    if (rows.has(outcome.id)) {
      duplicates++;
      return;
    }
    const tags = { ...outcome.tags };
    const owner = { id: outcome.id, team: tags.team ?? null };
    const teamProblem = applyBoundTeam(owner, options.boundTeam, index);
    if (teamProblem) {
      errors.push(teamProblem);
      rejections.push("team_not_allowed");
      return;
    }
    if (owner.team) tags.team = owner.team;
    const extra = Object.fromEntries(Object.entries(tags).filter(([k]) => !(OUTCOME_COLUMNS_TAGS as readonly string[]).includes(k)));
    rows.set(outcome.id, [
      outcome.id,
      new Date(outcome.timestamp).toISOString(),
      outcome.trace_id,
      outcome.type,
      outcome.success,
      // The JSON number's own shortest text, so 0.1 is stored as 0.1, not 0.1000000000000000055.
      outcome.value === undefined ? null : String(outcome.value),
      tags.team ?? null,
      tags.feature ?? null,
      tags.environment ?? null,
      tags.tenant ?? null,
      Object.keys(extra).length ? JSON.stringify(extra) : null,
    ]);
  });
  const rejected = new Set(errors.map((e) => e.index)).size;
  const values = [...rows.values()];
  if (values.length === 0) {
    recordIngest("outcome", { accepted: 0, duplicates, unpriced: 0, rejections }, secondsSince(started));
    return { accepted: 0, duplicates, rejected, errors };
  }

  const column = (i: number) => values.map((row) => row[i]);
  const result = await pool.query<{ id: string }>(
    `INSERT INTO outcomes (id, occurred_at, trace_id, type, success, value, team, feature, environment, tenant, extra_tags)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::boolean[], $6::numeric[],
                          $7::text[], $8::text[], $9::text[], $10::text[], $11::jsonb[])
     ON CONFLICT (id) DO NOTHING
     RETURNING id`,
    Array.from({ length: 11 }, (_, i) => column(i)),
  );
  const accepted = result.rowCount ?? 0;
  const stored = { accepted, duplicates: duplicates + values.length - accepted, rejected, errors };
  recordIngest("outcome", { accepted, duplicates: stored.duplicates, unpriced: 0, rejections }, secondsSince(started));
  return stored;
}
