// Conversation persistence for the dialog service. Every function runs inside the update's one
// interactive transaction, so the "processed" mark, the state and the effects commit together.
// Typed SQL throughout: on the per-update path Prisma's query compiler costs more CPU than the
// queries themselves (about 0.7 ms a model query against 0.15 ms a raw one, bench/README.md).
import { randomUUID } from "node:crypto";
import { currentChatClaim } from "../cluster/chat-claims.ts";
import { leaseHeldSql, leaseRowSql } from "../cluster/leases.ts";
import type { Db, DbEngine, Tx } from "../db/client.ts";
import { insertRow, type WriteCondition } from "../db/conditional-insert.ts";
import { commitGrouped } from "../db/group-commit.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { type ReplyInput, replyInsertSql } from "../outbox/outbox.ts";
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

/** The "processed" mark of an update, written only under `conditions` (and only once). */
function processedInsert(engine: DbEngine, u: { channel: string; updateKey: string; now: Date }, conditions: Prisma.Sql[]): Prisma.Sql {
  const when = conditions.length > 0 ? { condition: Prisma.join(conditions, " AND "), engine } : undefined;
  // ON CONFLICT rather than catching a unique violation: on PostgreSQL an error aborts the transaction.
  return Prisma.sql`${insertRow("ProcessedUpdate", ["channel", "updateKey", "processedAt"], [u.channel, u.updateKey, u.now], when)} ON CONFLICT DO NOTHING`;
}

/** An update's inbound-journal rows (`DELETE ${journalRows(…)}`). */
const journalRows = (channel: string, keys: readonly string[]) =>
  Prisma.sql`FROM "InboundUpdate" WHERE "channel" = ${channel} AND "updateKey" IN (${Prisma.join(keys)})`;

/** The conversation row still holds exactly the state this process cached. */
const unchangedSql = (c: { id: string; text: string }) =>
  Prisma.sql`EXISTS (SELECT 1 FROM "Conversation" WHERE "id" = ${c.id} AND "state" = ${c.text})`;

/**
 * Marks an update as processed and deletes its journal rows; false when it was processed before (a
 * re-delivery) or, with `unchanged`, when the conversation is no longer as cached (nothing written
 * then but the journal deletion). PostgreSQL: one statement (a round trip is the cost there);
 * SQLite: two (in-process, no round trips; SQLite has no data-modifying CTEs). Under a chat's claim
 * (webhook mode, src/cluster/chat-claims.ts) both parts also need the claim still this instance's:
 * one more condition, no round trip of its own.
 */
export async function claimUpdate(tx: Tx, engine: DbEngine, input: ClaimInput): Promise<boolean> {
  const { channel, unchanged } = input;
  const keys = input.journalKeys ?? [];
  const pg = engine === "postgresql";
  const same = unchanged ? [unchangedSql(unchanged)] : [];
  const insert = (conditions: Prisma.Sql[]) => processedInsert(engine, input, conditions);
  const journal = (ks: readonly string[]) => journalRows(channel, ks);
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
  const rows = await tx.$queryRaw<{ id: string; state: string; seq: number | bigint }[]>`
    SELECT "id", "state", "seq" FROM "Conversation" WHERE "channel" = ${key.channel} AND "chatId" = ${key.chatId}`;
  const found = rows[0];
  const row = found ? { id: found.id, state: found.state, seq: Number(found.seq) } : undefined;
  if (!row) {
    const id = randomUUID();
    await tx.$executeRaw`INSERT INTO "Conversation" ("id", "channel", "chatId", "userId", "locale", "state", "stateVersion", "isTest", "lastActivityAt", "createdAt", "updatedAt")
      VALUES (${id}, ${key.channel}, ${key.chatId}, ${key.userId}, ${key.locale}, '', ${STATE_VERSION}, ${key.isTest}, ${key.now}, ${key.now}, ${key.now})`;
    return { id, state: null, resetReason: "missing", seq: 0 };
  }
  const parsed = parseState(row.state);
  if (parsed.type === "ok") return { id: row.id, state: parsed.state, resetReason: null, seq: row.seq };
  return { id: row.id, state: null, resetReason: parsed.reason, seq: row.seq };
}

/** The UPDATE that saves a step's state (`text` = serializeState(state)), run alone or with the step's outbox row. */
export function conversationUpdate(id: string, state: DialogState, text: string, now: Date, userId: string, when?: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`UPDATE "Conversation" SET "state" = ${text}, "stateVersion" = ${STATE_VERSION}, "seq" = ${state.seq},
    "locale" = ${state.locale}, "userId" = ${userId}, "lastActivityAt" = ${now}, "blockedAt" = NULL, "updatedAt" = ${now}
    WHERE "id" = ${id}${when ? Prisma.sql` AND ${when}` : Prisma.empty}`;
}

