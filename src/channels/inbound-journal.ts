// The inbound journal: an update is written to the database before the messenger is told we have
// it (a webhook's 200, a polling offset moving past it) and deleted once it has been applied. A
// crash in between therefore loses nothing: at start the channel replays what is left, and the
// dialog service's processed-update keys keep a replayed update from being applied twice.
// Rows hold message texts, so they live only until applied (secure_delete overwrites them).
import { type Db, sqliteDateTime, sqliteOf } from "../db/client.ts";

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
   * Updates received but not applied, oldest first, for a replay at start. Each call counts as a
   * replay; an update replayed `MAX_REPLAYS` times already is dropped instead (it may be what
   * brought the process down: replaying it forever would keep the bot from running at all).
   */
  takeForReplay(): Promise<{ entries: JournalEntry[]; dropped: number }>;
}

export const MAX_REPLAYS = 3;

export function createInboundJournal(db: Db, channel: "telegram" | "max"): InboundJournal {
  const sqlite = sqliteOf(db);
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
    done(updateKey) {
      return sqlite.transaction((sql) => ({
        commit: true,
        value: void sql.run('DELETE FROM "InboundUpdate" WHERE "channel" = ? AND "updateKey" = ?', channel, updateKey),
      }));
    },
    takeForReplay() {
      return sqlite.transaction((sql) => {
        const dropped = sql.run('DELETE FROM "InboundUpdate" WHERE "channel" = ? AND "replays" >= ?', channel, MAX_REPLAYS);
        sql.run('UPDATE "InboundUpdate" SET "replays" = "replays" + 1 WHERE "channel" = ?', channel);
        const entries = sql.all<JournalEntry>('SELECT "updateKey", "payload" FROM "InboundUpdate" WHERE "channel" = ? ORDER BY rowid', channel);
        return { commit: true, value: { entries, dropped } };
      });
    },
  };
}
