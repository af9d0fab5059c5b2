// Isolation for Prisma on SQLite. Prisma's better-sqlite3 adapter runs everything on one
// connection: it serialises interactive transactions with each other, but a top-level query issued
// while one is open runs inside it (a write is rolled back with it, a read sees its uncommitted
// rows). This decorator, written against Prisma's public driver-adapter interface only, makes a
// top-level query wait until the open transaction has finished, and starts transactions with
// BEGIN IMMEDIATE so a second process on the same file waits for the write lock (busy_timeout)
// instead of failing at its first write with SQLITE_BUSY.
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

function isolate(inner: SqlDriverAdapter): SqlDriverAdapter {
  // One holder at a time: an open transaction, or one top-level statement.
  const lock = new Mutex();
  const info = { provider: inner.provider, adapterName: inner.adapterName };
  return {
    ...info,
    queryRaw: (q: SqlQuery) => lock.runExclusive(() => inner.queryRaw(q)),
    executeRaw: (q: SqlQuery) => lock.runExclusive(() => inner.executeRaw(q)),
    executeScript: (script: string) => lock.runExclusive(() => inner.executeScript(script)),
    getConnectionInfo: inner.getConnectionInfo?.bind(inner),
    dispose: () => inner.dispose(),
    async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
      if (isolationLevel && isolationLevel !== "SERIALIZABLE") {
        // SQLite transactions are serializable; anything else is a caller's mistake.
        throw new Error(`SQLite supports only SERIALIZABLE transactions, not ${isolationLevel}`);
      }
      const release = await lock.acquire();
      try {
        await inner.executeRaw(statement("BEGIN IMMEDIATE"));
      } catch (err) {
        release();
        throw err;
      }
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
export function isolatedSqlite(factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => isolate(await factory.connect()),
  };
}
