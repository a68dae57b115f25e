import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * lib/'s value imports as a graph (type-only imports left out: they vanish at compile time),
 * for the architecture tests: which modules reach the database.
 */

const ROOT = process.cwd();

export function libModules(dir = path.join(ROOT, "lib")): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "generated") files.push(...libModules(full));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      files.push(path.relative(ROOT, full));
    }
  }
  return files.sort();
}

const IMPORT = /^(?:import|export)\s+(type\s+)?(?:[^"';]*?\s+from\s+)?"([^"]+)";/gm;

/** The specifiers a module imports for their values (`import type` and all-type braces left out). */
export function valueImports(file: string): string[] {
  const source = readFileSync(path.join(ROOT, file), "utf8");
  const specifiers: string[] = [];
  for (const match of source.matchAll(IMPORT)) {
    if (match[1]) continue;
    const clause = match[0];
    const braces = /\{([^}]*)\}/.exec(clause);
    const hasDefault = /^(?:import|export)\s+(?!\{)(?!type\b)[\w*]/.test(clause) && /\sfrom\s/.test(clause);
    if (braces && !hasDefault) {
      const names = braces[1]?.split(",").map((n) => n.trim()).filter(Boolean) ?? [];
      if (names.length > 0 && names.every((n) => n.startsWith("type "))) continue;
    }
    specifiers.push(match[2] ?? "");
  }
  return specifiers;
}

/** `@/lib/x` or `./x` from `file` as a lib/ file path, or null for a package. */
export function resolveLib(specifier: string, from: string, files: ReadonlySet<string>): string | null {
  let base: string;
  if (specifier.startsWith("@/")) base = specifier.slice(2);
  else if (specifier.startsWith(".")) base = path.join(path.dirname(from), specifier);
  else return null;
  for (const candidate of [`${base}.ts`, path.join(base, "index.ts")]) if (files.has(candidate)) return candidate;
  return null;
}

/** Packages and modules that are the database itself. */
const DATABASE = new Set(["pg", "@prisma/adapter-pg", "lib/db.ts"]);

/** Every lib/ module that imports the database, directly or through other lib/ modules' values. */
export function modulesReachingDatabase(): Set<string> {
  const files = libModules();
  const known = new Set(files);
  const edges = new Map(files.map((file) => [file, valueImports(file).map((s) => resolveLib(s, file, known) ?? s)]));
  const reaching = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [file, targets] of edges) {
      if (reaching.has(file)) continue;
      if (targets.some((t) => DATABASE.has(t) || reaching.has(t))) {
        reaching.add(file);
        grew = true;
      }
    }
  }
  return reaching;
}
