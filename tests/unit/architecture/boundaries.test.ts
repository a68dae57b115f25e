import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

/**
 * The import boundaries of docs/ARCHITECTURE.md, enforced by eslint.config.mjs: client
 * components and pure cores may not import server modules (types are fine); services may.
 */

const eslint = new ESLint({ cwd: process.cwd() });

async function restricted(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "@typescript-eslint/no-restricted-imports").map((m) => m.message);
}

describe("import boundaries", () => {
  it("keeps the database and services out of client components, types aside", async () => {
    const code = `import { getPool } from "@/lib/db";\nimport { listBudgets } from "@/lib/budgets/budgets";\nexport const x = [getPool, listBudgets];\n`;
    expect(await restricted("components/probe.tsx", code)).toHaveLength(2);
    const types = `import type { BudgetView } from "@/lib/budgets/budgets";\nimport { type AlertView } from "@/lib/alerts/alerts";\nimport { formatMoney } from "@/lib/format";\nimport { budgetAmountFor } from "@/lib/demo/workflow-plan";\nexport type X = [BudgetView, AlertView, typeof formatMoney, typeof budgetAmountFor];\n`;
    expect(await restricted("components/probe.tsx", types)).toEqual([]);
  }, 30_000);

  it("keeps pure cores free of the database, Next and other services", async () => {
    const code = `import { getPool } from "@/lib/db";\nimport { NextResponse } from "next/server";\nimport { listBudgets } from "@/lib/budgets/budgets";\nimport { Money } from "@/lib/money";\nexport const x = [getPool, NextResponse, listBudgets, Money];\n`;
    expect(await restricted("lib/quotas/transitions.ts", code)).toHaveLength(3);
    expect(await restricted("lib/budgets/budgets.ts", code)).toEqual([]);
  }, 30_000);
});
