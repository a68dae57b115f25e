/**
 * Where to send someone after they sign in: the one rule for every `callbackUrl` (the
 * sign-in page, the sign-in form and next-auth's redirect callback all ask it).
 *
 * A callback is kept only when it is provably a page of this very site, and it is always
 * returned as a path (`/…`, never `//…`), so the redirect cannot leave the site however
 * a browser reads it. Anything else, including a value that cannot be parsed, is `/`:
 *
 * - backslashes and control characters (C0, DEL, C1) are refused in the raw value and in
 *   every percent-decoded form of it: browsers read `/\host` and `/<TAB>/host` as `//host`;
 * - the value is resolved with `new URL(value, origin)` and must have one of the site's
 *   origins (scheme, host and port), which refuses `//evil`, `https://evil`, `javascript:`
 *   and `http://localhost:3000.evil.example/`;
 * - the result is the URL's path, query and fragment, and must not start with `//`
 *   (`/.//evil` resolves to the path `//evil`);
 * - values longer than MAX_CALLBACK_LENGTH are refused.
 *
 * Pure: no Node or browser APIs beyond URL, so the client form can use it too.
 */
export const MAX_CALLBACK_LENGTH = 2048;
export const DEFAULT_CALLBACK = "/";

// Backslash, C0 controls (tab, CR, LF…), DEL and C1 controls, as characters in the value.
const FORBIDDEN = /[\\\u0000-\u001f\u007f-\u009f]/;
// The same, percent-encoded (any case): backslash, C0 and DEL are single bytes in UTF-8.
const FORBIDDEN_ENCODED = /%(?:5c|[01][0-9a-f]|7f)/i;
// How many layers of percent-encoding are looked through (`%255C` is `\` twice encoded).
const MAX_DECODE_ROUNDS = 4;

/** One layer of percent-decoding, sequence by sequence, so a stray `%` does not hide the rest. */
function decodeLayer(value: string): string {
  return value.replace(/%25/gi, "%");
}

/** True when the value, or any percent-decoding of it, holds a backslash or a control character. */
function hasForbiddenCharacters(value: string): boolean {
  if (FORBIDDEN.test(value)) return true;
  let current = value;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round += 1) {
    if (FORBIDDEN_ENCODED.test(current)) return true;
    const decoded = decodeLayer(current);
    if (decoded === current) return false;
    current = decoded;
  }
  return /%25/i.test(current); // still encoded after that many rounds: refuse rather than guess
}

function originOf(value: string): string | null {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : null;
  } catch {
    return null;
  }
}

/**
 * The same-site path to go to after signing in, or "/".
 *
 * @param value the raw `callbackUrl` (a query parameter may repeat: the first counts)
 * @param origins this site's origin(s), e.g. NEXTAUTH_URL and the origin the request came to
 */
export function safeCallbackPath(value: unknown, origins: string | readonly string[]): string {
  const raw = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (typeof raw !== "string" || raw === "" || raw.length > MAX_CALLBACK_LENGTH) return DEFAULT_CALLBACK;
  if (hasForbiddenCharacters(raw)) return DEFAULT_CALLBACK;

  const allowed = (typeof origins === "string" ? [origins] : origins).map(originOf).filter((o): o is string => o !== null);
  const [base] = allowed;
  if (!base) return DEFAULT_CALLBACK;

  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return DEFAULT_CALLBACK;
  }
  if (!allowed.includes(url.origin)) return DEFAULT_CALLBACK;

  const path = `${url.pathname}${url.search}${url.hash}`;
  if (!path.startsWith("/") || path.startsWith("//") || hasForbiddenCharacters(path)) return DEFAULT_CALLBACK;
  return path;
}
