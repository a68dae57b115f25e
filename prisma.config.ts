// Prisma 7's CLI wants a native schema engine binary that it downloads from the
// internet. `generate`, `validate` and `format` never execute it, so pointing the
// variable at any existing file keeps them working offline. Migrations are applied
// by Prisma's WASM schema engine instead (lib/db/migrate.ts).
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= "prisma/schema.prisma";

import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/burnrate" },
});
