/**
 * CSRF defence for cookie-authenticated writes: the browser's Origin (or, where a
 * browser omits it, Sec-Fetch-Site) must name this very site. Cross-site forms and
 * fetches carry a foreign Origin; API keys in the Authorization header need no check,
 * since browsers never attach them on their own.
 */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

export function isSameOrigin(request: Request): boolean {
  const host = request.headers.get("host") ?? new URL(request.url).host;
  const origin = request.headers.get("origin");
  if (origin) {
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  return request.headers.get("sec-fetch-site") === "same-origin";
}
