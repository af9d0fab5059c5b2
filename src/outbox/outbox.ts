// The outbox: every message that must go out because of a change is written in the same
// transaction as the change, then delivered by a worker that retries from the database (never from
// memory), so a crash or a failing API loses nothing. The idempotency key makes enqueueing the same
// effect twice a no-op.
import type { Db, Tx } from "../db/client.ts";
import type { Logger } from "../logging/logger.ts";

export type OutboxChannel = "telegram" | "max";

export interface DeliveryInput {
  idempotencyKey: string;
  kind: string;
  channel: OutboxChannel;
  target: string;
  /** JSON-serialisable; may hold personal data only for deliveries to the family itself. */
  payload: unknown;
  requestId?: number;
}

/** Result of one delivery attempt, as the channel sender reports it. */
export type SendResult =
  | { type: "sent" }
  /** Temporary failure (429, 5xx, network): try again, after `retryAfterMs` when the API said so. */
  | { type: "retry"; code: string; retryAfterMs?: number }
  /** The person blocked or stopped the bot: never retried. */
  | { type: "blocked"; code: string }
  /** Permanent failure (bad request): never retried. */
  | { type: "failed"; code: string };

export type Sender = (delivery: { kind: string; target: string; payload: unknown }) => Promise<SendResult>;

/** Returns false when a delivery with the same idempotency key already exists (nothing added). */
export async function enqueueDelivery(tx: Tx | Db, input: DeliveryInput, now: Date): Promise<boolean> {
  const existing = await tx.outbox.findUnique({ where: { idempotencyKey: input.idempotencyKey }, select: { id: true } });
  if (existing) return false;
  await tx.outbox.create({
    data: {
      idempotencyKey: input.idempotencyKey,
      kind: input.kind,
      channel: input.channel,
      target: input.target,
      payload: JSON.stringify(input.payload),
      requestId: input.requestId ?? null,
      nextAttemptAt: now,
      createdAt: now,
    },
  });
  return true;
}

export interface OutboxWorkerDeps {
  db: Db;
  log: Logger;
  senders: Partial<Record<OutboxChannel, Sender>>;
  clock: () => Date;
  /** After this many failed attempts a delivery is "dead" and shown in the web view. */
  maxAttempts?: number;
  /** How long a delivery may stay "sending" before it is considered interrupted by a crash. */
  leaseMs?: number;
  batchSize?: number;
}

export interface OutboxWorker {
  /** Delivers everything due now; returns how many deliveries were attempted. */
  runOnce(): Promise<number>;
  /** Polls every `intervalMs` until stop(). */
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

/** Exponential backoff: 5 s, 10 s, 20 s … capped at 15 minutes. */
export function backoffMs(attempt: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, attempt - 1), 15 * 60_000);
}

export function createOutboxWorker({
  db,
  log,
  senders,
  clock,
  maxAttempts = 10,
  leaseMs = 60_000,
  batchSize = 20,
}: OutboxWorkerDeps): OutboxWorker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  async function deliver(id: number): Promise<void> {
    const now = clock();
    // Claim with a lease: a worker that crashes mid-send leaves "sending", which expires and is retried.
    const claimed = await db.outbox.updateMany({
      where: {
        id,
        OR: [
          { status: "pending", nextAttemptAt: { lte: now } },
          { status: "sending", nextAttemptAt: { lte: now } },
        ],
      },
      data: { status: "sending", attempts: { increment: 1 }, nextAttemptAt: new Date(now.getTime() + leaseMs) },
    });
    if (claimed.count === 0) return;
    const item = await db.outbox.findUniqueOrThrow({ where: { id } });
    const sender = senders[item.channel as OutboxChannel];
    const itemLog = log.child({ outboxId: item.id, kind: item.kind, channel: item.channel, attempt: item.attempts });
    let result: SendResult;
    if (!sender) {
      result = { type: "retry", code: "CHANNEL_DISABLED" };
    } else {
      try {
        result = await sender({ kind: item.kind, target: item.target, payload: JSON.parse(item.payload) });
      } catch (err) {
        result = { type: "retry", code: (err as { code?: string }).code ?? "SEND_ERROR" };
      }
    }
    const after = clock();
    switch (result.type) {
      case "sent":
        await db.outbox.update({ where: { id }, data: { status: "sent", sentAt: after, lastError: null } });
        itemLog.debug("delivered");
        return;
      case "retry": {
        const dead = item.attempts >= maxAttempts;
        const wait = Math.max(result.retryAfterMs ?? 0, backoffMs(item.attempts));
        await db.outbox.update({
          where: { id },
          data: {
            status: dead ? "dead" : "pending",
            lastError: result.code,
            nextAttemptAt: new Date(after.getTime() + wait),
          },
        });
        itemLog.warn({ code: result.code, dead }, dead ? "delivery gave up" : "delivery will be retried");
        return;
      }
      case "blocked":
      case "failed":
        await db.outbox.update({ where: { id }, data: { status: "dead", lastError: result.code } });
        itemLog.warn({ code: result.code }, "delivery not possible");
        return;
    }
  }

  async function runOnce(): Promise<number> {
    const due = await db.outbox.findMany({
      where: { status: { in: ["pending", "sending"] }, nextAttemptAt: { lte: clock() } },
      orderBy: [{ nextAttemptAt: "asc" }, { id: "asc" }],
      take: batchSize,
      select: { id: true },
    });
    for (const { id } of due) await deliver(id);
    return due.length;
  }

  return {
    runOnce() {
      // One pass at a time, so a slow API does not pile up overlapping passes.
      running ??= runOnce().finally(() => {
        running = undefined;
      });
      return running;
    },
    start(intervalMs = 1000) {
      const tick = () => {
        void this.runOnce()
          .catch((err) => log.error({ code: (err as { code?: string }).code }, "outbox pass failed"))
          .finally(() => {
            if (timer) timer = setTimeout(tick, intervalMs);
          });
      };
      timer = setTimeout(tick, 0);
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