/**
 * What the conversation row must be for a cached-way step to commit: exactly as cached or read
 * (claimUpdate's `unchanged`), or not there yet (a chat's first update: the row is created with the
 * step's state, under a new id).
 */
export type StepBase = { type: "unchanged"; id: string; text: string } | { type: "absent"; id: string; chatId: string; isTest: boolean };

/** A step computed on a known conversation that writes nothing but its state, its row effects and its reply row. */
export interface CachedStepCommit {
  channel: ChannelName;
  updateKey: string;
  now: Date;
  journalKeys: readonly string[];
  cached: StepBase;
  /** The new state: conversationUpdate's arguments but the condition. */
  save: { state: DialogState; text: string; userId: string };
  /** The step's row effects (a transcript message, a consent record), written with the state. */
  rows?: readonly StepRow[];
  reply: ReplyInput;
}

/**
 * Commits such a step without an interactive transaction, which is most of the CPU a step costs in
 * Prisma: SQLite, one batch transaction whose statements each require the one before to have
 * changed its row (SQLite's changes()); PostgreSQL, one statement. The same claim as claimUpdate
 * with `unchanged`: nothing is written when the conversation is no longer as cached, or (`absent`)
 * exists by now, and nothing but the journal deletion when the update was processed before (null
 * then: the caller reads and runs it again). The journal rows stay until the update is processed,
 * so a step that then fails the full way too is still applied from the journal later. Not under a
 * chat's claim (webhook mode on several instances): that takes claimUpdate. Returns the reply row's id.
 */
export async function commitCachedStep(db: Db, engine: DbEngine, input: CachedStepCommit): Promise<number | null> {
  const { cached, now } = input;
  const stepRows = input.rows ?? [];
  const journal = input.journalKeys.length > 0 ? journalRows(input.channel, input.journalKeys) : undefined;
  const absent = cached.type === "absent";
  if (engine === "postgresql") {
    // The conversation's write and the processed mark each only with the other: `absent` writes
    // the row first (its conflict with a row created since is the condition), `unchanged` claims first.
    const claimed = absent
      ? processedInsert(engine, input, [Prisma.sql`EXISTS (SELECT 1 FROM "saved")`])
      : processedInsert(engine, input, [unchangedSql(cached)]);
    const save = absent
      ? conversationInsert(cached, input, { condition: notProcessedSql(input), engine })
      : conversationUpdate(cached.id, input.save.state, input.save.text, now, input.save.userId, Prisma.sql`EXISTS (SELECT 1 FROM "claimed")`);
    const writes = absent ? Prisma.sql`"saved" AS (${save} RETURNING 1), "claimed" AS (${claimed} RETURNING 1)` : Prisma.sql`"claimed" AS (${claimed} RETURNING 1), "saved" AS (${save} RETURNING 1)`;
    const stepped: WriteCondition = { condition: Prisma.sql`EXISTS (SELECT 1 FROM "claimed") AND EXISTS (SELECT 1 FROM "saved")`, engine };
    const effects = stepRows.map((row, i) => Prisma.sql`, ${Prisma.raw(`"row${i}"`)} AS (${row(stepped)})`);
    // The statement's own snapshot does not see its "processed" mark: the claim, or one from before.
    const processed = Prisma.sql`(EXISTS (SELECT 1 FROM "claimed") OR NOT ${notProcessedSql(input)})`;
    const deletion = journal ? Prisma.sql`, "journal" AS (DELETE ${journal} AND ${processed})` : Prisma.empty;
    const rows = await db.$queryRaw<{ id: number | bigint }[]>`WITH ${writes}${deletion}${effects.length > 0 ? Prisma.join(effects, "") : Prisma.empty}
      ${replyInsertSql(input.reply, now, stepped)}`;
    return rows[0] ? Number(rows[0].id) : null;
  }
  // changes(): the rows the statement just before changed (one connection, in order, in BEGIN IMMEDIATE).
  // Each row effect inserts one row, so the chain goes on through them to the reply row.
  const previousChanged = Prisma.sql`changes() = 1`;
  const chained: WriteCondition = { condition: previousChanged, engine };
  const claimAndSave = (): Prisma.PrismaPromise<number>[] =>
    absent
      ? [db.$executeRaw(conversationInsert(cached, input, { condition: notProcessedSql(input), engine })), db.$executeRaw(processedInsert(engine, input, [previousChanged]))]
      : [
          db.$executeRaw(processedInsert(engine, input, [unchangedSql(cached)])),
          db.$executeRaw(conversationUpdate(cached.id, input.save.state, input.save.text, now, input.save.userId, previousChanged)),
        ];
  // Committed with the other chats' steps ready in the same turn (group-commit.ts). The journal
  // rows last, once the update has its "processed" mark (this step's, or one from before).
  const results = await commitGrouped(db, () => [
    ...claimAndSave(),
    ...stepRows.map((row) => db.$executeRaw(row(chained))),
    db.$queryRaw<{ id: number | bigint }[]>(replyInsertSql(input.reply, now, chained)),
    ...(journal ? [db.$executeRaw`DELETE ${journal} AND NOT ${notProcessedSql(input)}`] : []),
  ]);
  const rows = results[results.length - (journal ? 2 : 1)] as { id: number | bigint }[];
  return rows[0] ? Number(rows[0].id) : null;
}

