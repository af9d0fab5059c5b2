// The inbound journal: an update is written to the database before the messenger is told we have
// it (a webhook's 200, a polling offset moving past it) and deleted once it has been applied. A
// crash in between therefore loses nothing: at start the channel replays what is left, and the
// dialog service's processed-update keys keep a replayed update from being applied twice.
// Rows hold message texts, so they live only until applied (secure_delete overwrites them).
import { type Db, sqliteDateTime, sqliteOf } from "../db/client.ts";
import type { Logger } from "../logging/logger.ts";

export interface JournalEntry {
  updateKey: string;
  payload: string;
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

export function createInboundJournal(db: Db, log: Logger, channel: "telegram" | "max"): InboundJournal {
  const sqlite = sqliteOf(db);
  const done = (updateKey: string) =>
    sqlite.transaction((sql) => ({
      commit: true,
      value: void sql.run('DELETE FROM "InboundUpdate" WHERE "channel" = ? AND "updateKey" = ?', channel, updateKey),
    }));
  return {
    record(entries, now) {
      if (entries.length === 0) return Promise.resolve();
      const at = sqliteDateTime(now);
      return sqlite.transaction((sql) => {
        for (const e of entries) {
          sql.run('INSERT OR IGNORE INTO "InboundUpdate" ("channel", "updateKey", "payload", "receivedAt") VALUES (?, ?, ?, ?)', channel, e.updateKey, e.payload, at);
        }
        return { commit: true, value: undefined };
      });
    },
    done,
    async replay(apply) {
      const { entries, dropped } = await sqlite.transaction((sql) => {
        const gone = sql.run('DELETE FROM "InboundUpdate" WHERE "channel" = ? AND "replays" >= ?', channel, MAX_REPLAYS);
        sql.run('UPDATE "InboundUpdate" SET "replays" = "replays" + 1 WHERE "channel" = ?', channel);
        const rows = sql.all<JournalEntry>('SELECT "updateKey", "payload" FROM "InboundUpdate" WHERE "channel" = ? ORDER BY rowid', channel);
        return { commit: true, value: { entries: rows, dropped: gone } };
      });
      if (dropped > 0) log.error({ channel, updates: dropped }, `dropped updates replayed at ${MAX_REPLAYS} starts without being applied`);
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
