// Erasing everything personal we hold about one person (channel + user id): the personal fields of
// their requests (through eraseRequestData, which logs each destruction), and the texts of their
// conversations' transcripts, what their dialogs hold, and deliveries to their chats — the columns
// listed in src/privacy/personal-data-registry.ts. On withdrawal the person's open requests also
// stop being processed.
import type { Tx } from "../db/client.ts";
import { type ErasureReason, eraseFamilyDeliveries, eraseRequestData } from "./erase-request-data.ts";
import { erasedValues } from "../privacy/personal-data-registry.ts";
import { resetConversationState } from "../privacy/reset-conversation.ts";
import { OPEN_STATUSES } from "./queue-order.ts";
import { actorFromByWhom, writeAudit } from "../audit/write-audit.ts";

export interface ErasePersonalDataInput {
  channel: string;
  userId: string;
  reason: ErasureReason;
  /** "family", "system" or "staff:<id>". */
  byWhom: string;
  now: Date;
}

export interface ErasePersonalDataResult {
  requestIds: number[];
  transcriptMessages: number;
}


export async function erasePersonalData(tx: Tx, input: ErasePersonalDataInput): Promise<ErasePersonalDataResult> {
  const { channel, userId, reason, byWhom, now } = input;
  const subject = `${channel}:${userId}`;
  const requests = await tx.request.findMany({
    where: {
      personalDataErasedAt: null,
      OR: [{ conversation: { channel, userId } }, { consent: { channel, userId } }],
    },
    select: { id: true, status: true, regionCode: true },
  });
  for (const r of requests) {
    if (reason === "withdrawal" && (OPEN_STATUSES as readonly string[]).includes(r.status)) {
      // Processing stops at once (design.md §4): the request leaves the operators' queue.
      await tx.request.update({ where: { id: r.id }, data: { status: "closed", closedAt: now } });
    }
    await eraseRequestData(tx, { requestId: r.id, reason, byWhom, subject, now });
  }
  // Transcript lines of the person's conversations that belong to no request.
  const loose = await tx.transcriptMessage.updateMany({
    where: { conversation: { channel, userId }, erasedAt: null },
    data: { ...erasedValues("TranscriptMessage"), erasedAt: now },
  });
  // What the dialog still holds (answers typed so far) and deliveries to the person's chats.
  const conversations = await tx.conversation.findMany({ where: { channel, userId }, select: { id: true, chatId: true, locale: true, seq: true } });
  for (const c of conversations) {
    await tx.conversation.update({ where: { id: c.id }, data: resetConversationState(c) });
  }
  await eraseFamilyDeliveries(tx, { channel, targets: conversations.map((c) => c.chatId) });
  if (loose.count > 0) {
    await tx.destructionLog.create({
      data: { at: now, reason, subject, requestId: null, fields: JSON.stringify(["transcript"]), byWhom },
    });
    await writeAudit(tx, {
      at: now,
      actor: actorFromByWhom(byWhom),
      action: reason === "withdrawal" ? "transcript.erase_withdrawal" : "transcript.erase_retention",
      entityType: "conversation",
      entityId: subject,
      details: { messages: loose.count },
    });
  }
  return { requestIds: requests.map((r) => r.id), transcriptMessages: loose.count };
}
