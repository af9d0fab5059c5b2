// The inbound journal: an update is written to the database before the messenger is told we have
// it (a webhook's 200, a polling offset moving past it) and deleted once it has been applied. A
// crash in between therefore loses nothing: at start the channel replays what is left, and the
// dialog service's processed-update keys keep a replayed update from being applied twice.
// Rows hold message texts, so they live only until applied (see README, erasure).
import { clockSql } from "../cluster/leases.ts";
import { type Db, engineOf } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Logger } from "../logging/logger.ts";

export interface JournalEntry {
  updateKey: string;
  payload: string;
  /** The chat it belongs to (several instances take a chat's updates in order: src/cluster/chat-claims.ts). */
  chatKey?: string;
}

export interface InboundJournal {
  /**
   * Writes the updates (one transaction); ones already journaled are kept as they are. `now`
   * "database": stamped by the database's clock — several instances whose clocks differ by seconds
   * then still agree on a chat's arrival order (chat-claims.ts "arrival").
   */
  record(entries: JournalEntry[], now: Date | "database"): Promise<void>;
  /** The update has been applied (or has failed for good): forget it. */
  done(updateKey: string): Promise<void>;
  /** The update's step has run (its transaction deleted the row, or left it for `retryFailed`). */
  release(updateKeys: readonly string[]): void;
  /**
   * From now until `stop`: every `everyMs`, updates older than `olderThanMs` still in the journal
   * and not in flight here (their step failed, e.g. an overloaded PostgreSQL) are handed to `apply`
   * again, without waiting for a restart.
   */
  retryFailed(apply: (update: unknown) => void, opts?: { everyMs?: number; olderThanMs?: number; when?: () => boolean }): void;
  stop(): Promise<void>;
  /**
   * At start: hands every update an earlier process received but never applied (it stopped or
   * crashed) to `apply`, oldest first. Each start counts as a replay; an update replayed
   * `MAX_REPLAYS` times already is dropped instead (it may be what brought the process down:
   * replaying it forever would keep the bot from running at all). Unreadable entries are dropped.
   */
  replay(apply: (update: unknown) => void): Promise<void>;
}

const MAX_REPLAYS = 3;

/** Oldest first: by arrival, then (within one batch) by update key, numerically when both are numbers. */
function byArrival(a: { receivedAt: Date; updateKey: string }, b: { receivedAt: Date; updateKey: string }): number {
  const t = a.receivedAt.getTime() - b.receivedAt.getTime();
  if (t !== 0) return t;
  if (/^\d+$/.test(a.updateKey) && /^\d+$/.test(b.updateKey) && a.updateKey.length !== b.updateKey.length) {
    return a.updateKey.length - b.updateKey.length;
  }
  return a.updateKey < b.updateKey ? -1 : a.updateKey > b.updateKey ? 1 : 0;
}

export function createInboundJournal(db: Db, log: Logger, channel: "telegram" | "max"): InboundJournal {
  /** Keys this process has taken and not finished: never re-applied by the sweep meanwhile. */
  const inFlight = new Set<string>();
  let sweeper: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;

  /**
   * Updates whose step failed (its transaction rolled back, the row stays): applied again, each
   * pass counting as a replay, so an update that keeps failing is dropped after MAX_REPLAYS.
   */
  async function sweep(apply: (update: unknown) => void, olderThanMs: number): Promise<void> {
    const before = new Date(Date.now() - olderThanMs);
    const rows = await db.inboundUpdate.findMany({
      where: { channel, receivedAt: { lt: before } },
      select: { updateKey: true, payload: true, receivedAt: true, replays: true },
      take: 500,
    });
    const stale = rows.filter((r) => !inFlight.has(r.updateKey)).sort(byArrival);
    if (stale.length === 0) return;
    const dead = stale.filter((r) => r.replays >= MAX_REPLAYS).map((r) => r.updateKey);
    const again = stale.filter((r) => r.replays < MAX_REPLAYS);
    await db.$transaction([
      db.inboundUpdate.deleteMany({ where: { channel, updateKey: { in: dead } } }),
      db.inboundUpdate.updateMany({ where: { channel, updateKey: { in: again.map((r) => r.updateKey) } }, data: { replays: { increment: 1 } } }),
    ]);
    if (dead.length > 0) log.error({ channel, updates: dead.length }, `dropped updates that failed ${MAX_REPLAYS} times`);
    log.warn({ channel, updates: again.length }, "applying again updates whose step failed");
    await applyEntries(again, apply);
  }

  const done = async (updateKey: string) => {
    await db.inboundUpdate.deleteMany({ where: { channel, updateKey } });
  };

  /** Hands stored updates to `apply` in order; one whose payload no longer parses is dropped. */
  async function applyEntries(entries: readonly { updateKey: string; payload: string }[], apply: (update: unknown) => void) {
    for (const entry of entries) {
      let update: unknown;
      try {
        update = JSON.parse(entry.payload);
      } catch {
        await done(entry.updateKey);
        continue;
      }
      inFlight.add(entry.updateKey);
      apply(update);
    }
  }
  return {
    async record(entries, now) {
      if (entries.length === 0) return;
      for (const e of entries) inFlight.add(e.updateKey);
      // One statement for the whole batch (a getUpdates answer holds up to 100); an entry journaled
      // before is kept as it is.
      const at = now === "database" ? clockSql(engineOf(db)).now : Prisma.sql`${now}`;
      const rows = entries.map((e) => Prisma.sql`(${channel}, ${e.updateKey}, ${e.payload}, ${at}, ${e.chatKey ?? null})`);
      await db.$executeRaw`INSERT INTO "InboundUpdate" ("channel", "updateKey", "payload", "receivedAt", "chatKey") VALUES ${Prisma.join(rows)} ON CONFLICT DO NOTHING`;
    },
    done: async (updateKey) => {
      inFlight.delete(updateKey);
      await done(updateKey);
    },
    release(updateKeys) {
      for (const k of updateKeys) inFlight.delete(k);
    },
    retryFailed(apply, opts) {
      if (sweeper) return;
      const everyMs = opts?.everyMs ?? 15_000;
      const olderThanMs = opts?.olderThanMs ?? 30_000;
      sweeper = setInterval(() => {
        // Several instances: only the one taking the updates (the elected poller) retries them.
        if (opts?.when && !opts.when()) return;
        sweeping ??= sweep(apply, olderThanMs)
          .catch((err: unknown) => log.warn({ channel, code: (err as { code?: string }).code }, "journal retry pass failed"))
          .finally(() => {
            sweeping = undefined;
          });
      }, everyMs);
      sweeper.unref();
    },
    async stop() {
      if (sweeper) clearInterval(sweeper);
      sweeper = undefined;
      await sweeping;
    },
    async replay(apply) {
      const [dropped, , rows] = await db.$transaction([
        db.inboundUpdate.deleteMany({ where: { channel, replays: { gte: MAX_REPLAYS } } }),
        db.inboundUpdate.updateMany({ where: { channel }, data: { replays: { increment: 1 } } }),
        db.inboundUpdate.findMany({ where: { channel }, select: { updateKey: true, payload: true, receivedAt: true } }),
      ]);
      const entries = rows.sort(byArrival);
      if (dropped.count > 0) log.error({ channel, updates: dropped.count }, `dropped updates replayed at ${MAX_REPLAYS} starts without being applied`);
      if (entries.length > 0) log.info({ channel, updates: entries.length }, "replaying updates received before a restart");
      await applyEntries(entries, apply);
    },
  };
}
