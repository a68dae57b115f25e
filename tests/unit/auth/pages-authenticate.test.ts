import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The dashboard layout does not know the URL, so it leaves the sign-in redirect to each
// page (requireUser with the page's own path). A page without it would render for
// anonymous visitors: this keeps every page honest.
function filesNamed(dir: string, name: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesNamed(full, name);
    return entry.name === name ? [full] : [];
  });
}

describe("dashboard pages", () => {
  const files = filesNamed(path.resolve("app/(dashboard)"), "page.tsx");

  it("are found", () => {
    expect(files.length).toBeGreaterThan(10);
  });

  for (const file of files) {
    it(`${path.relative(path.resolve("app"), file)} signs the visitor in first (or only redirects)`, () => {
      const source = readFileSync(file, "utf8");
      const onlyRedirects = /export default function \w+\(\) \{\s*redirect\(/.test(source);
      expect(onlyRedirects || /await requireUser\(/.test(source)).toBe(true);
    });
  }

  // A layout that redirected would send everyone to sign-in with the layout's path, not the page's.
  for (const file of filesNamed(path.resolve("app/(dashboard)"), "layout.tsx")) {
    it(`${path.relative(path.resolve("app"), file)} leaves the sign-in redirect to its pages`, () => {
      expect(readFileSync(file, "utf8")).not.toMatch(/requireUser\(/);
    });
  }
});