/** The update has no "processed" mark yet. */
const notProcessedSql = (u: { channel: string; updateKey: string }) =>
  Prisma.sql`NOT EXISTS (SELECT 1 FROM "ProcessedUpdate" WHERE "channel" = ${u.channel} AND "updateKey" = ${u.updateKey})`;

/** A chat's first conversation row, holding its first step's state; nothing when the chat has one by now. */
function conversationInsert(base: Extract<StepBase, { type: "absent" }>, input: CachedStepCommit, when: WriteCondition): Prisma.Sql {
  const { state, text, userId } = input.save;
  const columns = ["id", "channel", "chatId", "userId", "locale", "state", "stateVersion", "seq", "isTest", "lastActivityAt", "createdAt", "updatedAt"];
  // Integers and the flag as literals: PostgreSQL types an INSERT … SELECT's parameters as text.
  const int = (n: number) => Prisma.raw(String(Math.trunc(n)));
  const values = [base.id, input.channel, base.chatId, userId, state.locale, text, int(STATE_VERSION), int(state.seq), Prisma.raw(base.isTest ? "TRUE" : "FALSE"), input.now, input.now, input.now];
  return Prisma.sql`${insertRow("Conversation", columns, values, when)} ON CONFLICT DO NOTHING`;
}

export type ReadConversation = { type: "found"; conversation: CachedConversation } | { type: "absent" } | { type: "unreadable" };

/**
 * A chat's conversation read outside any transaction, for a step to be computed on it and committed
 * the cached way (its claim checks that the row is still as read, or still absent). `unreadable`:
 * a state that cannot be parsed (an old version, bad JSON) takes the full way, which resets it.
 */
export async function readConversation(db: Db, channel: ChannelName, chatId: string): Promise<ReadConversation> {
  const rows = await db.$queryRaw<{ id: string; state: string }[]>`SELECT "id", "state" FROM "Conversation" WHERE "channel" = ${channel} AND "chatId" = ${chatId}`;
  const row = rows[0];
  if (!row) return { type: "absent" };
  const parsed = parseState(row.state);
  return parsed.type === "ok" ? { type: "found", conversation: { id: row.id, text: row.state, state: parsed.state } } : { type: "unreadable" };
}

export async function saveConversation(tx: Tx, id: string, state: DialogState, now: Date, userId: string): Promise<string> {
  const text = serializeState(state);
  await tx.$executeRaw(conversationUpdate(id, state, text, now, userId));
  return text;
}

/** A row a step writes besides its state and replies (the engine's row effects), under `when` if given. */
export type StepRow = (when?: WriteCondition) => Prisma.Sql;

/** A message of the family kept in the transcript, linked to their open request if there is one. */
export function inboundRow(conversationId: string, text: string, now: Date): StepRow {
  const openRequest = Prisma.sql`(SELECT "id" FROM "Request" WHERE "conversationId" = ${conversationId}
    AND "status" IN (${Prisma.join([...OPEN_STATUSES])}) ORDER BY "id" DESC LIMIT 1)`;
  const values = [randomUUID(), conversationId, openRequest, Prisma.sql`'in'`, text, now];
  return (when) => insertRow("TranscriptMessage", ["id", "conversationId", "requestId", "direction", "text", "createdAt"], values, when);
}

/** Consent records (152-ФЗ, design.md §4): what was shown, to whom, when, from which update. */
export function consentRow(input: { channel: string; userId: string; consent: ConsentDraft; sourceUpdateId: string; now: Date }): StepRow {
  const c = input.consent;
  const columns = ["id", "channel", "userId", "decision", "textVersion", "textHash", "operatorName", "purposes", "dataList", "recipients", "term", "withdrawalMethod", "sourceUpdateId", "givenAt"];
  const values = [
    randomUUID(),
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
    input.now,
  ];
  return (when) => insertRow("ConsentRecord", columns, values, when);
}
