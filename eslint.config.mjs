import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

/**
 * lib/ modules with no database, no next/* and no other domain's services: what client
 * components may import, and all that a pure core may import (docs/ARCHITECTURE.md).
 */
const PURE_LIB = [
  "@/lib/format",
  "@/lib/money",
  "@/lib/time",
  "@/lib/view/**",
  "@/lib/schemas/**",
  "@/lib/auth/permissions",
  "@/lib/auth/safe-callback",
  "@/lib/integrations/snippets",
  "@/lib/http/csv",
  "@/lib/alerts/rules",
  "@/lib/alerts/rule-describe",
  "@/lib/quotas/view",
  "@/lib/quotas/transitions",
  "@/lib/quotas/review-rules",
  "@/lib/quotas/standing",
  "@/lib/budgets/forecast",
  "@/lib/pricing/provider-name",
  "@/lib/pricing/compute-cost",
  "@/lib/pricing/price-cost",
  "@/lib/pricing/match-price",
  "@/lib/analytics/cache-drops",
  "@/lib/analytics/percentiles",
  "@/lib/analytics/periods",
  "@/lib/demo/workflow-plan",
  "@/lib/reconciliation/compare",
  "@/lib/reconciliation/provider-shapes",
  "@/lib/digest/compose",
  "@/lib/chargeback/allocate",
  "@/lib/chargeback/adjustments",
  "@/lib/budgets/cap",
  "@/lib/savings/advisor",
  "@/lib/savings/starter-substitutes",
];

/** The pure cores themselves: the same list, as files. */
const PURE_FILES = PURE_LIB.map((module) => `${module.replace("@/", "")}${module.endsWith("**") ? "" : ".ts"}`).map((file) =>
  file.endsWith("**") ? `${file}/*.ts` : file,
);

/** `@/lib/…` but not a pure module (a regex: gitignore-style groups cannot re-include a file under an excluded folder). */
const PURE_ALTERNATIVES = PURE_LIB.map((module) => module.replace("@/lib/", "").replaceAll("/", "\\/").replace("**", ".+")).join("|");
const onlyPureLib = (message) => ({ regex: `^@/lib/(?!(?:${PURE_ALTERNATIVES})$)`, allowTypeImports: true, message });

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", ".data/**", "lib/generated/**", "node_modules/**", "next-env.d.ts", "scripts/tmp/**"]),
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      // App Router only: there is no pages/ directory.
      "@next/next/no-html-link-for-pages": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Client code: server modules never reach the browser bundle (types are fine).
    files: ["components/**/*.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            onlyPureLib(
              "Components run in the browser: import only pure lib modules (formatting, money, time, lib/view, schemas, permissions; see eslint.config.mjs PURE_LIB) and types. Server data comes through components/queries.",
            ),
          ],
          paths: [{ name: "pg", message: "No database in components." }],
        },
      ],
    },
  },
  {
    // Pure cores: decisions and arithmetic, unit-tested with exact numbers; no database, no Next, no services.
    files: PURE_FILES,
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            onlyPureLib("A pure core imports only other pure lib modules (eslint.config.mjs PURE_LIB); put database work in the domain's services."),
            { group: ["next", "next/**", "react", "react/**", "@prisma/**"], allowTypeImports: true, message: "A pure core imports no framework." },
          ],
          paths: [{ name: "pg", allowTypeImports: true, message: "A pure core reads no database." }],
        },
      ],
    },
  },
]);
