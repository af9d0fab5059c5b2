// Conversation persistence for the dialog service. Every function runs inside the update's one
// interactive transaction, so the "processed" mark, the state and the effects commit together.
import { currentChatClaim } from "../cluster/chat-claims.ts";
import { leaseHeldSql, leaseRowSql } from "../cluster/leases.ts";
import type { DbEngine, Tx } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { OPEN_STATUSES } from "../requests/queue-order.ts";
import type { ConsentDraft } from "./engine.ts";
import type { ChannelName } from "./service-types.ts";
import { type DialogState, parseState, serializeState, STATE_VERSION } from "./state.ts";

/** How the update being claimed relates to the inbound journal and to a cached conversation. */
export interface ClaimInput {
  channel: ChannelName;
  updateKey: string;
  now: Date;
  /** The update's inbound-journal rows, deleted in the same transaction (a messenger's update). */
  journalKeys?: readonly string[];
  /**
   * The conversation as this process last committed it (ConversationCache): the update is claimed
   * only while the row still holds exactly that state, so the cached copy can be used unread.
   */
  unchanged?: { id: string; text: string };
}

/** Journal keys a transaction's claim statement deleted under the chat's claim (the second claim's condition). */
const clearedUnderClaim = new WeakMap<Tx, { channel: string; keys: readonly string[] }>();

/**
 * Marks an update as processed and deletes its journal rows; false when it was processed before (a
 * re-delivery) or, with `unchanged`, when the conversation is no longer as cached (nothing written
 * then but the journal deletion). PostgreSQL: one statement (a round trip is the cost there);
 * SQLite: two (in-process, no round trips; SQLite has no data-modifying CTEs). Under a chat's claim
 * (webhook mode, src/cluster/chat-claims.ts) both parts also need the claim still this instance's:
 * one more condition, no round trip of its own.
 */
export async function claimUpdate(tx: Tx, engine: DbEngine, input: ClaimInput): Promise<boolean> {
  const { channel, updateKey, now, unchanged } = input;
  const keys = input.journalKeys ?? [];
  const pg = engine === "postgresql";
  const same = unchanged
    ? [Prisma.sql`EXISTS (SELECT 1 FROM "Conversation" WHERE "id" = ${unchanged.id} AND "state" = ${unchanged.text})`]
    : [];
  // ON CONFLICT rather than catching a unique violation: on PostgreSQL an error aborts the transaction.
  const insert = (conditions: Prisma.Sql[]) => {
    const row =
      conditions.length === 0
        ? Prisma.sql`VALUES (${channel}, ${updateKey}, ${now})`
        : pg
          ? Prisma.sql`SELECT ${channel}::text, ${updateKey}::text, ${now}::timestamp(3) WHERE ${Prisma.join(conditions, " AND ")}`
          : Prisma.sql`SELECT ${channel}, ${updateKey}, ${now} WHERE ${Prisma.join(conditions, " AND ")}`;
    return Prisma.sql`INSERT INTO "ProcessedUpdate" ("channel", "updateKey", "processedAt") ${row} ON CONFLICT DO NOTHING`;
  };
  const journal = (ks: readonly string[]) => Prisma.sql`FROM "InboundUpdate" WHERE "channel" = ${channel} AND "updateKey" IN (${Prisma.join(ks)})`;
  // Webhook mode on several instances: only while this instance still holds the chat's claim (a
  // holder that stalled past it commits nothing; the chat's new holder applies the update).
  const claim = currentChatClaim();
  if (!claim) {
    if (keys.length === 0) return (await tx.$executeRaw(insert(same))) === 1;
    if (pg) return (await tx.$executeRaw`WITH "journal" AS (DELETE ${journal(keys)}) ${insert(same)}`) === 1;
    await tx.$executeRaw`DELETE ${journal(keys)}`;
    return (await tx.$executeRaw(insert(same))) === 1;
  }
  if (keys.length === 0) {
    // Again in this transaction (the cached state was out of date): its journal rows gone means
    // the first claim statement deleted them while the claim held.
    const first = clearedUnderClaim.get(tx);
    const held = first?.channel === channel ? Prisma.sql`NOT EXISTS (SELECT 1 ${journal(first.keys)})` : leaseHeldSql(claim);
    return (await tx.$executeRaw(insert([...same, held]))) === 1;
  }
  clearedUnderClaim.set(tx, { channel, keys });
  if (pg) {
    // The claim read once for both parts (the clock could pass its expiry between two reads).
    const held = Prisma.sql`EXISTS (SELECT 1 FROM "held")`;
    return (await tx.$executeRaw`WITH "held" AS (${leaseRowSql(claim)}), "journal" AS (DELETE ${journal(keys)} AND ${held}) ${insert([...same, held])}`) === 1;
  }
  await tx.$executeRaw`DELETE ${journal(keys)} AND ${leaseHeldSql(claim)}`;
  // Its journal rows gone now means they were deleted while the claim held.
  return (await tx.$executeRaw(insert([...same, Prisma.sql`NOT EXISTS (SELECT 1 ${journal(keys)})`]))) === 1;
}

/**
 * Conversations in the middle of a dialog as this process last committed them (parsed state and
 * its stored text), so the next update of the chat skips the read and the parse: its claim checks
 * that the row still holds that text (claimUpdate's `unchanged`). Bounded; a dialog that reached a
 * resting step is dropped, so finished conversations leave nothing behind.
 */
