/**
 * PostgreSQL's text cannot hold a NUL character, and a lone UTF-16 surrogate cannot be encoded
 * as UTF-8: either makes the whole INSERT fail, and with it every other item of the batch. Each
 * item is therefore checked before it is stored and refused on its own, naming the path
 * (contract, "Security rules every route keeps": storable strings). The walk is depth-bounded,
 * so a hostile nesting depth is an error here, not a stack overflow.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const MAX_ITEM_DEPTH = 16;
/** The deepest limit a caller may ask for: the walk recurses once per level, up to the limit. */
export const MAX_WALK_DEPTH = 1000;

export interface TextProblem {
  path: string;
  message: string;
}

// Cheap first test: text with none of these is storable (plain ASCII, most of every payload).
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

export function isStorableText(text: string): boolean {
  return !SUSPECT.test(text) || !UNSTORABLE.test(text);
}

export interface ItemScan {
  problem: TextProblem | null;
  /**
   * An upper bound of the UTF-8 bytes of JSON.stringify(value): every character counted as
   * the longest escape it could take (6 bytes), every number as 32. Below a size cap, it proves
   * the value within it without serialising it; above, measure exactly.
   */
  jsonBytesBound: number;
}

/** Where the walk stopped: the keys from the problem's value up to the item (reversed), and why. */
interface Found {
  keys: string[];
  message: string;
}

/**
 * findUnstorableText plus a bound of the value's JSON size, in one walk, children in order.
 * Recursive but depth-bounded (maxDepth frames at most: a hostile nesting depth is an error
 * here, never a stack overflow); no allocation per value, so the path is built only for the
 * problem found. It runs for every field of every event (bench:ingest-profile).
 */
export function scanItem(value: unknown, maxDepth = MAX_ITEM_DEPTH): ItemScan {
  if (!(maxDepth >= 0 && maxDepth <= MAX_WALK_DEPTH)) throw new RangeError(`maxDepth must be from 0 to ${MAX_WALK_DEPTH}`);
  const walk = { bound: 0, maxDepth };
  const found = visit(value, 0, walk);
  if (!found) return { problem: null, jsonBytesBound: walk.bound };
  return { problem: { path: found.keys.reverse().join("."), message: found.message }, jsonBytesBound: walk.bound };
}

function visit(current: unknown, depth: number, walk: { bound: number; maxDepth: number }): Found | null {
  if (typeof current === "string") {
    walk.bound += current.length * 6 + 2;
    return isStorableText(current) ? null : { keys: [], message: "must be storable text (no NUL character, no lone surrogate)" };
  }
  if (typeof current !== "object" || current === null) {
    // A number prints in at most 25 characters (-0.0000012345678901234567); 32 to spare.
    walk.bound += 32;
    return null;
  }
  if (depth >= walk.maxDepth) return { keys: [], message: `is nested more than ${walk.maxDepth} levels deep` };
  walk.bound += 2;
  if (Array.isArray(current)) {
    for (let i = 0; i < current.length; i++) {
      walk.bound += 1;
      const found = visit(current[i], depth + 1, walk);
      if (found) {
        found.keys.push(String(i));
        return found;
      }
    }
    return null;
  }
  for (const key of Object.keys(current)) {
    walk.bound += key.length * 6 + 4;
    if (!isStorableText(key)) return { keys: [key.replace(UNSTORABLE, "?")], message: "names a key that is not storable text" };
    const found = visit((current as Record<string, unknown>)[key], depth + 1, walk);
    if (found) {
      found.keys.push(key);
      return found;
    }
  }
  return null;
}

/** The first key or string value PostgreSQL cannot store, or a nesting deeper than maxDepth; null when all is well. */
export function findUnstorableText(value: unknown, maxDepth = MAX_ITEM_DEPTH): TextProblem | null {
  return scanItem(value, maxDepth).problem;
}
