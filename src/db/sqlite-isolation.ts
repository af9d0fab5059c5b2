// Isolation for Prisma on SQLite. Prisma's better-sqlite3 adapter runs everything on one
// connection: it serialises interactive transactions with each other, but a top-level query issued
// while one is open runs inside it (a write is rolled back with it, a read sees its uncommitted
// rows). This decorator, written against Prisma's public driver-adapter interface only, makes a
// top-level query wait until the open transaction has finished, and starts transactions with
// BEGIN IMMEDIATE so a second process on the same file waits for the write lock (retried here, see
// waitingForLock) instead of failing at its first write with SQLITE_BUSY.
import type {
  IsolationLevel,
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
} from "@prisma/driver-adapter-utils";
import { Mutex } from "async-mutex";

const statement = (sql: string): SqlQuery => ({ sql, args: [], argTypes: [] });

/** How long a write waits for another process's write lock before its request fails (not the service). */
export const LOCK_WAIT_MS = 10_000;

/** Another connection (another process) held the write lock for longer than the wait allowed. */
export class DatabaseLockedError extends Error {
  readonly code = "OPORA_DB_LOCKED";
  constructor(waitedMs: number) {
    super(`the database is locked by another process: its write lock was not released within ${Math.round(waitedMs / 1000)} s`);
  }
}

/** SQLITE_BUSY as Prisma's adapter reports it (kind SocketTimeout, the original code kept). */
function isBusy(err: unknown): boolean {
  const cause = (err as { cause?: { originalCode?: unknown } } | null)?.cause;
  return typeof cause?.originalCode === "string" && cause.originalCode.startsWith("SQLITE_BUSY");
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * better-sqlite3 waits for a busy lock synchronously (busy_timeout), stopping the whole event loop:
 * the busy timeout is kept short and the wait happens here, between attempts, with this connection
 * free meanwhile, so health checks, reads and other requests are served while one write waits.
 * A statement that got SQLITE_BUSY changed nothing: trying it again is safe.
 */
async function waitingForLock(lock: Mutex, attempt: () => Promise<boolean>, lockWaitMs: number): Promise<void> {
  const began = Date.now();
  for (let n = 0; ; n++) {
    const release = await lock.acquire();
    let done = false;
    try {
      done = await attempt();
    } catch (err) {
      release();
      if (!isBusy(err)) throw err;
      const waited = Date.now() - began;
      if (waited >= lockWaitMs) throw new DatabaseLockedError(waited);
      await pause(Math.min(10 * 2 ** n, 200, Math.max(1, lockWaitMs - waited)));
      continue;
    }
    // attempt() says whether it keeps the lock (an open transaction) or hands it back.
    if (!done) release();
    return;
  }
}

/** One statement outside a transaction, retried while another process holds the write lock. */
async function single<T>(lock: Mutex, run: () => Promise<T>, lockWaitMs: number): Promise<T> {
  let result: T | undefined;
  await waitingForLock(
    lock,
    async () => {
      result = await run();
      return false;
    },
    lockWaitMs,
  );
  return result as T;
}

function isolate(inner: SqlDriverAdapter, lockWaitMs: number): SqlDriverAdapter {
  // One holder at a time: an open transaction, or one top-level statement.
  const lock = new Mutex();
  const info = { provider: inner.provider, adapterName: inner.adapterName };
  return {
    ...info,
    queryRaw: (q: SqlQuery) => single(lock, () => inner.queryRaw(q), lockWaitMs),
    executeRaw: (q: SqlQuery) => single(lock, () => inner.executeRaw(q), lockWaitMs),
    executeScript: (script: string) => lock.runExclusive(() => inner.executeScript(script)),
    getConnectionInfo: inner.getConnectionInfo?.bind(inner),
    dispose: () => inner.dispose(),
    async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
      if (isolationLevel && isolationLevel !== "SERIALIZABLE") {
        // SQLite transactions are serializable; anything else is a caller's mistake.
        throw new Error(`SQLite supports only SERIALIZABLE transactions, not ${isolationLevel}`);
      }
      // Holds the connection from a successful BEGIN IMMEDIATE until commit() / rollback().
      await waitingForLock(
        lock,
        async () => {
          await inner.executeRaw(statement("BEGIN IMMEDIATE"));
          return true;
        },
        lockWaitMs,
      );
      const release = () => lock.release();
      let open = true;
      const finish = () => {
        if (open) {
          open = false;
          release();
        }
      };
      // Prisma sends COMMIT / ROLLBACK through executeRaw, then calls commit() / rollback().
      const executeRaw = async (q: SqlQuery): Promise<number> => {
        try {
          return await inner.executeRaw(q);
        } catch (err) {
          if (/^\s*(COMMIT|ROLLBACK)\b/i.test(q.sql)) {
            // A failed COMMIT leaves the transaction open: undo it so the connection is usable again.
            await inner.executeRaw(statement("ROLLBACK")).catch(() => undefined);
            finish();
          }
          throw err;
        }
      };
      return {
        ...info,
        options: { usePhantomQuery: false },
        queryRaw: (q: SqlQuery): Promise<SqlResultSet> => inner.queryRaw(q),
        executeRaw,
        commit: async () => finish(),
        rollback: async () => finish(),
      };
    },
  };
}

/** Wraps Prisma's SQLite adapter factory so that transactions are isolated (see above). */
export function isolatedSqlite(factory: SqlDriverAdapterFactory, lockWaitMs: number = LOCK_WAIT_MS): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => isolate(await factory.connect(), lockWaitMs),
  };
}
