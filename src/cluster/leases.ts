// Leases in the database: the one instance that may run a periodic job or poll a messenger is the
// holder of a named lease until it expires. Several Opora instances share one database (PostgreSQL,
// or one SQLite file on one machine), so the lease is a row and every decision is one statement:
//
// - Expiry is set and compared with the DATABASE's clock only (PostgreSQL `clock_timestamp()`,
//   SQLite's 'now'), never an instance's: instances whose clocks disagree by seconds still agree
//   on who holds a lease.
// - The holder believes it holds the lease until (monotonic time when it SENT the request) + ttl −
//   margin. The database started the ttl later than that, so the holder stops believing before
//   anyone else can take over, whatever the wall clocks say.
// - `token` grows with every new holder (fencing): `assertLeaseHeld` inside a transaction makes a
//   holder that paused past its expiry fail instead of writing after its successor.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { type Db, type DbEngine, engineOf, type Tx } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";

export interface Lease {
  name: string;
  holder: string;
  /** Fencing token: larger for every later holder of this name. */
  token: number;
  ttlMs: number;
  /** The database's engine (a transaction client does not say which it is). */
  engine: DbEngine;
  /** Monotonic time (ms) until which this instance may act as holder. */
  validUntil: number;
}

export interface LeaseState {
  holder: string;
  token: number;
  expiresAt: Date;
  /** False when expired by the database's clock (anyone may take it). */
  live: boolean;
}

export interface Leases {
  readonly holder: string;
  /** Takes the lease when nobody holds it (or the holding expired); null when someone does. */
  acquire(name: string, ttlMs: number): Promise<Lease | null>;
  /** Extends a held lease by `ttlMs` from now; false (and nothing changed) when it was lost. */
  renew(lease: Lease, ttlMs?: number): Promise<boolean>;
  /**
   * Gives the lease up. `holdForMs` > 0 keeps others out that long (a periodic job that just ran
   * is not due again before its interval); 0 frees it at once.
   */
  release(lease: Lease, holdForMs?: number): Promise<void>;
  /** Gives the lease up and deletes its row (short-lived names such as a chat's claim leave no rows behind). */
  drop(lease: Lease): Promise<void>;
  /** Whether this instance may still act on the lease (local belief; see the file comment). */
  valid(lease: Lease): boolean;
  /** Who holds `name`, for status pages and tests. */
  state(name: string): Promise<LeaseState | null>;
}

export class LeaseLostError extends Error {
  constructor(readonly lease: string) {
    super(`lease ${lease} is no longer held by this instance`);
    this.name = "LeaseLostError";
  }
}

