import "server-only";
import { dbOf, teamScopeOf, type Ctx } from "@/lib/context";
import { SqlParams, rows } from "@/lib/db/sql";
import { TAG_KEY_PATTERN } from "@/lib/schemas/spend";

/**
 * GET /api/v1/tags: the extra tag keys seen in usage (the keys of events' extra_tags), which
 * can be grouped and filtered on as `tag.<key>`. Read from the tag rollups' index one key at a
 * time (a loose index scan), within the caller's teams; keys that cannot be a dimension
 * (TAG_KEY_PATTERN) are left out.
 */
export async function listTagKeys(ctx: Ctx): Promise<{ keys: string[] }> {
  const params = new SqlParams();
  const scope = params.teamScope(teamScopeOf(ctx), "t.team");
  const result = await rows<{ tag_key: string }>(
    dbOf(ctx),
    `WITH RECURSIVE keys AS (
       (SELECT t.tag_key FROM usage_rollup_tag_hourly t WHERE true${scope} ORDER BY t.tag_key LIMIT 1)
       UNION ALL
       SELECT (SELECT t.tag_key FROM usage_rollup_tag_hourly t WHERE t.tag_key > keys.tag_key${scope} ORDER BY t.tag_key LIMIT 1)
       FROM keys WHERE keys.tag_key IS NOT NULL
     )
     SELECT tag_key FROM (
       SELECT tag_key FROM keys WHERE tag_key IS NOT NULL
       UNION
       -- Ingest's rows not yet folded into the tag rollups (a few seconds' worth).
       SELECT DISTINCT t.tag_key FROM usage_rollup_pending t WHERE t.tag_key IS NOT NULL${scope}
     ) AS k ORDER BY tag_key LIMIT 500`,
    params,
  );
  return { keys: result.map((row) => row.tag_key).filter((key) => TAG_KEY_PATTERN.test(key)) };
}