export interface ConversationCache {
  get(channel: ChannelName, chatId: string): CachedConversation | undefined;
  /** After the commit: the state the step saved (dropped when the dialog rests). */
  set(channel: ChannelName, chatId: string, entry: CachedConversation): void;
  delete(channel: ChannelName, chatId: string): void;
}

export interface CachedConversation {
  id: string;
  text: string;
  state: DialogState;
}

const RESTING_STEPS: ReadonlySet<string> = new Set(["done", "info", "teen_help", "cancelled"]);
/** The dialog rests at this step until the person starts over (the request sent, the dialog ended). */
export const isResting = (state: DialogState): boolean => RESTING_STEPS.has(state.step);

export function createConversationCache(max = 2_000): ConversationCache {
  const entries = new Map<string, CachedConversation>();
  const key = (channel: string, chatId: string) => `${channel}\u0000${chatId}`;
  return {
    get: (channel, chatId) => entries.get(key(channel, chatId)),
    set(channel, chatId, entry) {
      const k = key(channel, chatId);
      entries.delete(k);
      if (isResting(entry.state)) return;
      entries.set(k, entry);
      if (entries.size > max) entries.delete(entries.keys().next().value as string);
    },
    delete: (channel, chatId) => void entries.delete(key(channel, chatId)),
  };
}

export interface LoadedConversation {
  id: string;
  /** null when new, or when the stored state could not be read (old version, bad JSON): restart. */
  state: DialogState | null;
  resetReason: "missing" | "invalid" | "old_version" | null;
  seq: number;
}

export async function loadOrCreateConversation(
  tx: Tx,
  key: { channel: ChannelName; chatId: string; userId: string; locale: string; isTest: boolean; now: Date },
): Promise<LoadedConversation> {
  // Typed SQL on the per-update path: Prisma's query compiler costs more CPU than the query itself.
  const rows = await tx.$queryRaw<{ id: string; state: string; seq: number | bigint }[]>`
    SELECT "id", "state", "seq" FROM "Conversation" WHERE "channel" = ${key.channel} AND "chatId" = ${key.chatId}`;
  const found = rows[0];
  const row = found ? { id: found.id, state: found.state, seq: Number(found.seq) } : undefined;
  if (!row) {
    const created = await tx.conversation.create({
      data: {
        channel: key.channel,
        chatId: key.chatId,
        userId: key.userId,
        locale: key.locale,
        state: "",
        stateVersion: STATE_VERSION,
        isTest: key.isTest,
        lastActivityAt: key.now,
        createdAt: key.now,
        updatedAt: key.now,
      },
      select: { id: true },
    });
    return { id: created.id, state: null, resetReason: "missing", seq: 0 };
  }
  const parsed = parseState(row.state);
  if (parsed.type === "ok") return { id: row.id, state: parsed.state, resetReason: null, seq: row.seq };
  return { id: row.id, state: null, resetReason: parsed.reason, seq: row.seq };
}

/** The UPDATE that saves a step's state (`text` = serializeState(state)), run alone or with the step's outbox row. */
export function conversationUpdate(id: string, state: DialogState, text: string, now: Date, userId: string): Prisma.Sql {
  return Prisma.sql`UPDATE "Conversation" SET "state" = ${text}, "stateVersion" = ${STATE_VERSION}, "seq" = ${state.seq},
    "locale" = ${state.locale}, "userId" = ${userId}, "lastActivityAt" = ${now}, "blockedAt" = NULL, "updatedAt" = ${now} WHERE "id" = ${id}`;
}

export async function saveConversation(tx: Tx, id: string, state: DialogState, now: Date, userId: string): Promise<string> {
  const text = serializeState(state);
  await tx.$executeRaw(conversationUpdate(id, state, text, now, userId));
  return text;
}

/** A message of the family kept in the transcript, linked to their open request if there is one. */
export async function recordInbound(tx: Tx, conversationId: string, text: string, now: Date): Promise<void> {
  const open = await tx.request.findFirst({
    where: { conversationId, status: { in: [...OPEN_STATUSES] } },
    orderBy: { id: "desc" },
    select: { id: true },
  });
  await tx.transcriptMessage.create({
    data: { conversationId, requestId: open?.id ?? null, direction: "in", text, createdAt: now },
    select: { id: true },
  });
}

/** Consent records (152-ФЗ, design.md §4): what was shown, to whom, when, from which update. */
export async function recordConsent(
  tx: Tx,
  input: { channel: string; userId: string; consent: ConsentDraft; sourceUpdateId: string; now: Date },
): Promise<string> {
  const c = input.consent;
  const row = await tx.consentRecord.create({
    data: {
      channel: input.channel,
      userId: input.userId,
      decision: c.decision,
      textVersion: c.textVersion,
      textHash: c.textHash,
      operatorName: c.operatorName,
      purposes: JSON.stringify(c.purposes),
      dataList: JSON.stringify(c.dataList),
      recipients: JSON.stringify(c.recipients),
      term: c.term,
      withdrawalMethod: c.withdrawalMethod,
      sourceUpdateId: input.sourceUpdateId,
      givenAt: input.now,
    },
    select: { id: true },
  });
  return row.id;
}