/** A readable, unique id for this process: host name, process id and a random part. */
export function newInstanceId(): string {
  return `${hostname().slice(0, 60)}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

/** SQL for "now" and "now + ms" on the engine's own clock, in the format Prisma stores DateTime. */
export function clockSql(engine: DbEngine) {
  const ms = (n: number) => {
    if (!Number.isSafeInteger(n)) throw new Error(`lease duration must be whole milliseconds, got ${n}`);
    return n;
  };
  if (engine === "postgresql") {
    // timestamp(3) columns hold UTC without a zone (as Prisma writes them).
    const now = "(clock_timestamp() AT TIME ZONE 'UTC')";
    return { now: Prisma.raw(now), plus: (n: number) => Prisma.raw(`(${now} + make_interval(secs => ${ms(n)} / 1000.0))`) };
  }
  // Prisma keeps SQLite DateTime as text '2026-11-30T23:29:45.550+00:00'; same format, so text order is time order.
  const fmt = "'%Y-%m-%dT%H:%M:%f+00:00'";
  return {
    now: Prisma.raw(`strftime(${fmt}, 'now')`),
    plus: (n: number) => Prisma.raw(`strftime(${fmt}, 'now', '${ms(n) >= 0 ? "+" : ""}${(ms(n) / 1000).toFixed(3)} seconds')`),
  };
}

export interface LeasesOptions {
  db: Db;
  /** This instance's id (default: host, pid, random). */
  holder?: string;
  /** Monotonic milliseconds (default performance.now); tests pass a fake one. */
  monotonic?: () => number;
}

export function createLeases({ db, holder = newInstanceId(), monotonic = () => performance.now() }: LeasesOptions): Leases {
  const engine = engineOf(db);
  const clock = clockSql(engine);
  // The holder stops a little before the database would let another take over.
  const margin = (ttlMs: number) => Math.min(1000, ttlMs / 5);

  return {
    holder,
    async acquire(name, ttlMs) {
      const sentAt = monotonic();
      const rows = await db.$queryRaw<{ token: number | bigint }[]>`
        INSERT INTO "Lease" ("name", "holder", "token", "expiresAt", "acquiredAt")
        VALUES (${name}, ${holder}, 1, ${clock.plus(ttlMs)}, ${clock.now})
        ON CONFLICT ("name") DO UPDATE SET
          "holder" = excluded."holder",
          "token" = "Lease"."token" + 1,
          "expiresAt" = excluded."expiresAt",
          "acquiredAt" = excluded."acquiredAt"
        WHERE "Lease"."expiresAt" <= ${clock.now}
        RETURNING "token"`;
      const row = rows[0];
      if (!row) return null;
      return { name, holder, token: Number(row.token), ttlMs, engine, validUntil: sentAt + ttlMs - margin(ttlMs) };
    },
    async renew(lease, ttlMs = lease.ttlMs) {
      const sentAt = monotonic();
      const n = await db.$executeRaw`
        UPDATE "Lease" SET "expiresAt" = ${clock.plus(ttlMs)}
        WHERE "name" = ${lease.name} AND "holder" = ${lease.holder} AND "token" = ${lease.token} AND "expiresAt" > ${clock.now}`;
      if (n === 0) {
        lease.validUntil = Number.NEGATIVE_INFINITY;
        return false;
      }
      lease.ttlMs = ttlMs;
      lease.validUntil = sentAt + ttlMs - margin(ttlMs);
      return true;
    },
    async release(lease, holdForMs = 0) {
      lease.validUntil = Number.NEGATIVE_INFINITY;
      await db.$executeRaw`
        UPDATE "Lease" SET "expiresAt" = ${clock.plus(Math.max(0, Math.round(holdForMs)))}
        WHERE "name" = ${lease.name} AND "holder" = ${lease.holder} AND "token" = ${lease.token}`;
    },
    async drop(lease) {
      lease.validUntil = Number.NEGATIVE_INFINITY;
      await db.$executeRaw`DELETE FROM "Lease" WHERE "name" = ${lease.name} AND "holder" = ${lease.holder} AND "token" = ${lease.token}`;
    },
    valid: (lease) => monotonic() < lease.validUntil,
    async state(name) {
      const rows = await db.$queryRaw<{ holder: string; token: number | bigint; expiresAt: Date | string; live: unknown }[]>`
        SELECT "holder", "token", "expiresAt", CASE WHEN "expiresAt" > ${clock.now} THEN 1 ELSE 0 END AS "live"
        FROM "Lease" WHERE "name" = ${name}`;
      const r = rows[0];
      if (!r) return null;
      return { holder: r.holder, token: Number(r.token), expiresAt: new Date(r.expiresAt), live: Number(r.live) === 1 };
    },
  };
}

/**
 * Inside a transaction: fails with LeaseLostError unless `lease` is still the current holding (same
 * token, not expired by the database's clock). Nobody can take the lease between this check and the
 * commit: on PostgreSQL the row is share-locked until commit (a taker's UPDATE waits; several
 * transactions of the holder do not wait for one another), and a SQLite transaction holds the
 * file's write lock from its start (BEGIN IMMEDIATE, sqlite-isolation.ts).
 */
export async function assertLeaseHeld(tx: Tx, lease: Lease): Promise<void> {
  const lock = lease.engine === "postgresql" ? Prisma.raw("FOR SHARE") : Prisma.empty;
  const rows = await tx.$queryRaw<unknown[]>`${leaseRowSql(lease)} ${lock}`;
  if (rows.length === 0) throw new LeaseLostError(lease.name);
}

/** The lease's row while `lease` is still the current holding (same token, not expired by the database's clock). */
export function leaseRowSql(lease: Pick<Lease, "name" | "holder" | "token" | "engine">): Prisma.Sql {
  return Prisma.sql`SELECT 1 FROM "Lease" WHERE "name" = ${lease.name} AND "holder" = ${lease.holder} AND "token" = ${lease.token} AND "expiresAt" > ${clockSql(lease.engine).now}`;
}

/**
 * A condition, for a statement's WHERE: `lease` is still the current holding. Put into a statement
 * that runs anyway, it fences the write without a round trip of its own (a chat's claim).
 */
export function leaseHeldSql(lease: Pick<Lease, "name" | "holder" | "token" | "engine">): Prisma.Sql {
  return Prisma.sql`EXISTS (${leaseRowSql(lease)})`;
}

/**
 * A job's writes fenced by its lease: `check` goes first in each of the job's transactions (a holder
 * that paused past its expiry commits nothing once another instance took the job over), `valid` is
 * the local belief, asked before an outside effect (a message sent) that no transaction can undo.
 */
export interface Fence {
  check(tx: Tx): Promise<void>;
  valid(): boolean;
}

export function leaseFence(leases: Pick<Leases, "valid">, lease: Lease): Fence {
  return { check: (tx) => assertLeaseHeld(tx, lease), valid: () => leases.valid(lease) };
}

/** Runs `fn` in a transaction whose first statement is the fence's check (no fence: a plain transaction). */
export function fenced<T>(db: Db, fence: Fence | undefined, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await fence?.check(tx);
    return fn(tx);
  });
}
