// Instances sharing one database see each other through a heartbeat row each (Instance). A start
// joins only instances that agree with it: the same SESSION_SECRET (a login made on one instance
// must be valid on the others behind the load balancer; only an HMAC of the secret is stored) and
// the same schema version (the last migration this build ships). Otherwise it refuses with one line.
// A database migrated by a newer build is refused earlier, by the migration check (migration-history.ts).
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { type Db, type DbEngine, type DbTarget, engineOf, openDb } from "../db/client.ts";
import { MIGRATIONS_DIR } from "../db/migrate.ts";
import { POSTGRES_MIGRATIONS_DIR } from "../db/migrate-postgres.ts";
import { shippedMigrationNames } from "../db/migration-history.ts";
import type { Logger } from "../logging/logger.ts";
import { clockSql } from "./leases.ts";

/** An instance whose heartbeat is older than this is taken as gone. */
export const INSTANCE_LIVE_MS = 30_000;
const HEARTBEAT_MS = 10_000;
/** Rows of instances gone this long are deleted (a killed process never deletes its own). */
const FORGET_AFTER_MS = 24 * 60 * 60_000;

/** Compares secrets between instances without storing them. */
export function secretCheckOf(secret: string): string {
  return createHmac("sha256", secret).update("opora instance session-secret check v1").digest("hex").slice(0, 32);
}

/** This build's schema version: its last migration for the engine. */
export function schemaVersionOf(engine: DbEngine): string {
  return shippedMigrationNames(engine === "postgresql" ? POSTGRES_MIGRATIONS_DIR : MIGRATIONS_DIR).at(-1) ?? "none";
}

export type JoinResult = { type: "joined"; others: number; registration: InstanceRegistration } | { type: "refused"; message: string };

export interface InstanceRegistration {
  readonly id: string;
  /** Deletes this instance's row (a clean stop). */
  leave(): Promise<void>;
  /** Stops the heartbeat without deleting the row (a killed process; tests). */
  kill(): void;
}

export async function joinInstances({
  db,
  id,
  sessionSecret,
  log,
  schemaVersion = schemaVersionOf(engineOf(db)),
  heartbeatMs = HEARTBEAT_MS,
}: {
  db: Db;
  id: string;
  /** Undefined when the demo made a random one at start. */
  sessionSecret: string | undefined;
  log: Logger;
  schemaVersion?: string;
  heartbeatMs?: number;
}): Promise<JoinResult> {
  const engine = engineOf(db);
  const clock = clockSql(engine);
  const secretCheck = sessionSecret ? secretCheckOf(sessionSecret) : null;
  // Joins take turns (one transaction: SQLite's write lock, a table lock on PostgreSQL), so the
  // instances already registered are exactly the earlier ones, and only they can refuse this one:
  // of two that disagree and start at the same moment exactly the second refuses. (Ordering by the
  // rows' start times was not enough: a start whose INSERT began first could commit last.)
  const joined = await db.$transaction(async (tx) => {
    if (engine === "postgresql") await tx.$executeRaw`LOCK TABLE "Instance" IN EXCLUSIVE MODE`;
    const earlier = await tx.$queryRaw<{ id: string; schemaVersion: string; secretCheck: string | null }[]>`
      SELECT "id", "schemaVersion", "secretCheck" FROM "Instance"
      WHERE "heartbeatAt" > ${clock.plus(-INSTANCE_LIVE_MS)} AND "id" <> ${id}
      ORDER BY "startedAt", "id"`;
    // A process on this machine that no longer exists (killed, then restarted at once) is not in the way.
    const gone = earlier.filter((o) => deadHere(o.id)).map((o) => o.id);
    if (gone.length > 0) await tx.instance.deleteMany({ where: { id: { in: gone } } });
    const others = earlier.filter((o) => !gone.includes(o.id));
    const problem = others.map((o) => disagreement(o, { schemaVersion, secretCheck })).find(Boolean);
    if (problem) return { type: "refused", message: problem } as const;
    await tx.$executeRaw`
      INSERT INTO "Instance" ("id", "startedAt", "heartbeatAt", "schemaVersion", "secretCheck")
      VALUES (${id}, ${clock.now}, ${clock.now}, ${schemaVersion}, ${secretCheck})`;
    return { type: "joined", others } as const;
  });
  if (joined.type === "refused") return joined;
  const { others } = joined;
  const beat = async () => {
    await db.$executeRaw`UPDATE "Instance" SET "heartbeatAt" = ${clock.now} WHERE "id" = ${id}`;
    await db.$executeRaw`DELETE FROM "Instance" WHERE "heartbeatAt" < ${clock.plus(-FORGET_AFTER_MS)}`;
  };
  const timer = setInterval(() => {
    beat().catch((err) => log.warn({ code: (err as { code?: string }).code }, "instance heartbeat failed"));
  }, heartbeatMs);
  timer.unref();
  if (others.length > 0) log.info({ instance: id, others: others.map((o) => o.id) }, "joined the other instances on this database");
  return {
    type: "joined",
    others: others.length,
    registration: {
      id,
      async leave() {
        clearInterval(timer);
        await db.instance.deleteMany({ where: { id } });
      },
      kill: () => clearInterval(timer),
    },
  };
}

