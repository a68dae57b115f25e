/**
 * PostgreSQL's text cannot hold a NUL character, and a lone UTF-16 surrogate cannot be encoded
 * as UTF-8: either makes the whole INSERT fail, and with it every other item of the batch. Each
 * item is therefore checked before it is stored and refused on its own, naming the path
 * (contract, "Security rules every route keeps": storable strings). The walk is iterative and
 * depth-bounded, so a hostile nesting depth is an error here, not a stack overflow later.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const MAX_ITEM_DEPTH = 16;

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

interface Frame {
  value: unknown;
  depth: number;
  parent: number;
  key: string;
}

/** The path of frame `index`, joined with dots (built only when a problem is found). */
function pathOf(frames: Frame[], index: number, extra?: string): string {
  const parts: string[] = extra === undefined ? [] : [extra];
  for (let i = index; i > 0; i = (frames[i] as Frame).parent) parts.push((frames[i] as Frame).key);
  return parts.reverse().join(".");
}

/**
 * findUnstorableText plus a bound of the value's JSON size, in one walk. Iterative and
 * depth-bounded; paths are built only for the problem found.
 */
export function scanItem(value: unknown, maxDepth = MAX_ITEM_DEPTH): ItemScan {
  const frames: Frame[] = [{ value, depth: 0, parent: -1, key: "" }];
  const stack: number[] = [0];
  let bound = 0;
  while (stack.length > 0) {
    const index = stack.pop() as number;
    const { value: current, depth } = frames[index] as Frame;
    if (typeof current === "string") {
      bound += current.length * 6 + 2;
      if (!isStorableText(current)) return { problem: { path: pathOf(frames, index), message: "must be storable text (no NUL character, no lone surrogate)" }, jsonBytesBound: bound };
      continue;
    }
    if (typeof current !== "object" || current === null) {
      // A number prints in at most 25 characters (-0.0000012345678901234567); 32 to spare.
      bound += 32;
      continue;
    }
    if (depth >= maxDepth) return { problem: { path: pathOf(frames, index), message: `is nested more than ${maxDepth} levels deep` }, jsonBytesBound: bound };
    bound += 2;
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) {
        bound += 1;
        stack.push(frames.push({ value: current[i], depth: depth + 1, parent: index, key: String(i) }) - 1);
      }
      continue;
    }
    for (const key of Object.keys(current)) {
      bound += key.length * 6 + 4;
      if (!isStorableText(key)) return { problem: { path: pathOf(frames, index, key.replace(UNSTORABLE, "?")), message: "names a key that is not storable text" }, jsonBytesBound: bound };
      stack.push(frames.push({ value: (current as Record<string, unknown>)[key], depth: depth + 1, parent: index, key }) - 1);
    }
  }
  return { problem: null, jsonBytesBound: bound };
}

/** The first key or string value PostgreSQL cannot store, or a nesting deeper than maxDepth; null when all is well. */
export function findUnstorableText(value: unknown, maxDepth = MAX_ITEM_DEPTH): TextProblem | null {
  return scanItem(value, maxDepth).problem;
}
