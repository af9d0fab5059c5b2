// A fresh, migrated SQLite file per test (with the 89 regions seeded), removed afterwards.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Db, openDb } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { seedRegions } from "../../src/db/seed-regions.ts";

export interface TempDb {
  db: Db;
  file: string;
  dir: string;
  cleanup(): Promise<void>;
}

export async function createTempDb(): Promise<TempDb> {
  const dir = mkdtempSync(path.join(tmpdir(), "opora-test-"));
  const file = path.join(dir, "test.db");
  const migrated = migrateDatabase(file);
  if (migrated.type !== "ok") throw new Error(migrated.message);
  const db = await openDb({ file });
  await seedRegions(db);
  return {
    db,
    file,
    dir,
    async cleanup() {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