/**
 * Before a start changes anything (its migrations): the refusal `joinInstances` would give, against
 * the instances alive now. A newer build started next to running older ones must not migrate the
 * database under them — an old instance restarting would then be refused by the migration check and
 * the service would go down. Undefined when the start may go on: no live instance disagrees, or there
 * is nothing to check yet (a new database, no Instance table, an unreachable one the migration step
 * reports).
 */
export async function liveInstanceMismatch(
  target: DbTarget,
  sessionSecret: string | undefined,
  schemaVersion: string = schemaVersionOf(target.engine),
): Promise<string | undefined> {
  if (target.engine === "sqlite" && !existsSync(target.file)) return undefined;
  let db: Db | undefined;
  try {
    db = await openDb(target);
    const clock = clockSql(target.engine);
    const live = await db.$queryRaw<{ id: string; schemaVersion: string; secretCheck: string | null }[]>`
      SELECT "id", "schemaVersion", "secretCheck" FROM "Instance"
      WHERE "heartbeatAt" > ${clock.plus(-INSTANCE_LIVE_MS)} ORDER BY "startedAt", "id"`;
    const mine = { schemaVersion, secretCheck: sessionSecret ? secretCheckOf(sessionSecret) : null };
    return live
      .filter((o) => !deadHere(o.id))
      .map((o) => disagreement(o, mine))
      .find(Boolean);
  } catch {
    return undefined;
  } finally {
    await db?.$disconnect().catch(() => undefined);
  }
}

/** True for an id of newInstanceId() naming this host and a process id that is not running. */
function deadHere(id: string): boolean {
  const m = /^(.*):(\d+):[0-9a-f]+$/.exec(id);
  if (!m || m[1] !== hostname().slice(0, 60)) return false;
  try {
    process.kill(Number(m[2]), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

function disagreement(
  other: { id: string; schemaVersion: string; secretCheck: string | null },
  mine: { schemaVersion: string; secretCheck: string | null },
): string | undefined {
  const fix = "stop it or give every instance the same";
  if (other.schemaVersion !== mine.schemaVersion) {
    return `another Opora instance (${other.id}) runs on this database with schema version ${other.schemaVersion}, this one has ${mine.schemaVersion}: run the same Opora version on every instance (for an upgrade, stop them all first)`;
  }
  if (mine.secretCheck === null) {
    return `another Opora instance (${other.id}) runs on this database: several instances need one shared SESSION_SECRET (≥ 32 characters), set it on every instance`;
  }
  if (other.secretCheck === null) {
    return `another Opora instance (${other.id}) runs on this database without SESSION_SECRET (a demo with a random one): ${fix} SESSION_SECRET`;
  }
  if (other.secretCheck !== mine.secretCheck) {
    return `another Opora instance (${other.id}) runs on this database with a different SESSION_SECRET: ${fix} SESSION_SECRET (logins must hold on every instance)`;
  }
  return undefined;
}
