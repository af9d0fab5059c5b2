// A fresh, migrated database per test (with the 89 regions seeded), removed afterwards.
// SQLite by default (a temp file); PostgreSQL when TEST_DATABASE_URL=postgresql://… is set.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Db, type DbEngine, type DbTarget, openDb } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { seedRegions } from "../../src/db/seed-regions.ts";

export interface TempDb {
  db: Db;
  target: DbTarget;
  /** The SQLite file ("" on PostgreSQL: tests that read the file skip there). */
  file: string;
  dir: string;
  cleanup(): Promise<void>;
}

/** The engine the database-backed tests run on. */
export function testEngine(): DbEngine {
  return /^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? "") ? "postgresql" : "sqlite";
}

export async function createTempDb(): Promise<TempDb> {
  const dir = mkdtempSync(path.join(tmpdir(), "opora-test-"));
  const file = path.join(dir, "test.db");
  const migrated = migrateDatabase(file);
  if (migrated.type !== "ok") throw new Error(migrated.message);
  const target: DbTarget = { engine: "sqlite", file };
  const db = await openDb(target);
  await seedRegions(db);
  return {
    db,
    target,
    file,
    dir,
    async cleanup() {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
