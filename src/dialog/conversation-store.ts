// Conversation persistence: at-most-once updates and the dialog state, always inside the caller's
// transaction so the state, the effects and the "processed" mark commit together.
import type { Tx } from "../db/client.ts";
import type { ChannelName } from "./service-types.ts";
import { type DialogState, parseState, serializeState, STATE_VERSION } from "./state.ts";

/** Marks an update as processed; false when it was processed before (a re-delivery). */
export async function claimUpdate(tx: Tx, channel: ChannelName, updateKey: string, now: Date): Promise<boolean> {
  const seen = await tx.processedUpdate.findUnique({ where: { channel_updateKey: { channel, updateKey } } });
  if (seen) return false;
  await tx.processedUpdate.create({ data: { channel, updateKey, processedAt: now } });
  return true;
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
  const row = await tx.conversation.findUnique({ where: { channel_chatId: { channel: key.channel, chatId: key.chatId } } });
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
      },
    });
    return { id: created.id, state: null, resetReason: "missing", seq: 0 };
  }
  const parsed = parseState(row.state);
  if (parsed.type === "ok") return { id: row.id, state: parsed.state, resetReason: null, seq: row.seq };
  return { id: row.id, state: null, resetReason: parsed.reason, seq: row.seq };
}

export async function saveConversation(tx: Tx, id: string, state: DialogState, now: Date, userId: string): Promise<void> {
  await tx.conversation.update({
    where: { id },
    data: {
      state: serializeState(state),
      stateVersion: STATE_VERSION,
      seq: state.seq,
      locale: state.locale,
      userId,
      lastActivityAt: now,
      blockedAt: null,
    },
  });
}
