// Delivery of a dialog step's replies, shared by both messengers. The step's transaction writes the
// replies to the outbox (enqueueReply); right after the commit the channel sends them from memory
// (the fast path: no polling delay, no read) and the row is deleted. When sending fails, or the
// process dies first, the row stays and the outbox worker sends it later through `sender`, in the
// chat's queue, so the family gets the answer once, after an outage or a restart.
//
// Order within a chat: while a chat has an undelivered reply (`backlogged`), its next steps' replies
// are not sent at once but queued behind it (InboundContext.delivery.queued), and the worker only
// ever takes the oldest undelivered message of a chat (outbox.ts, `claimable`).
import type { Db } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Reply } from "../dialog/service-types.ts";
import type { Logger } from "../logging/logger.ts";
import type { OutboundPriority } from "../channels/outbound-limiter.ts";
import { deliveryPriority, type OutboxChannel, REPLY_KIND, type SendResult, type Sender, settleDelivery, URGENT_REPLY_KIND } from "./outbox.ts";

/** What the outbox holds for one step: the replies, the conversation's language, the channel's notes. */
export interface ReplyPayload {
  replies: Reply[];
  locale?: string;
  /** Channel-specific context of the update (which press, which message), as the channel stored it. */
  meta?: unknown;
  /** Messages of this step already sent by an earlier attempt (not sent again). */
  sent?: number;
  /** The conversation's step number after this step (a later step supersedes a reply in doubt). */
  seq?: number;
}

/** One attempt to send a step's replies; `sent` counts the channel's messages that did go out. */
export type ReplyAttempt = SendResult & { sent?: number };

/**
 * The channel's sending of one step's replies; `retry` is true when it comes from the outbox worker.
 * `wentOut` is awaited after each message goes out (`all`: the step's last one), before anything
 * else (keyboard clean-up, the next message's wait for its send budget): what went out is recorded
 * at once, so an instance killed meanwhile leaves as little as possible to be sent twice.
 */
export type ReplySend = (
  chatId: string,
  payload: ReplyPayload,
  how: { retry: boolean; priority: OutboundPriority; wentOut?: (sent: number, all: boolean) => Promise<void> },
) => Promise<ReplyAttempt>;

export interface ReplyDeliveryDeps {
  db: Db;
  log: Logger;
  channel: OutboxChannel;
  clock: () => Date;
  send: ReplySend;
  /** Runs a task in the chat's serial queue (the channel's chat-queue.ts). */
  inChat<T>(chatId: string, task: () => Promise<T>): Promise<T>;
  /** Attempts before a reply is given up on (the worker's limit). */
  maxAttempts?: number;
}

export interface ReplyDelivery {
  /** True while the chat has replies not yet delivered: the next step's replies queue behind them. */
  backlogged(chatId: string): boolean;
  /** The fast path, in the chat's queue right after the step committed the row `id`. */
  deliverNow(chatId: string, id: number, payload: ReplyPayload, priority: OutboundPriority): Promise<void>;
  /** The outbox worker's sender for reply rows (see `routeSenders`). */
  readonly sender: Sender;
  /** At start: the chats left with undelivered replies (a crash, an outage) are backlogged. */
  load(): Promise<void>;
  /** Records the deliveries not yet recorded (at stop). */
  flush(): Promise<void>;
}

/** How long the worker leaves a reply the fast path is sending (a crash hands it over after this). */
export const FAST_PATH_HOLD_MS = 20_000;

