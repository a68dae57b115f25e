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

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** The first key or string value PostgreSQL cannot store, or a nesting deeper than maxDepth; null when all is well. */
export function findUnstorableText(value: unknown, maxDepth = MAX_ITEM_DEPTH): TextProblem | null {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop() as { value: unknown; path: string[] };
    if (typeof current === "string") {
      if (!isStorableText(current)) return { path: path.join("."), message: "must be storable text (no NUL character, no lone surrogate)" };
      continue;
    }
    if (typeof current !== "object" || current === null) continue;
    if (path.length >= maxDepth) return { path: path.join("."), message: `is nested more than ${maxDepth} levels deep` };
    const entries: [string, unknown][] = Array.isArray(current) ? current.map((item, i) => [String(i), item]) : Object.entries(current);
    for (const [key, child] of entries) {
      if (!isStorableText(key)) return { path: [...path, key.replace(UNSTORABLE, "?")].join("."), message: "names a key that is not storable text" };
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return null;
}
