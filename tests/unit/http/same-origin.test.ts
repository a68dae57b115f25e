import { describe, expect, it } from "vitest";
import { isSameOrigin, isUnsafeMethod } from "@/lib/http/same-origin";

function request(headers: Record<string, string>): Request {
  return new Request("http://burnrate.internal:3000/api/v1/users", { method: "POST", headers });
}

describe("isSameOrigin", () => {
  it("accepts the site's own Origin", () => {
    expect(isSameOrigin(request({ host: "burnrate.internal:3000", origin: "http://burnrate.internal:3000" }))).toBe(true);
  });
  it("refuses a foreign Origin, a different port, and an unparsable one", () => {
    expect(isSameOrigin(request({ host: "burnrate.internal:3000", origin: "https://evil.example" }))).toBe(false);
    expect(isSameOrigin(request({ host: "burnrate.internal:3000", origin: "http://burnrate.internal:4000" }))).toBe(false);
    expect(isSameOrigin(request({ host: "burnrate.internal:3000", origin: "null" }))).toBe(false);
  });
  it("falls back to Sec-Fetch-Site when the browser sends no Origin, and refuses when neither is there", () => {
    expect(isSameOrigin(request({ host: "burnrate.internal:3000", "sec-fetch-site": "same-origin" }))).toBe(true);
    expect(isSameOrigin(request({ host: "burnrate.internal:3000", "sec-fetch-site": "cross-site" }))).toBe(false);
    expect(isSameOrigin(request({ host: "burnrate.internal:3000" }))).toBe(false);
  });
});

describe("isUnsafeMethod", () => {
  it("treats everything but GET, HEAD and OPTIONS as a write", () => {
    expect(["GET", "HEAD", "OPTIONS", "get"].map(isUnsafeMethod)).toEqual([false, false, false, false]);
    expect(["POST", "PUT", "PATCH", "DELETE"].map(isUnsafeMethod)).toEqual([true, true, true, true]);
  });
});
