// Prisma CLI configuration for PostgreSQL (`--config prisma/postgresql/prisma.config.ts`): the JS
// schema engine with the pg driver adapter, like prisma.config.ts does for SQLite.
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

process.env.DATABASE_URL ??= "postgresql://localhost/opora";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  // Paths are relative to this file. The schema is derived from prisma/schema.prisma (npm run db:generate).
  schema: path.join("..", "..", "src", "generated", "postgresql", "schema.prisma"),
  migrations: { path: path.join("..", "migrations-postgresql") },
  async adapter() {
    return new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://localhost/opora" });
  },
});
