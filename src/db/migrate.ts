// Applies the committed Prisma migrations (prisma/migrations/*/migration.sql) to a SQLite file.
// It keeps Prisma's own `_prisma_migrations` bookkeeping, so `prisma migrate deploy` and
// `prisma migrate diff --from-migrations` agree with what ran here. Done in-process (not by
// spawning the CLI) because tests create many temporary databases and start-up must be fast.
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { checkApplied, checksumOf, type HistoryProblem, historyBehind, objectsCreatedBy, readShippedMigrations, type SchemaObject } from "./migration-history.ts";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations/", import.meta.url));

export type MigrateResult =
  | { type: "ok"; applied: string[] }
  | { type: "error"; code: "DB_NOT_WRITABLE" | "MIGRATION_FAILED" | HistoryProblem["code"]; message: string };

class HistoryError extends Error {
  constructor(readonly problem: HistoryProblem) {
    super(problem.message);
  }
}

function exists(sqlite: Database.Database, o: SchemaObject): boolean {
  if (o.kind === "column") return sqlite.prepare(`SELECT 1 FROM pragma_table_info(?) WHERE name = ?`).get(o.table, o.name) !== undefined;
  return sqlite.prepare(`SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?`).get(o.kind, o.name) !== undefined;
}

export function migrateDatabase(file: string, dir: string = MIGRATIONS_DIR): MigrateResult {
  let sqlite: Database.Database;
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    // A second process starting at the same time waits for the first one's migration (busy timeout).
    sqlite = new Database(file, { timeout: 15_000 });
    sqlite.pragma("journal_mode = WAL");
  } catch (err) {
    return {
      type: "error",
      code: "DB_NOT_WRITABLE",
      message: `cannot open or create the database file ${file}: ${(err as Error).message}`,
    };
  }
  try {
    sqlite.exec(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" TEXT PRIMARY KEY NOT NULL, "checksum" TEXT NOT NULL, "finished_at" DATETIME,
      "migration_name" TEXT NOT NULL, "logs" TEXT, "rolled_back_at" DATETIME,
      "started_at" DATETIME NOT NULL DEFAULT current_timestamp, "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0)`);
    const history = sqlite
      .prepare(`SELECT migration_name AS name, checksum FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`)
      .all() as { name: string; checksum: string }[];
    const done = new Set(history.map((r) => r.name));
    const shipped = readShippedMigrations(dir);
    // A changed migration or a database from a newer version: stop before touching anything.
    const problem = checkApplied(history, shipped);
    if (problem) return { type: "error", ...problem };
    const applied: string[] = [];
    for (const { name, sql } of shipped) {
      if (done.has(name)) continue;
      const checksum = checksumOf(sql);
      // IMMEDIATE takes the write lock first; then the migration may have been applied meanwhile by
      // another process starting at the same time.
      const ran = sqlite.transaction(() => {
        const again = sqlite
          .prepare(`SELECT 1 FROM _prisma_migrations WHERE migration_name = ? AND finished_at IS NOT NULL AND rolled_back_at IS NULL`)
          .get(name);
        if (again) return false;
        // What this migration creates must not exist yet; if it does, the history lost its record.
        const present = objectsCreatedBy(sql).find((o) => exists(sqlite, o));
        if (present) throw new HistoryError(historyBehind(name, present));
        sqlite.exec(sql);
        sqlite
          .prepare(
            `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES (?, ?, current_timestamp, ?, 1)`,
          )
          .run(randomUUID(), checksum, name);
        return true;
      }).immediate();
      if (ran) applied.push(name);
    }
    return { type: "ok", applied };
  } catch (err) {
    if (err instanceof HistoryError) return { type: "error", ...err.problem };
    const message = (err as Error).message;
    const code = /readonly|permission|unable to open/i.test(message) ? "DB_NOT_WRITABLE" : "MIGRATION_FAILED";
    return { type: "error", code, message };
  } finally {
    sqlite.close();
  }
}
