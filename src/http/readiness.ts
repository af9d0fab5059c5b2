// What /readyz checks about the database: that it can be WRITTEN now, not only read. Every
// webhook and every request stores something; a database that answers SELECT 1 while the disk is
// full, the file is read-only or another process holds the write lock would have the instance
// reported "ready" while each write fails. The probe goes through the service's own connection
// (Prisma), so it meets exactly what the requests meet.
import { statfsSync } from "node:fs";
import path from "node:path";
import { type Db, engineOf } from "../db/client.ts";

export type DatabaseHealth =
  | { type: "ok" }
  | { type: "problem"; state: "unwritable" | "locked" | "disk_full" | "unavailable"; reason: string };

export interface ReadinessOptions {
  /** The SQLite file (its folder's free space is checked); absent on PostgreSQL. */
  databaseFile?: string;
  /** Below this many free bytes in the database's folder the service is not ready (writes would soon fail). */
  minFreeBytes?: number;
  /** How long the write probe may wait (e.g. for another process's write lock) before "locked". */
  budgetMs?: number;
  /** Free bytes in a folder (tests may simulate a full disk). */
  freeBytes?: (dir: string) => number;
}

/** 32 MiB: room for the WAL and a checkpoint of a busy hour; less, and writes start failing soon. */
export const MIN_FREE_BYTES = 32 * 1024 * 1024;
export const PROBE_BUDGET_MS = 2_000;

const freeBytesOf = (dir: string): number => {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
};

function describe(err: unknown): DatabaseHealth {
  const e = err as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } };
  const code = String(e?.meta?.driverAdapterError?.cause?.originalCode ?? e?.code ?? "");
  const message = typeof e?.message === "string" ? e.message : "";
  if (code === "OPORA_DB_LOCKED" || /locked by another process/.test(message)) {
    return { type: "problem", state: "locked", reason: "another process holds the database's write lock" };
  }
  if (/READONLY/i.test(code) || /readonly database|read-only/i.test(message)) {
    return { type: "problem", state: "unwritable", reason: "the database is read-only (file or folder permissions, or a read-only disk)" };
  }
  if (/FULL/.test(code) || /disk is full/i.test(message)) {
    return { type: "problem", state: "disk_full", reason: "the disk holding the database is full" };
  }
  if (/IOERR/.test(code) || /disk I\/O error/i.test(message)) {
    return { type: "problem", state: "unwritable", reason: "the database file cannot be written (disk I/O error)" };
  }
  return { type: "problem", state: "unavailable", reason: "the database does not answer" };
}

/** A write that changes nothing: SQLite rewrites its header's user_version with its own value. */
async function writeProbe(db: Db): Promise<void> {
  if (engineOf(db) === "postgresql") {
    const rows = await db.$queryRawUnsafe<{ transaction_read_only: string }[]>("SHOW transaction_read_only");
    if (rows[0]?.transaction_read_only === "on") throw Object.assign(new Error("read-only database"), { code: "READONLY" });
    return;
  }
  const rows = await db.$queryRawUnsafe<{ user_version: number | bigint }[]>("PRAGMA user_version");
  await db.$executeRawUnsafe(`PRAGMA user_version = ${Number(rows[0]?.user_version ?? 0)}`);
}

/**
 * Checks the database the way /readyz reports it. One probe at a time: while one waits (for a
 * lock), further calls share its outcome instead of queueing more writes behind it.
 */
export function createDatabaseHealth(db: Db, options: ReadinessOptions = {}): () => Promise<DatabaseHealth> {
  const budget = options.budgetMs ?? PROBE_BUDGET_MS;
  const minFree = options.minFreeBytes ?? MIN_FREE_BYTES;
  const freeBytes = options.freeBytes ?? freeBytesOf;
  let inFlight: Promise<DatabaseHealth> | undefined;
  return async () => {
    if (options.databaseFile) {
      try {
        const free = freeBytes(path.dirname(path.resolve(options.databaseFile)));
        if (free < minFree) {
          return { type: "problem", state: "disk_full", reason: `the disk holding the database is full (${Math.floor(free / 1024 / 1024)} MB free, at least ${Math.round(minFree / 1024 / 1024)} MB needed)` };
        }
      } catch {
        return { type: "problem", state: "unavailable", reason: "the database's folder cannot be read" };
      }
    }
    inFlight ??= writeProbe(db).then(
      (): DatabaseHealth => ({ type: "ok" }),
      (err: unknown) => describe(err),
    ).finally(() => {
      inFlight = undefined;
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<DatabaseHealth>((resolve) => {
      timer = setTimeout(
        () => resolve({ type: "problem", state: "locked", reason: `a database write waited more than ${budget / 1000} s (write lock held too long)` }),
        budget,
      );
    });
    try {
      return await Promise.race([inFlight, late]);
    } finally {
      clearTimeout(timer);
    }
  };
}
