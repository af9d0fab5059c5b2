// Opens the database through Prisma and a driver adapter: SQLite (the embedded default, one file)
// or PostgreSQL (`DATABASE_URL=postgresql://…`). Every query goes through Prisma's public API.
//
// SQLite: WAL for concurrent readers, foreign keys, a busy timeout, and secure deletion so erased
// personal data is overwritten in the file rather than left in free pages. Transactions are
// isolated by `isolatedSqlite` (see sqlite-isolation.ts).
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../generated/prisma/client.ts";
import { isolatedSqlite } from "./sqlite-isolation.ts";

export type Db = PrismaClient;
/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export type DbEngine = "sqlite" | "postgresql";

/** Where the data lives: a SQLite file, or a PostgreSQL connection URL. */
export type DbTarget = { engine: "sqlite"; file: string } | { engine: "postgresql"; url: string };

/** Options of `openDb`: a target, or (SQLite, for brevity) just the file path. */
export type OpenDbOptions = DbTarget | { file: string };

export function toTarget(options: OpenDbOptions): DbTarget {
  return "engine" in options ? options : { engine: "sqlite", file: options.file };
}

// A property rather than a WeakMap entry: it is seen through a wrapper of the client (a Proxy, as
// tests use to make a database fail) as well.
const ENGINE = Symbol("opora.dbEngine");

/** The engine behind a client made by `openDb` (SQLite when unknown). */
export function engineOf(db: Db | Tx): DbEngine {
  return (db as { [ENGINE]?: DbEngine })[ENGINE] ?? "sqlite";
}

function markEngine(db: Db, engine: DbEngine): void {
  Object.defineProperty(db, ENGINE, { value: engine });
}

// Interactive transactions wait for one another (one writer on SQLite, row locks on PostgreSQL);
// under a burst of updates the default 2 s wait for a start is too short.
export const TRANSACTION_OPTIONS = { maxWait: 15_000, timeout: 20_000 };

/** SQLite's own (synchronous, loop-blocking) wait for a lock; longer waits are async retries (sqlite-isolation.ts). */
const BUSY_TIMEOUT_MS = 50;

/**
 * A SQLite file's driver adapter and the settings every connection to it gets (the benchmark's
 * peer build opens the same file the same way). PRAGMA statements return rows, so they go through
 * $queryRawUnsafe.
 */
export function sqliteAdapter(file: string, lockWaitMs?: number) {
  return isolatedSqlite(new PrismaBetterSQLite3({ url: `file:${file}`, timeout: BUSY_TIMEOUT_MS }), lockWaitMs);
}
export const SQLITE_PRAGMAS = [`busy_timeout = ${BUSY_TIMEOUT_MS}`, "journal_mode = WAL", "foreign_keys = ON", "secure_delete = ON", "synchronous = NORMAL"];

export async function openDb(options: OpenDbOptions, tuning: { lockWaitMs?: number } = {}): Promise<Db> {
  const target = toTarget(options);
  if (target.engine === "postgresql") {
    const { openPostgres } = await import("./postgres-client.ts");
    const db = await openPostgres(target.url, TRANSACTION_OPTIONS);
    markEngine(db, "postgresql");
    return db;
  }
  const db = new PrismaClient({ adapter: sqliteAdapter(target.file, tuning.lockWaitMs), transactionOptions: TRANSACTION_OPTIONS });
  for (const pragma of SQLITE_PRAGMAS) await db.$queryRawUnsafe(`PRAGMA ${pragma}`);
  markEngine(db, "sqlite");
  return db;
}
