// Conversation persistence for the dialog service, as plain synchronous SQL on the connection
// Prisma uses (see `SqliteConnection` in db/client.ts). These run on every update, where Prisma's
// per-query cost was most of the bot's CPU; they are always called inside a transaction (the
// service's own, or a Prisma transaction they join), so the "processed" mark, the state and the
// effects commit together.
import { randomUUID } from "node:crypto";
import { type SqlRunner, sqliteDateTime } from "../db/client.ts";
import { OPEN_STATUSES } from "../requests/queue-order.ts";
import type { ConsentDraft } from "./engine.ts";
import type { ChannelName } from "./service-types.ts";
import { type DialogState, parseState, serializeState, STATE_VERSION } from "./state.ts";

/** Marks an update as processed; false when it was processed before (a re-delivery). */
export function claimUpdate(sql: SqlRunner, channel: ChannelName, updateKey: string, now: Date): boolean {
  return (
    sql.run('INSERT OR IGNORE INTO "ProcessedUpdate" ("channel", "updateKey", "processedAt") VALUES (?, ?, ?)', channel, updateKey, sqliteDateTime(now)) === 1
  );
}

export interface LoadedConversation {
  id: string;
  /** null when new, or when the stored state could not be read (old version, bad JSON): restart. */
  state: DialogState | null;
  resetReason: "missing" | "invalid" | "old_version" | null;
  seq: number;
}

export function loadOrCreateConversation(
  sql: SqlRunner,
  key: { channel: ChannelName; chatId: string; userId: string; locale: string; isTest: boolean; now: Date },
): LoadedConversation {
  const row = sql.get<{ id: string; state: string; seq: number }>(
    'SELECT "id", "state", "seq" FROM "Conversation" WHERE "channel" = ? AND "chatId" = ?',
    key.channel,
    key.chatId,
  );
  if (!row) {
    const id = randomUUID();
    const at = sqliteDateTime(key.now);
    sql.run(
      `INSERT INTO "Conversation" ("id", "channel", "chatId", "userId", "locale", "state", "stateVersion", "seq", "isTest", "channelData", "lastActivityAt", "createdAt", "updatedAt")
       VALUES (?, ?, ?, ?, ?, '', ?, 0, ?, '{}', ?, ?, ?)`,
      id,
      key.channel,
      key.chatId,
      key.userId,
      key.locale,
      STATE_VERSION,
      key.isTest ? 1 : 0,
      at,
      at,
      at,
    );
    return { id, state: null, resetReason: "missing", seq: 0 };
  }
  const parsed = parseState(row.state);
  if (parsed.type === "ok") return { id: row.id, state: parsed.state, resetReason: null, seq: row.seq };
  return { id: row.id, state: null, resetReason: parsed.reason, seq: row.seq };
}

export function saveConversation(sql: SqlRunner, id: string, state: DialogState, now: Date, userId: string): void {
  const at = sqliteDateTime(now);
  sql.run(
    'UPDATE "Conversation" SET "state" = ?, "stateVersion" = ?, "seq" = ?, "locale" = ?, "userId" = ?, "lastActivityAt" = ?, "blockedAt" = NULL, "updatedAt" = ? WHERE "id" = ?',
    serializeState(state),
    STATE_VERSION,
    state.seq,
    state.locale,
    userId,
    at,
    at,
    id,
  );
}

const OPEN_PLACEHOLDERS = OPEN_STATUSES.map(() => "?").join(", ");

/** A message of the family kept in the transcript, linked to their open request if there is one. */
export function recordInbound(sql: SqlRunner, conversationId: string, text: string, now: Date): void {
  const open = sql.get<{ id: number }>(
    `SELECT "id" FROM "Request" WHERE "conversationId" = ? AND "status" IN (${OPEN_PLACEHOLDERS}) ORDER BY "id" DESC LIMIT 1`,
    conversationId,
    ...OPEN_STATUSES,
  );
  sql.run(
    'INSERT INTO "TranscriptMessage" ("id", "conversationId", "requestId", "direction", "text", "createdAt") VALUES (?, ?, ?, \'in\', ?, ?)',
    randomUUID(),
    conversationId,
    open?.id ?? null,
    text,
    sqliteDateTime(now),
  );
}

/** Consent records (152-ФЗ, design.md §4): what was shown, to whom, when, from which update. */
export function recordConsent(
  sql: SqlRunner,
  input: { channel: string; userId: string; consent: ConsentDraft; sourceUpdateId: string; now: Date },
): string {
  const c = input.consent;
  const id = randomUUID();
  sql.run(
    `INSERT INTO "ConsentRecord" ("id", "channel", "userId", "decision", "textVersion", "textHash", "operatorName", "purposes", "dataList", "recipients", "term", "withdrawalMethod", "sourceUpdateId", "givenAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id,
    input.channel,
    input.userId,
    c.decision,
    c.textVersion,
    c.textHash,
    c.operatorName,
    JSON.stringify(c.purposes),
    JSON.stringify(c.dataList),
    JSON.stringify(c.recipients),
    c.term,
    c.withdrawalMethod,
    input.sourceUpdateId,
    sqliteDateTime(input.now),
  );
  return id;
}