export function createReplyDelivery(deps: ReplyDeliveryDeps): ReplyDelivery {
  const { db, log, channel, clock } = deps;
  const maxAttempts = deps.maxAttempts ?? 10;
  const backlog = new Set<string>();
  // The fast path's deliveries are deleted together: those finished in the same turn of the event
  // loop, and those finished while a DELETE is running (one statement for many rows under load, no
  // timer when idle). A crash before the DELETE commits sends those replies again after the hold,
  // as a crash right after a send would.
  let delivered: number[] = [];
  let flushing: Promise<void> | undefined;
  let scheduled = false;
  function recordDelivered(id: number): void {
    delivered.push(id);
    if (scheduled || flushing) return; // a running flush takes it in its loop
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      void flush();
    });
  }
  function flush(): Promise<void> {
    flushing ??= (async () => {
      while (delivered.length > 0) {
        const ids = delivered;
        delivered = [];
        await db.$executeRaw`DELETE FROM "Outbox" WHERE "id" IN (${Prisma.join(ids)})`.then(
          () => undefined,
          (err: unknown) => log.warn({ channel, code: (err as { code?: string }).code, rows: ids.length }, "reply deliveries not recorded"),
        );
      }
    })().finally(() => {
      flushing = undefined;
      if (delivered.length > 0) void flush();
    });
    return flushing;
  }

  // A step's progress (its first messages out, the next still to go) is written before the next
  // message is sent; the rows of several chats that got that far in the same turn of the event loop
  // are written by one statement. Each caller waits for its own row's write.
  let progress = new Map<number, string>();
  let progressWrite: Promise<void> | undefined;
  function recordProgress(id: number, payloadText: string): Promise<void> {
    progress.set(id, payloadText);
    progressWrite ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const rows = progress;
      progress = new Map();
      progressWrite = undefined;
      const ids = [...rows.keys()];
      const cases = ids.map((rowId) => Prisma.sql`WHEN ${rowId} THEN ${rows.get(rowId)}`);
      await db.$executeRaw`UPDATE "Outbox" SET "payload" = CASE "id" ${Prisma.join(cases, " ")} END WHERE "id" IN (${Prisma.join(ids)})`;
    });
    return progressWrite;
  }

  /** Records, as each message goes out, how far the row `id` has gone (see ReplySend). */
  function recorder(id: number, payload: ReplyPayload, fastPath: boolean) {
    const state = { recorded: false };
    const wentOut = async (sent: number, all: boolean) => {
      try {
        if (all) {
          state.recorded = true;
          if (fastPath) {
            recordDelivered(id);
          } else await db.$executeRaw`DELETE FROM "Outbox" WHERE "id" = ${id}`;
          return;
        }
        await recordProgress(id, JSON.stringify({ ...payload, sent: (payload.sent ?? 0) + sent }));
      } catch (err) {
        // Best effort: the outcome is recorded after the attempt anyway.
        log.warn({ channel, code: (err as { code?: string }).code }, "reply progress not recorded");
      }
    };
    return { state, wentOut };
  }

  async function settle(chatId: string, id: number, attempts: number, kind: string, payload: ReplyPayload, result: ReplyAttempt) {
    const progress = result.type === "retry" && result.sent ? { ...payload, sent: (payload.sent ?? 0) + result.sent } : undefined;
    const outcome = await settleDelivery(db, { id, kind, attempts }, result, clock(), { maxAttempts, ...(progress ? { payload: progress } : {}) });
    if (outcome === "retry") backlog.add(chatId);
    return outcome;
  }

  async function attempt(
    chatId: string,
    payload: ReplyPayload,
    retry: boolean,
    priority: OutboundPriority,
    wentOut?: (sent: number, all: boolean) => Promise<void>,
  ): Promise<ReplyAttempt> {
    try {
      return await deps.send(chatId, payload, { retry, priority, ...(wentOut ? { wentOut } : {}) });
    } catch (err) {
      return { type: "retry", code: (err as { code?: string }).code ?? "SEND_ERROR" };
    }
  }

  /**
   * A reply in doubt (its last attempt died in flight: it may have reached the family, and neither
   * messenger has an idempotency key) is not sent again once the family has acted since: a later
   * step of the chat committed or their next update waits in the journal, so they answered it, or
   * wrote anyway and that step's replies show where they are. Until then it is sent again (at least
   * once). Urgent replies always are: the emergency numbers twice rather than never.
   */
  async function superseded(kind: string, target: string, payload: ReplyPayload): Promise<boolean> {
    if (kind !== REPLY_KIND || payload.seq === undefined) return false;
    const conv = await db.conversation.findFirst({ where: { channel, chatId: target }, select: { seq: true } });
    if (conv !== null && conv.seq > payload.seq) return true;
    // The family's next update is already here, not yet applied (e.g. waiting out the killed
    // instance's claim on the chat): its step comes after this one and answers where they are.
    // (A step deletes its own journal rows in the transaction that wrote this reply.)
    const waiting = await db.inboundUpdate.findFirst({ where: { channel, chatKey: target }, select: { updateKey: true } });
    return waiting !== null;
  }

  const sender: Sender = ({ id, kind, target, payload, inDoubt }) =>
    deps.inChat(target, async (): Promise<SendResult> => {
      // The fast path may have delivered it meanwhile (it took longer than its hold).
      if (id !== undefined && !(await db.outbox.findFirst({ where: { id }, select: { id: true } }))) {
        return { type: "sent" };
      }
      if (inDoubt && (await superseded(kind, target, payload as ReplyPayload))) return { type: "superseded" };
      const wentOut = id !== undefined ? recorder(id, payload as ReplyPayload, false).wentOut : undefined;
      const result = await attempt(target, payload as ReplyPayload, true, deliveryPriority(kind), wentOut);
      if (result.type === "retry" && result.sent && id !== undefined) {
        const p = payload as ReplyPayload;
        await db.outbox.updateMany({ where: { id }, data: { payload: JSON.stringify({ ...p, sent: (p.sent ?? 0) + result.sent }) } });
      }
      if (result.type !== "retry" && id !== undefined) {
        // Delivered (or never deliverable): the chat is clear once nothing later waits.
        const later = await db.outbox.count({
          where: { channel, target, kind: { in: [REPLY_KIND, URGENT_REPLY_KIND] }, status: { in: ["pending", "sending"] }, id: { gt: id } },
        });
        if (later === 0) backlog.delete(target);
      }
      return result;
    });

  return {
    backlogged: (chatId) => backlog.has(chatId),
    async deliverNow(chatId, id, payload, priority) {
      const record = recorder(id, payload, true);
      // The hold is renewed while this path is still at work (a busy bot's send budget can keep a
      // step waiting longer than the hold): else the worker would send the same replies beside it.
      // Not once the worker has claimed the row (attempts > 0) or the path has died.
      const renewal = setInterval(() => {
        void db.$executeRaw`UPDATE "Outbox" SET "nextAttemptAt" = ${new Date(clock().getTime() + FAST_PATH_HOLD_MS)}
          WHERE "id" = ${id} AND "status" = 'sending' AND "attempts" = 0`.catch(() => undefined);
      }, FAST_PATH_HOLD_MS / 4);
      renewal.unref();
      const result = await attempt(chatId, payload, false, priority, record.wentOut).finally(() => clearInterval(renewal));
      if (result.type === "sent") {
        if (!record.state.recorded) {
          recordDelivered(id);
        }
        return;
      }
      // The row is known to be fresh (just committed, held for this path): attempts counts from 1.
      const outcome = await settle(chatId, id, 1, REPLY_KIND, payload, result).catch((err: unknown) => {
        // The row stays "sending": after the hold the worker sends it (maybe again).
        log.warn({ channel, code: (err as { code?: string }).code }, "reply delivery not recorded");
        return "error" as const;
      });
      if (outcome === "retry") log.warn({ channel, code: result.type === "retry" ? result.code : undefined }, "reply not delivered; the outbox retries it");
    },
    sender,
    flush,
    async load() {
      const rows = await db.outbox.findMany({
        where: { channel, kind: { in: [REPLY_KIND, URGENT_REPLY_KIND] }, status: { in: ["pending", "sending"] } },
        distinct: ["target"],
        select: { target: true },
      });
      for (const r of rows) backlog.add(r.target);
      if (rows.length > 0) log.info({ channel, chats: rows.length }, "replies left undelivered before the start are sent first");
    },
  };
}

/** The worker's sender for a channel: reply rows to the channel's reply delivery, the rest to `other`. */
export function routeSenders(replies: Sender | undefined, other: Sender | undefined): Sender | undefined {
  if (!replies) return other;
  return (delivery) => {
    if (delivery.kind === REPLY_KIND || delivery.kind === URGENT_REPLY_KIND) return replies(delivery);
    return other ? other(delivery) : Promise.resolve({ type: "retry", code: "CHANNEL_DISABLED" });
  };
}

/**
 * A sender whose sent messages' ids are handed to the channel that keeps them (MAX's /hide deletes
 * by mid, so an operator's reply from the outbox must be known to it too).
 */
export function rememberingSent(
  sender: Sender,
  memory: { rememberSent(target: string, refs: readonly string[]): Promise<void> } | undefined,
): Sender {
  if (!memory) return sender;
  return async (delivery) => {
    const result = await sender(delivery);
    // Remembering is best effort: the message went out either way.
    if (result.type === "sent" && result.refs) await memory.rememberSent(delivery.target, result.refs).catch(() => undefined);
    return result;
  };
}
