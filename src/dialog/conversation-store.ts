// Conversation persistence for the dialog service. Every function runs inside the update's one
// interactive transaction, so the "processed" mark, the state and the effects commit together.
import type { Tx } from "../db/client.ts";
import { OPEN_STATUSES } from "../requests/queue-order.ts";
import type { ConsentDraft } from "./engine.ts";
import type { ChannelName } from "./service-types.ts";
import { type DialogState, parseState, serializeState, STATE_VERSION } from "./state.ts";

/** Marks an update as processed; false when it was processed before (a re-delivery). */
export async function claimUpdate(tx: Tx, channel: ChannelName, updateKey: string, now: Date): Promise<boolean> {
  // ON CONFLICT rather than catching a unique violation: on PostgreSQL an error aborts the transaction.
  const inserted = await tx.$executeRaw`INSERT INTO "ProcessedUpdate" ("channel", "updateKey", "processedAt") VALUES (${channel}, ${updateKey}, ${now}) ON CONFLICT DO NOTHING`;
  return inserted === 1;
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

export async function saveConversation(tx: Tx, id: string, state: DialogState, now: Date, userId: string): Promise<void> {
  await tx.$executeRaw`UPDATE "Conversation" SET "state" = ${serializeState(state)}, "stateVersion" = ${STATE_VERSION}, "seq" = ${state.seq},
    "locale" = ${state.locale}, "userId" = ${userId}, "lastActivityAt" = ${now}, "blockedAt" = NULL, "updatedAt" = ${now} WHERE "id" = ${id}`;
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
