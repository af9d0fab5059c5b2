// Checks of a database's migration history against the migrations shipped with this version, for
// both migrators (SQLite and PostgreSQL). Each finding stops the start with one clear line:
//  - an applied migration whose shipped file has changed since (its checksum differs): the
//    database's schema is not what this code expects;
//  - an applied migration this version does not ship: the database was upgraded by a newer Opora;
//  - a pending migration whose table, index or column already exists: the history is behind the
//    schema, i.e. the file lost data (restored or copied without its -wal file, partly overwritten).
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export interface ShippedMigration {
  name: string;
  sql: string;
}
export interface AppliedMigration {
  name: string;
  checksum: string;
}
export type HistoryProblem = {
  code: "MIGRATION_CHANGED" | "DATABASE_NEWER" | "HISTORY_BEHIND";
  message: string;
};

/** The migration folders shipped in `dir` (each with a migration.sql), in the order they apply. */
export function shippedMigrationNames(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "migration.sql")))
        .map((d) => d.name)
        .sort()
    : [];
}

export function readShippedMigrations(dir: string): ShippedMigration[] {
  return shippedMigrationNames(dir).map((name) => ({ name, sql: readFileSync(path.join(dir, name, "migration.sql"), "utf8") }));
}

/** Prisma's checksum of a migration: SHA-256 of migration.sql, hex. */
export function checksumOf(sql: string): string {
  return createHash("sha256").update(sql).digest("hex");
}

const RESTORE = 'restore the latest backup (README "Backups") or ask for help; Opora does not start on it';

/** Applied migrations against the shipped files: changed or unknown ones. */
export function checkApplied(applied: AppliedMigration[], shipped: ShippedMigration[]): HistoryProblem | null {
  const byName = new Map(shipped.map((m) => [m.name, m]));
  for (const a of applied) {
    const file = byName.get(a.name);
    if (!file) {
      return {
        code: "DATABASE_NEWER",
        message: `the database was migrated by a newer version of Opora (migration ${a.name} is not part of this version): run that version, or restore a backup made before the upgrade`,
      };
    }
    const now = checksumOf(file.sql);
    if (now !== a.checksum) {
      return {
        code: "MIGRATION_CHANGED",
        message: `migration ${a.name} was changed after it was applied to this database (checksum ${a.checksum.slice(0, 12)}… recorded, ${now.slice(0, 12)}… shipped): a migration must never be edited once released — restore its original text and add a new migration instead`,
      };
    }
  }
  return null;
}

export type SchemaObject = { kind: "table" | "index"; name: string } | { kind: "column"; table: string; name: string };

/** The tables, indexes and columns a migration creates (as Prisma writes them: quoted names). */
export function objectsCreatedBy(sql: string): SchemaObject[] {
  const found: SchemaObject[] = [];
  for (const m of sql.matchAll(/CREATE\s+(?:UNIQUE\s+)?(TABLE|INDEX)\s+(?:IF\s+NOT\s+EXISTS\s+)?"([^"]+)"/gi)) {
    // A table rebuilt by Prisma's "RedefineTables" (new_X renamed to X) is not new.
    if (m[2]?.startsWith("new_")) continue;
    found.push({ kind: m[1]?.toUpperCase() === "TABLE" ? "table" : "index", name: m[2] ?? "" });
  }
  for (const m of sql.matchAll(/ALTER\s+TABLE\s+"([^"]+)"\s+ADD\s+COLUMN\s+"([^"]+)"/gi)) {
    found.push({ kind: "column", table: m[1] ?? "", name: m[2] ?? "" });
  }
  return found;
}

export function historyBehind(migration: string, object: SchemaObject): HistoryProblem {
  const what = object.kind === "column" ? `column "${object.table}"."${object.name}"` : `${object.kind} "${object.name}"`;
  return {
    code: "HISTORY_BEHIND",
    message: `the database has lost data: its ${what} exists but its migration history does not record ${migration}, which creates it (a file restored or copied without its -wal file?) — ${RESTORE}`,
  };
}
