// The inbound journal: an update is written to the database before the messenger is told we have
// it (a webhook's 200, a polling offset moving past it) and deleted once it has been applied. A
// crash in between therefore loses nothing: at start the channel replays what is left, and the
// dialog service's processed-update keys keep a replayed update from being applied twice.
// Rows hold message texts, so they live only until applied (see README, erasure).
import type { Db } from "../db/client.ts";
import type { Logger } from "../logging/logger.ts";

export interface JournalEntry {
  updateKey: string;
  payload: string;
  /** The chat it belongs to (several instances take a chat's updates in order: src/cluster/chat-claims.ts). */
  chatKey?: string;
}

export interface InboundJournal {
  /** Writes the updates (one transaction); ones already journaled are kept as they are. */
  record(entries: JournalEntry[], now: Date): Promise<void>;
  /** The update has been applied (or has failed for good): forget it. */
  done(updateKey: string): Promise<void>;
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
  const done = async (updateKey: string) => {
    await db.inboundUpdate.deleteMany({ where: { channel, updateKey } });
  };
  return {
    async record(entries, now) {
      if (entries.length === 0) return;
      // One statement per entry in one transaction; an entry journaled before is kept as it is.
      await db.$transaction(
        entries.map(
          (e) =>
            db.$executeRaw`INSERT INTO "InboundUpdate" ("channel", "updateKey", "payload", "receivedAt", "chatKey") VALUES (${channel}, ${e.updateKey}, ${e.payload}, ${now}, ${e.chatKey ?? null}) ON CONFLICT DO NOTHING`,
        ),
      );
    },
    done,
    async replay(apply) {
      const [dropped, , rows] = await db.$transaction([
        db.inboundUpdate.deleteMany({ where: { channel, replays: { gte: MAX_REPLAYS } } }),
        db.inboundUpdate.updateMany({ where: { channel }, data: { replays: { increment: 1 } } }),
        db.inboundUpdate.findMany({ where: { channel }, select: { updateKey: true, payload: true, receivedAt: true } }),
      ]);
      const entries = rows.sort(byArrival);
      if (dropped.count > 0) log.error({ channel, updates: dropped.count }, `dropped updates replayed at ${MAX_REPLAYS} starts without being applied`);
      if (entries.length > 0) log.info({ channel, updates: entries.length }, "replaying updates received before a restart");
      for (const entry of entries) {
        let update: unknown;
        try {
          update = JSON.parse(entry.payload);
        } catch {
          await done(entry.updateKey);
          continue;
        }
        apply(update);
      }
    },
  };
}
