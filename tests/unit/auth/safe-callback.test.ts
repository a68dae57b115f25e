import { describe, expect, it } from "vitest";
import { DEFAULT_CALLBACK, MAX_CALLBACK_LENGTH, safeCallbackPath } from "@/lib/auth/safe-callback";

/**
 * The callback rule (lib/auth/safe-callback.ts). Values are given as the page receives
 * them: the query string already percent-decoded once (`?callbackUrl=/%5Cevil` arrives
 * as `/\evil`), so "encoded variants" below are what a doubly encoded link delivers.
 */
const ORIGIN = "http://localhost:3000";
const safe = (value: unknown, origins: string | string[] = ORIGIN) => safeCallbackPath(value, origins);

describe("safeCallbackPath keeps pages of this site", () => {
  it.each([
    ["/", "/"],
    ["/showback", "/showback"],
    ["/settings/teams", "/settings/teams"],
    ["/showback?team=support&from=2026-11-01#chart", "/showback?team=support&from=2026-11-01#chart"],
    ["/teams/support%20team", "/teams/support%20team"],
    ["/search?q=100%25", "/search?q=100%25"],
    ["/a/../b", "/b"],
    ["showback", "/showback"],
    // a scheme-relative URL of this site's scheme is a path here, as browsers resolve it
    ["http:evil.example", "/evil.example"],
  ])("%s → %s", (value, expected) => {
    expect(safe(value)).toBe(expected);
  });

  it("keeps a same-origin absolute URL as its path, query and fragment", () => {
    expect(safe("http://localhost:3000/budgets?month=2026-11#row-3")).toBe("/budgets?month=2026-11#row-3");
    expect(safe("HTTP://LOCALHOST:3000/quotas")).toBe("/quotas");
  });

  it("accepts any of the site's origins (the public URL and the one the request came to)", () => {
    expect(safe("http://127.0.0.1:3000/alerts", [ORIGIN, "http://127.0.0.1:3000"])).toBe("/alerts");
  });

  it("takes the first of a repeated parameter", () => {
    expect(safe(["/prices", "//evil.example"])).toBe("/prices");
    expect(safe(["//evil.example", "/prices"])).toBe(DEFAULT_CALLBACK);
  });
});

describe("safeCallbackPath refuses everything else with /", () => {
  it.each([
    // backslashes and control characters: browsers read /\ and /<TAB>/ as //
    ["/\\evil.example/x"],
    ["/\t/evil.example/x"],
    ["\\\\evil.example"],
    ["/\\/evil.example"],
    ["/\n/evil.example"],
    ["/\r\n/evil.example"],
    ["/ok\u0000"],
    ["/ok\u007f"],
    ["/ok\u0085"],
    // the same, encoded once more (the link said %255C, %2509 …)
    ["/%5Cevil.example/x"],
    ["/%5cevil.example/x"],
    ["/%09/evil.example/x"],
    ["/%0A/evil.example"],
    ["/%0d%0a/evil.example"],
    ["/%00"],
    ["/%7F"],
    ["/%255Cevil.example/x"],
    ["/%25255Cevil.example/x"],
    ["/%252509/evil.example/x"],
    ["/%25%5C/evil.example"],
    // other hosts and schemes
    ["//evil.example"],
    ["//evil.example/x"],
    ["///evil.example"],
    [" //evil.example"],
    ["https://evil.example"],
    ["https://evil.example/"],
    ["http://evil.example/showback"],
    ["https://localhost:3000/"],
    ["http://localhost:3001/"],
    ["http://localhost:3000.evil.example/"],
    ["http://localhost:3000@evil.example/"],
    ["http://user:pass@evil.example/"],
    ["javascript:alert(1)"],
    ["JavaScript:alert(document.cookie)"],
    ["java\tscript:alert(1)"],
    ["data:text/html,<script>alert(1)</script>"],
    ["vbscript:msgbox(1)"],
    ["file:///etc/passwd"],
    // paths that resolve to a protocol-relative path
    ["/.//evil.example"],
    ["/a/..//evil.example"],
    ["/%2e//evil.example"],
    // not a string, or empty
    [""],
    [undefined],
    [null],
    [42],
    [{ url: "/" }],
    [[]],
  ])("%j", (value) => {
    expect(safe(value)).toBe(DEFAULT_CALLBACK);
  });

  it("refuses a value longer than the limit, and keeps one just inside it", () => {
    const inside = `/${"a".repeat(MAX_CALLBACK_LENGTH - 1)}`;
    expect(safe(inside)).toBe(inside);
    expect(safe(`/${"a".repeat(MAX_CALLBACK_LENGTH)}`)).toBe(DEFAULT_CALLBACK);
    expect(safe(`/${"%2525".repeat(100_000)}5C`)).toBe(DEFAULT_CALLBACK);
  });

  it("refuses everything when no usable origin is known", () => {
    expect(safe("/showback", [])).toBe(DEFAULT_CALLBACK);
    expect(safe("/showback", "not a url")).toBe(DEFAULT_CALLBACK);
    expect(safe("/showback", "javascript:alert(1)")).toBe(DEFAULT_CALLBACK);
  });

  it("never returns anything but a same-site path", () => {
    const samples = ["/x", "//y", "/\\z", "https://evil.example", "/%5C", "?q=1", "#frag", "/.//w", "http://localhost:3000//evil.example"];
    for (const value of samples) {
      const result = safe(value);
      expect(result.startsWith("/")).toBe(true);
      expect(result.startsWith("//")).toBe(false);
      expect(new URL(result, ORIGIN).origin).toBe(ORIGIN);
    }
  });
});
