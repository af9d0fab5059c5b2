// `npm run db:migration -- <name>`: after a change to prisma/schema.prisma, writes the migration of
// each engine that needs one, so both sets stay in step with the one model:
//   SQLite:     prisma/migrations/<ts>_<name>/      = what a database migrated so far lacks
//   PostgreSQL: prisma/migrations-postgresql/<ts>_<name>/ = the derived schema's change since the
//               last PostgreSQL migration (prisma/postgresql/migrated-model.prisma is that snapshot)
// then refreshes the derived schema and both generated clients. Runs offline (no server needed).
// Also catches up: a SQLite migration written by hand gets its PostgreSQL counterpart.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { derivePostgresSchema, POSTGRES_MIGRATED_MODEL, SQLITE_SCHEMA } from "./postgres-schema.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const PRISMA = path.join(ROOT, "node_modules", "prisma", "build", "index.js");

/** Runs the Prisma CLI with the SQLite config (a datamodel diff needs no server, only a config). */
export function prismaCli(args: string[], databaseUrl: string, config?: string): string {
  return execFileSync(process.execPath, [PRISMA, ...args, ...(config ? ["--config", config] : [])], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** The datamodel of a live database (`prisma db pull --print`), as a schema file in `dir`. */
export function pulledSchema(databaseUrl: string, dir: string, config?: string): string {
  const printed = prismaCli(["db", "pull", "--print"], databaseUrl, config);
  const file = path.join(dir, `pulled-${Date.now()}.prisma`);
  writeFileSync(file, printed.slice(printed.indexOf("generator ")));
  return file;
}

/** SQL turning `from` into `to` ("" when they match). */
export function diffSql(from: string | null, to: string, scratch: string): string {
  const sql = prismaCli(
    ["migrate", "diff", ...(from ? ["--from-schema-datamodel", from] : ["--from-empty"]), "--to-schema-datamodel", to, "--script"],
    `file:${path.join(scratch, "scratch.db")}`,
  );
  return /^\s*-- This is an empty migration\.\s*$/.test(sql) ? "" : sql;
}

/** The snapshot's text: the derived schema under its own header. */
export function migratedModel(derived: string): string {
  return derived.replace(/^\/\/ DERIVED [^\n]*\n/, "// The model the PostgreSQL migrations produce: written by npm run db:migration — do not edit.\n");
}

function timestamp(): string {
  return new Date().toISOString().replace(/\D/g, "").slice(0, 14);
}

function main(): void {
  const name = process.argv[2];
  if (!name || !/^[a-z0-9_]+$/.test(name)) {
    console.error("usage: npm run db:migration -- <name>   (lower case letters, digits and _)");
    process.exit(1);
  }
  const scratch = mkdtempSync(path.join(tmpdir(), "opora-migration-"));
  try {
    const folder = `${timestamp()}_${name}`;
    // SQLite: a database migrated with every SQLite migration so far, against the model.
    const file = path.join(scratch, "sqlite.db");
    const migrated = migrateDatabase(file);
    if (migrated.type !== "ok") throw new Error(migrated.message);
    const sqliteSql = diffSql(pulledSchema(`file:${file}`, scratch), SQLITE_SCHEMA, scratch);
    if (sqliteSql) {
      mkdirSync(path.join(ROOT, "prisma", "migrations", folder), { recursive: true });
      writeFileSync(path.join(ROOT, "prisma", "migrations", folder, "migration.sql"), sqliteSql);
      console.log(`wrote prisma/migrations/${folder}/migration.sql`);
    } else console.log("SQLite: the migrations already match the model");

    // PostgreSQL: the derived schema against the snapshot the PostgreSQL migrations produce.
    const derived = path.join(scratch, "postgresql.prisma");
    writeFileSync(derived, derivePostgresSchema());
    const pgSql = diffSql(existsSync(POSTGRES_MIGRATED_MODEL) ? POSTGRES_MIGRATED_MODEL : null, derived, scratch);
    if (pgSql) {
      const dir = path.join(ROOT, "prisma", "migrations-postgresql", folder);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "migration.sql"), pgSql);
      console.log(`wrote prisma/migrations-postgresql/${folder}/migration.sql`);
    } else console.log("PostgreSQL: the migrations already match the model");
    writeFileSync(POSTGRES_MIGRATED_MODEL, migratedModel(derivePostgresSchema()));
    execFileSync("npm", ["run", "--silent", "db:generate"], { cwd: ROOT, stdio: "inherit" });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) main();
