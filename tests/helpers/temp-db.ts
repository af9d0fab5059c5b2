// A fresh, migrated database per test (with the 89 regions seeded), removed afterwards.
// SQLite by default (a temp file); PostgreSQL when TEST_DATABASE_URL=postgresql://… is set: then
// each test gets its own database, copied from a template that is migrated and seeded once.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { type Db, type DbEngine, type DbTarget, openDb } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { migratePostgres, POSTGRES_MIGRATIONS_DIR } from "../../src/db/migrate-postgres.ts";
import { shippedMigrationNames } from "../../src/db/migration-history.ts";
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

/** Why a test that reads the SQLite file itself does not run on PostgreSQL. */
export const SQLITE_FILE_ONLY = "reads the SQLite file's bytes; PostgreSQL's erasure is described in README";

/** The SQLite file's bytes with its -wal, -shm and -journal files (those that exist), for a byte search. */
export function sqliteFileBytes(file: string): Buffer {
  const parts = [readFileSync(file)];
  for (const extra of ["-wal", "-shm", "-journal"]) {
    try {
      parts.push(readFileSync(file + extra));
    } catch {
      // absent: nothing to search
    }
  }
  return Buffer.concat(parts);
}

export async function createTempDb(): Promise<TempDb> {
  const dir = mkdtempSync(path.join(tmpdir(), "opora-test-"));
  if (testEngine() === "postgresql") {
    const { url, drop } = await createPostgresDatabase();
    const target: DbTarget = { engine: "postgresql", url };
    const db = await openDb(target);
    return {
      db,
      target,
      file: "",
      dir,
      async cleanup() {
        await db.$disconnect();
        await drop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
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

// ── PostgreSQL ───────────────────────────────────────────────────────────────

let admin: pg.Pool | undefined;
let template: Promise<string> | undefined;
let counter = 0;

function adminPool(): pg.Pool {
  admin ??= new pg.Pool({ connectionString: process.env.TEST_DATABASE_URL, max: 2 });
  return admin;
}

function urlOf(database: string): string {
  const u = new URL(process.env.TEST_DATABASE_URL ?? "");
  u.pathname = `/${database}`;
  return u.toString();
}

/** The template's name changes with the migrations and the seed, so a stale one is never used. */
function templateName(): string {
  const h = createHash("sha256");
  for (const name of shippedMigrationNames(POSTGRES_MIGRATIONS_DIR)) {
    h.update(name).update(readFileSync(path.join(POSTGRES_MIGRATIONS_DIR, name, "migration.sql")));
  }
  h.update(readFileSync(new URL("../../prisma/regions.csv", import.meta.url)));
  return `opora_tpl_${h.digest("hex").slice(0, 12)}`;
}

function ensureTemplate(): Promise<string> {
  template ??= (async () => {
    const name = templateName();
    const client = await adminPool().connect();
    try {
      // Test files run in parallel processes: one of them builds the template, the others wait.
      await client.query("SELECT pg_advisory_lock(4242)");
      const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (exists.rowCount === 0) {
        await client.query(`CREATE DATABASE "${name}_build"`).catch(async () => {
          await client.query(`DROP DATABASE IF EXISTS "${name}_build" WITH (FORCE)`);
          await client.query(`CREATE DATABASE "${name}_build"`);
        });
        const migrated = await migratePostgres(urlOf(`${name}_build`));
        if (migrated.type !== "ok") throw new Error(migrated.message);
        const db = await openDb({ engine: "postgresql", url: urlOf(`${name}_build`) });
        await seedRegions(db);
        await db.$disconnect();
        await client.query(`ALTER DATABASE "${name}_build" RENAME TO "${name}"`);
      }
      return name;
    } finally {
      await client.query("SELECT pg_advisory_unlock(4242)").catch(() => undefined);
      client.release();
    }
  })();
  return template;
}

/** An empty PostgreSQL database (not migrated), e.g. for a service to migrate at its start. */
export async function createPostgresDatabase(options: { empty?: boolean } = {}): Promise<{ url: string; drop(): Promise<void> }> {
  const tpl = options.empty ? "template0" : await ensureTemplate();
  counter += 1;
  const name = `opora_t_${process.pid}_${counter}_${Math.random().toString(36).slice(2, 8)}`;
  await adminPool().query(`CREATE DATABASE "${name}" TEMPLATE "${tpl}"`);
  return {
    url: urlOf(name),
    drop: async () => {
      await adminPool().query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
