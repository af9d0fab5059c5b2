// Messages from a center to the family, delivered in the family's own messenger chat through the
// outbox: operator replies relayed from the request page, and "taken" / "closed" updates.
import type { Tx } from "../db/client.ts";
import { type I18n, pickLocale } from "../i18n/i18n.ts";
import { enqueueDelivery } from "../outbox/outbox.ts";
import { issueRatingToken, ratingButtons } from "../requests/help-rating.ts";

export type FamilyMessageKind = "relay" | "taken" | "closed";

/** Why the family cannot be written to: the operator is told to call instead. */
export type FamilyUnreachable = "no_chat" | "blocked" | "erased" | "channel";

export type FamilyEnqueueResult = { type: "queued"; outboxKey: string } | { type: "unreachable"; reason: FamilyUnreachable };

export interface FamilyMessenger {
  enqueue(
    tx: Tx,
    input: { requestId: number; kind: FamilyMessageKind; text?: string; uniqueId?: string; now: Date },
  ): Promise<FamilyEnqueueResult>;
}

export const RELAY_MAX_LENGTH = 3500;

export function createFamilyMessenger({ i18n }: { i18n: I18n }): FamilyMessenger {
  return {
    async enqueue(tx, { requestId, kind, text, uniqueId, now }) {
      const req = await tx.request.findUnique({
        where: { id: requestId },
        include: { conversation: true, queue: { include: { center: true } } },
      });
      if (!req?.conversation) return { type: "unreachable", reason: "no_chat" };
      const conv = req.conversation;
      if (req.personalDataErasedAt) return { type: "unreachable", reason: "erased" };
      if (conv.blockedAt) return { type: "unreachable", reason: "blocked" };
      if (conv.channel !== "telegram" && conv.channel !== "max") return { type: "unreachable", reason: "channel" };
      const locale = pickLocale(conv.locale);
      const center = req.queue.center.name;
      const body =
        kind === "relay"
          ? i18n.t(locale, "handoff-family-relay", { center, text: text ?? "" })
          : i18n.t(locale, kind === "taken" ? "handoff-family-taken" : "handoff-family-closed", { number: req.number, center });
      const outboxKey = `family:${kind}:${req.id}:${uniqueId ?? kind}`;
      await enqueueDelivery(
        tx,
        { idempotencyKey: outboxKey, kind: `family_${kind}`, channel: conv.channel, target: conv.chatId, payload: { text: body }, requestId: req.id },
        now,
      );
      // After the closing message, one optional question "did this help?" with five buttons; the
      // answer counts anonymously (src/requests/help-rating.ts). Not for test requests.
      if (kind === "closed" && !req.isTest) {
        const token = await issueRatingToken(tx, { regionCode: req.regionCode, centerId: req.queue.center.id, now });
        const queued = await enqueueDelivery(
          tx,
          {
            idempotencyKey: `family:rating:${req.id}`,
            kind: "family_rating",
            channel: conv.channel,
            target: conv.chatId,
            payload: { text: i18n.t(locale, "handoff-family-rating-question"), buttons: ratingButtons(token) },
            requestId: req.id,
          },
          now,
        );
        if (!queued) await tx.helpRatingToken.delete({ where: { token } });
      }
      return { type: "queued", outboxKey };
    },
  };
}
