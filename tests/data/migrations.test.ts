// Migrations on both engines: an older database is brought up to date at start, and a migration
// that fails halfway leaves nothing of itself behind.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { migratePostgres, POSTGRES_MIGRATIONS_DIR } from "../../src/db/migrate-postgres.ts";
import { createPostgresDatabase, testEngine } from "../helpers/temp-db.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A copy of an engine's migrations plus extra ones, in a temp dir. */
function migrationsDir(source: string, extra: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "opora-migs-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const m of readdirSync(source).filter((n) => /^\d/.test(n))) cpSync(path.join(source, m), path.join(dir, m), { recursive: true });
  for (const [name, sql] of Object.entries(extra)) {
    mkdirSync(path.join(dir, name));
    writeFileSync(path.join(dir, name, "migration.sql"), sql);
  }
  return dir;
}

const LATER = "29991231000000_later";
const addTable = `CREATE TABLE "Later" ("id" INTEGER NOT NULL PRIMARY KEY);\n`;
// The first statement succeeds, the second fails: nothing of the migration may remain.
const failing = `CREATE TABLE "Half" ("id" INTEGER NOT NULL PRIMARY KEY);\nINSERT INTO "NoSuchTable" VALUES (1);\n`;

describe.skipIf(testEngine() !== "sqlite")("SQLite migrations", () => {
  it("a failing migration leaves nothing half-applied, and the next start tries it again", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "opora-mig-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "x.db");
    const migrations = migrationsDir("prisma/migrations", { [LATER]: failing });
    const r = migrateDatabase(file, migrations);
    expect(r.type).toBe("error");
    const db = new Database(file);
    try {
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE name = 'Half'`).all()).toEqual([]);
      expect(db.prepare(`SELECT COUNT(*) AS n FROM _prisma_migrations WHERE migration_name = ?`).get(LATER)).toEqual({ n: 0 });
    } finally {
      db.close();
    }
    expect(migrateDatabase(file)).toEqual({ type: "ok", applied: [] });
  });
});

describe.skipIf(testEngine() !== "postgresql")("PostgreSQL migrations", () => {
  async function freshDatabase() {
    const created = await createPostgresDatabase({ empty: true });
    cleanups.push(() => created.drop());
    return created.url;
  }
  async function tables(url: string): Promise<string[]> {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const r = await c.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
      return r.rows.map((x) => x.table_name);
    } finally {
      await c.end();
    }
  }

  it("migrates an empty database, then an older one only by what it lacks", async () => {
    const url = await freshDatabase();
    const first = await migratePostgres(url);
    expect(first.type).toBe("ok");
    expect(await tables(url)).toContain("Request");
    expect(await migratePostgres(url)).toEqual({ type: "ok", applied: [] });
    expect(await migratePostgres(url, migrationsDir(POSTGRES_MIGRATIONS_DIR, { [LATER]: addTable }))).toEqual({ type: "ok", applied: [LATER] });
    expect(await tables(url)).toContain("Later");
  });

  it("a failing migration is rolled back whole", async () => {
    const url = await freshDatabase();
    const r = await migratePostgres(url, migrationsDir(POSTGRES_MIGRATIONS_DIR, { [LATER]: failing }));
    expect(r).toMatchObject({ type: "error", code: "MIGRATION_FAILED" });
    const names = await tables(url);
    expect(names).toContain("Request");
    expect(names).not.toContain("Half");
  });

  it("two processes migrating at once: each migration applied once", async () => {
    const url = await freshDatabase();
    const [a, b] = await Promise.all([migratePostgres(url), migratePostgres(url)]);
    expect(a.type === "ok" && b.type === "ok").toBe(true);
    if (a.type === "ok" && b.type === "ok") expect([...a.applied, ...b.applied].sort()).toEqual(readdirSync(POSTGRES_MIGRATIONS_DIR).filter((n) => /^\d/.test(n)).sort());
  });
});
