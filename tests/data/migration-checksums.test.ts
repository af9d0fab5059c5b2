// Applied migrations are checksummed: a migration edited after it ran stops the start with a clear
// message naming it, before anything is changed; a database migrated by a newer version is refused
// too. SQLite always; PostgreSQL when TEST_DATABASE_URL is set.
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { checksumOf } from "../../src/db/migration-history.ts";
import { MIGRATIONS_DIR, migrateDatabase } from "../../src/db/migrate.ts";
import { migratePostgres, POSTGRES_MIGRATIONS_DIR } from "../../src/db/migrate-postgres.ts";
import { shippedMigrationNames } from "../../src/db/migration-history.ts";
import { createPostgresDatabase, testEngine } from "../helpers/temp-db.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function copyOf(source: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "opora-sums-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const m of readdirSync(source).filter((n) => /^\d/.test(n))) cpSync(path.join(source, m), path.join(dir, m), { recursive: true });
  return dir;
}

const LATER = "29991231000000_later";

/** The checks both engines must pass, given how to migrate a fresh database with a folder. */
function checksumCases(source: string, fresh: () => Promise<(dir?: string) => Promise<{ type: string; code?: string; message?: string; applied?: string[] }>>) {
  it("records each migration's SHA-256 and starts again without complaint", async () => {
    const migrate = await fresh();
    expect((await migrate()).type).toBe("ok");
    expect(await migrate()).toEqual({ type: "ok", applied: [] });
  });

  it("a migration changed after it was applied: refused, naming it, nothing applied", async () => {
    const migrate = await fresh();
    const dir = copyOf(source);
    expect((await migrate(dir)).type).toBe("ok");
    const names = shippedMigrationNames(dir);
    const edited = names[1] ?? names[0] ?? "";
    appendFileSync(path.join(dir, edited, "migration.sql"), "\n-- edited afterwards\n");
    mkdirSync(path.join(dir, LATER));
    writeFileSync(path.join(dir, LATER, "migration.sql"), `CREATE TABLE "Later" ("id" INTEGER NOT NULL PRIMARY KEY);\n`);
    const r = await migrate(dir);
    expect(r).toMatchObject({ type: "error", code: "MIGRATION_CHANGED" });
    expect(r.message).toMatch(new RegExp(`^migration ${edited} was changed after it was applied to this database`));
    // Stopped before anything else: the later migration was not applied.
    const again = await migrate(copyOf(source));
    expect(again).toEqual({ type: "ok", applied: [] });
  });

  it("a database migrated by a newer version: refused with a clear message", async () => {
    const migrate = await fresh();
    const dir = copyOf(source);
    mkdirSync(path.join(dir, LATER));
    writeFileSync(path.join(dir, LATER, "migration.sql"), `CREATE TABLE "Later" ("id" INTEGER NOT NULL PRIMARY KEY);\n`);
    expect(await migrate(dir)).toMatchObject({ type: "ok" });
    const r = await migrate();
    expect(r).toMatchObject({ type: "error", code: "DATABASE_NEWER" });
    expect(r.message).toContain(`migrated by a newer version of Opora (migration ${LATER}`);
  });
}

describe.skipIf(testEngine() !== "sqlite")("SQLite migration checksums", () => {
  checksumCases(MIGRATIONS_DIR, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "opora-sums-db-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "x.db");
    return async (migrations?: string) => migrateDatabase(file, migrations);
  });

  it("the stored checksum is the shipped file's SHA-256 (as Prisma's own migrate records it)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "opora-sums-db-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "x.db");
    migrateDatabase(file);
    const db = new Database(file, { readonly: true });
    try {
      const rows = db.prepare(`SELECT migration_name AS name, checksum FROM _prisma_migrations ORDER BY 1`).all() as { name: string; checksum: string }[];
      expect(rows.length).toBe(shippedMigrationNames(MIGRATIONS_DIR).length);
      for (const r of rows) expect(r.checksum).toBe(checksumOf(readFileSync(path.join(MIGRATIONS_DIR, r.name, "migration.sql"), "utf8")));
    } finally {
      db.close();
    }
  });
});

describe.skipIf(testEngine() !== "postgresql")("PostgreSQL migration checksums", () => {
  checksumCases(POSTGRES_MIGRATIONS_DIR, async () => {
    const created = await createPostgresDatabase({ empty: true });
    cleanups.push(() => created.drop());
    return (migrations?: string) => migratePostgres(created.url, migrations);
  });
});
