// Opens the SQLite database through Prisma's better-sqlite3 driver adapter and sets the pragmas
// the product relies on: WAL for concurrent readers, foreign keys, a busy timeout, and secure
// deletion so erased personal data is overwritten in the file rather than left in free pages.
//
// It also keeps hold of the one better-sqlite3 connection the adapter opens, for the few hot
// paths (one dialog step per update) where Prisma's per-query cost dominates: see
// `SqliteConnection`. Prisma's interactive transactions and those synchronous ones share one lock,
// so they never interleave on the connection.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { Mutex } from "async-mutex";
import Database from "better-sqlite3";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Db = PrismaClient;
/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export interface OpenDbOptions {
  /** Path of the SQLite file (not a URL). */
  file: string;
}

/** What a synchronous transaction decided: commit its writes, or roll them back. */
export type SyncOutcome<T> = { commit: true; value: T } | { commit: false; value: T };

export interface SqliteConnection {
  /**
   * Runs `fn` synchronously inside BEGIN…COMMIT (or ROLLBACK when it says so or throws) on the
   * connection Prisma uses, once no Prisma transaction is open. Statements are cached by SQL text.
   */
  transaction<T>(fn: (sql: SqlRunner) => SyncOutcome<T>): Promise<T>;
  /**
   * Statements for use inside `db.$transaction(async (tx) => …)`: on the same connection they join
   * that open transaction (commit or roll back with it). Throws when no transaction is open.
   */
  joinOpenTransaction(): SqlRunner;
}

export interface SqlRunner {
  run(sql: string, ...params: unknown[]): number;
  get<R>(sql: string, ...params: unknown[]): R | undefined;
  all<R>(sql: string, ...params: unknown[]): R[];
}

/** DateTime as Prisma's SQLite adapter writes it, so raw writes compare and read back alike. */
export function sqliteDateTime(d: Date): string {
  return d.toISOString().replace("Z", "+00:00");
}

const connections = new WeakMap<Db, SqliteConnection>();

/** The raw connection of a client made by `openDb`. */
export function sqliteOf(db: Db): SqliteConnection {
  const conn = connections.get(db);
  if (!conn) throw new Error("sqliteOf: this client was not opened by openDb");
  return conn;
}

interface AdapterLike {
  client?: unknown;
  startTransaction(isolationLevel?: unknown): Promise<{ commit(): Promise<void>; rollback(): Promise<void> }>;
}

export async function openDb({ file }: OpenDbOptions): Promise<Db> {
  const factory = new PrismaBetterSQLite3({ url: `file:${file}`, timeout: 5000 });
  const lock = new Mutex();
  let connection: Database.Database | undefined;
  const statements = new Map<string, Database.Statement>();

  // Prisma opens its connection through `connect()`; wrap it to keep the better-sqlite3 handle and
  // to make Prisma's transactions take `lock` for as long as they are open.
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = (await connect()) as unknown as AdapterLike;
    if (!(adapter.client instanceof Database)) throw new Error("openDb: unexpected adapter shape (better-sqlite3 handle not found)");
    connection = adapter.client;
    statements.clear();
    const start = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      const release = await lock.acquire();
      try {
        const tx = await start(isolationLevel);
        let released = false;
        const done = () => {
          if (!released) {
            released = true;
            release();
          }
        };
        const commit = tx.commit.bind(tx);
        const rollback = tx.rollback.bind(tx);
        tx.commit = () => commit().finally(done);
        tx.rollback = () => rollback().finally(done);
        return tx;
      } catch (err) {
        release();
        throw err;
      }
    };
    return adapter as unknown as Awaited<ReturnType<typeof connect>>;
  };

  const db = new PrismaClient({ adapter: factory });
  // PRAGMA statements return rows, so they go through $queryRawUnsafe.
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  await db.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
  await db.$queryRawUnsafe("PRAGMA secure_delete = ON");
  await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");

  const prepared = (sql: string) => {
    const conn = connection;
    if (!conn?.open) throw new Error("sqlite connection is closed");
    let stmt = statements.get(sql);
    if (!stmt) {
      stmt = conn.prepare(sql);
      stmt.safeIntegers(false);
      statements.set(sql, stmt);
    }
    return stmt;
  };
  const runner: SqlRunner = {
    run: (sql, ...params) => prepared(sql).run(...params).changes,
    get: <R>(sql: string, ...params: unknown[]) => prepared(sql).get(...params) as R | undefined,
    all: <R>(sql: string, ...params: unknown[]) => prepared(sql).all(...params) as R[],
  };
  const joined: SqlRunner = {
    run: (sql, ...params) => {
      assertInTransaction();
      return runner.run(sql, ...params);
    },
    get: <R>(sql: string, ...params: unknown[]) => {
      assertInTransaction();
      return runner.get<R>(sql, ...params);
    },
    all: <R>(sql: string, ...params: unknown[]) => {
      assertInTransaction();
      return runner.all<R>(sql, ...params);
    },
  };
  const assertInTransaction = () => {
    if (!connection?.inTransaction) throw new Error("joinOpenTransaction: no transaction is open");
  };
  connections.set(db, {
    joinOpenTransaction: () => {
      assertInTransaction();
      return joined;
    },
    transaction: <T>(fn: (sql: SqlRunner) => SyncOutcome<T>) =>
      lock.runExclusive(() => {
        prepared("BEGIN").run();
        try {
          const outcome = fn(runner);
          prepared(outcome.commit ? "COMMIT" : "ROLLBACK").run();
          return outcome.value;
        } catch (err) {
          if (connection?.inTransaction) prepared("ROLLBACK").run();
          throw err;
        }
      }),
  });
  return db;
}
