// Applies the PostgreSQL migrations (prisma/migrations-postgresql/*/migration.sql), keeping Prisma's
// `_prisma_migrations` bookkeeping like the SQLite migrator does. Each migration runs in its own
// transaction (PostgreSQL's DDL is transactional), so one that fails leaves nothing half-applied.
// An advisory lock makes a second process starting at the same time wait for the first one.
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { checkApplied, checksumOf, type HistoryProblem, historyBehind, objectsCreatedBy, readShippedMigrations, type SchemaObject } from "./migration-history.ts";

export const POSTGRES_MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations-postgresql/", import.meta.url));

/** How long a start waits for the server to answer before giving up with one clear line. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** Any number, the same in every process: the key of the migration lock. */
const MIGRATION_LOCK = 7_340_911;

export type PostgresMigrateResult =
  | { type: "ok"; applied: string[] }
  | { type: "error"; code: "DB_UNREACHABLE" | "DB_AUTH_FAILED" | "MIGRATION_FAILED" | HistoryProblem["code"]; message: string };

async function exists(client: pg.Client, o: SchemaObject): Promise<boolean> {
  if (o.kind === "column") {
    const r = await client.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`, [o.table, o.name]);
    return (r.rowCount ?? 0) > 0;
  }
  const r = await client.query(`SELECT to_regclass(quote_ident($1)) IS NOT NULL AS present`, [o.name]);
  return r.rows[0]?.present === true;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(an unreadable DATABASE_URL)";
  }
}

/** A connection failure in words, without the password. */
export function describeConnectError(err: unknown, url: string): { code: "DB_UNREACHABLE" | "DB_AUTH_FAILED"; message: string } {
  const e = err as { code?: string; message?: string };
  const where = redactUrl(url);
  if (e.code === "28P01" || e.code === "28000") {
    return { code: "DB_AUTH_FAILED", message: `PostgreSQL at ${where} refused the user name or password` };
  }
  if (e.code === "3D000") return { code: "DB_UNREACHABLE", message: `PostgreSQL at ${where}: the database does not exist` };
  const reason = e.code && /^[A-Z]/.test(e.code) ? e.code : (e.message ?? "no answer");
  return { code: "DB_UNREACHABLE", message: `cannot reach PostgreSQL at ${where} (${reason})` };
}

export async function migratePostgres(url: string, dir: string = POSTGRES_MIGRATIONS_DIR): Promise<PostgresMigrateResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An error event after connecting (server gone) must not crash the process: the query fails instead.
  client.on("error", () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    return { type: "error", ...describeConnectError(err, url) };
  }
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const history = (
      await client.query<{ name: string; checksum: string }>(
        `SELECT migration_name AS name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
      )
    ).rows;
    const done = new Set(history.map((r) => r.name));
    const shipped = readShippedMigrations(dir);
    // A changed migration or a database from a newer version: stop before touching anything.
    const problem = checkApplied(history, shipped);
    if (problem) return { type: "error", ...problem };
    const applied: string[] = [];
    for (const { name, sql } of shipped) {
      if (done.has(name)) continue;
      const checksum = checksumOf(sql);
      // What this migration creates must not exist yet; if it does, the history lost its record
      // (checked under the migration lock, so another process's migration is already recorded).
      for (const o of objectsCreatedBy(sql)) {
        if (await exists(client, o)) return { type: "error", ...historyBehind(name, o) };
      }
      try {
        await client.query("BEGIN");
        await client.query(sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), checksum, name],
        );
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => undefined);
        return { type: "error", code: "MIGRATION_FAILED", message: `migration ${name} failed and was rolled back: ${(err as Error).message}` };
      }
      applied.push(name);
    }
    return { type: "ok", applied };
  } catch (err) {
    return { type: "error", code: "MIGRATION_FAILED", message: (err as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}
