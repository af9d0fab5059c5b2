// The outbox: every message that must go out because of a change is written in the same
// transaction as the change, then delivered by a worker that retries from the database (never from
// memory), so a crash or a failing API loses nothing. The idempotency key makes enqueueing the same
// effect twice a no-op.
import { type Fence, fenced } from "../cluster/leases.ts";
import type { Db, Tx } from "../db/client.ts";
import { insertRow, type WriteCondition } from "../db/conditional-insert.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { Logger } from "../logging/logger.ts";
import type { OutboundPriority } from "../channels/outbound-limiter.ts";

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
  /** refs: the messenger's ids of what was sent (MAX mids), for channels that keep them (/hide). */
  | { type: "sent"; refs?: string[] }
  /** Temporary failure (429, 5xx, network): try again, after `retryAfterMs` when the API said so. */
  | { type: "retry"; code: string; retryAfterMs?: number }
  /** The person blocked or stopped the bot: never retried. */
  | { type: "blocked"; code: string }
  /** Permanent failure (bad request): never retried. */
  | { type: "failed"; code: string }
  /**
   * Not sent again, and not needed: a reply whose earlier attempt died in flight (it may have gone
   * out) when the family has acted since — a later step of the chat committed (reply-delivery.ts).
   */
  | { type: "superseded" };

export type Sender = (delivery: {
  id?: number;
  kind: string;
  target: string;
  payload: unknown;
  /**
   * The last attempt ended with no recorded outcome (its sender died mid-send, or the fast path's
   * hold ran out): what it sent may have reached the messenger, which has no idempotency key.
   */
  inDoubt?: boolean;
}) => Promise<SendResult>;

/** The replies of a dialog step (src/outbox/reply-delivery.ts); `_urgent` for P0 / emergency ones. */
export const REPLY_KIND = "dialog_reply";
export const URGENT_REPLY_KIND = "dialog_reply_urgent";
/**
 * Deliveries that go first when there is a backlog — in the worker's order and in the bot's outbound
 * limiter: P0 families' replies and P0 alerts to centers (a P0 request's new-request notice too).
 */
export const URGENT_KINDS = [URGENT_REPLY_KIND, "center_escalation", "center_p0_reminder", "center_new_request_p0", "center_p0_moved_in"] as const;
const isReplyKind = (kind: string) => kind === REPLY_KIND || kind === URGENT_REPLY_KIND;

/** The outbound limiter's priority of a delivery (channels/outbound-limiter.ts). */
export function deliveryPriority(kind: string): OutboundPriority {
  if ((URGENT_KINDS as readonly string[]).includes(kind)) return "urgent";
  return kind === REPLY_KIND ? "reply" : "notice";
}

/** Returns false when a delivery with the same idempotency key already exists (nothing added). */
export async function enqueueDelivery(tx: Tx | Db, input: DeliveryInput, now: Date): Promise<boolean> {
  return (await tx.$executeRaw(deliveryInsertSql(input, now))) === 1;
}

/** The INSERT of one delivery; nothing when its idempotency key exists (run alone, or inside a step's statement). */
export function deliveryInsertSql(input: DeliveryInput, now: Date): Prisma.Sql {
  const columns = ["idempotencyKey", "kind", "channel", "target", "payload", "requestId", "nextAttemptAt", "createdAt"];
  const requestId = Prisma.sql`${input.requestId ?? null}`;
  return Prisma.sql`${insertRow("Outbox", columns, [input.idempotencyKey, input.kind, input.channel, input.target, JSON.stringify(input.payload), requestId, now, now])}
    ON CONFLICT ("idempotencyKey") DO NOTHING`;
}

/** A dialog step's replies as one outbox row (see enqueueReply). */
export interface ReplyInput {
  channel: OutboxChannel;
  chatId: string;
  updateKey: string;
  payload: unknown;
  urgent: boolean;
  holdMs?: number;
}

/** The INSERT of a step's reply row, returning its id; `when`: written only under that condition. */
export function replyInsertSql(input: ReplyInput, now: Date, when?: WriteCondition): Prisma.Sql {
  const columns = ["idempotencyKey", "kind", "channel", "target", "payload", "status", "attempts", "nextAttemptAt", "createdAt"];
  const values = [
    `reply:${input.channel}:${input.updateKey}`,
    input.urgent ? URGENT_REPLY_KIND : REPLY_KIND,
    input.channel,
    input.chatId,
    JSON.stringify(input.payload),
    input.holdMs ? "sending" : "pending",
    Prisma.raw("0"),
    new Date(now.getTime() + (input.holdMs ?? 0)),
    now,
  ];
  return Prisma.sql`${insertRow("Outbox", columns, values, when)} RETURNING "id"`;
}

/**
 * The replies of one dialog step, in the step's transaction: one INSERT. `hold`: the fast path sends
 * them at once, so the worker leaves them alone for that long (a crash before they are sent leaves
 * them to the worker after it); without it they wait for the worker (earlier replies of the chat are
 * still undelivered and go first).
 */
export async function enqueueReply(
  tx: Tx,
  input: ReplyInput,
  now: Date,
  /** PostgreSQL only: the step's other writes, run in the same statement (a round trip each less). */
  before: readonly Prisma.Sql[] = [],
): Promise<number> {
  // Typed SQL: on the per-update path Prisma's query compiler costs more CPU than the INSERT.
  const writes = before.map((w, i) => Prisma.sql`${Prisma.raw(`"write${i}"`)} AS (${w})`);
  const rows = await tx.$queryRaw<{ id: number | bigint }[]>`${writes.length > 0 ? Prisma.sql`WITH ${Prisma.join(writes)} ` : Prisma.empty}${replyInsertSql(input, now)}`;
  return Number(rows[0]?.id);
}

/**
 * Records the outcome of one delivery attempt. A delivered reply is deleted (it holds the family's
 * texts); other deliveries stay as "sent" for the web view. A reply given up on keeps no text.
 */
export async function settleDelivery(
  db: Db | Tx,
  item: { id: number; kind: string; attempts: number },
  result: SendResult,
  now: Date,
  /**
   * `claimed`: the worker's claim (the row's attempts when it claimed it). A failure is recorded only
   * while that claim is still the row's: an attempt that stalled past its claim (a paused process)
   * does not reopen a delivery a later attempt has claimed or settled meanwhile.
   */
  opts: { maxAttempts: number; payload?: unknown; claimed?: number },
): Promise<"sent" | "retry" | "dead"> {
  const reply = isReplyKind(item.kind);
  if (result.type === "sent" || result.type === "superseded") {
    if (reply) await db.outbox.deleteMany({ where: { id: item.id } });
    else await db.outbox.updateMany({ where: { id: item.id }, data: { status: "sent", sentAt: now, lastError: null } });
    return "sent";
  }
  const dead = result.type !== "retry" || item.attempts >= opts.maxAttempts;
  const wait = result.type === "retry" ? Math.max(result.retryAfterMs ?? 0, backoffMs(item.attempts)) : 0;
  const settled = await db.outbox.updateMany({
    where: { id: item.id, ...(opts.claimed !== undefined ? { status: "sending", attempts: opts.claimed } : {}) },
    data: {
      status: dead ? "dead" : "pending",
      lastError: result.code,
      nextAttemptAt: new Date(now.getTime() + wait),
      ...(dead && reply ? { payload: "{}" } : opts.payload !== undefined ? { payload: JSON.stringify(opts.payload) } : {}),
    },
  });
  if (settled.count === 0 && opts.claimed !== undefined) return "retry"; // a later attempt owns it now
  return dead ? "dead" : "retry";
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
  /**
   * Delivers everything due now; returns how many deliveries were attempted. `fence`: the outbox
   * job's lease (several instances): a delivery is claimed only in a transaction that checks it, and
   * sent only while this instance still believes it holds it.
   */
  runOnce(fence?: Fence): Promise<number>;
  /** Polls every `intervalMs` until stop(). */
  start(intervalMs?: number): void;
  stop(): Promise<void>;
}

/**
 * Deliveries to attempt now, fairly: only the oldest undelivered one of each chat (so one chat's
 * messages keep their order and a chat with hundreds waiting takes one place, like every other),
 * urgent kinds first, then oldest first.
 */
export async function claimable(db: Db, now: Date, limit: number): Promise<Array<{ id: number; status: "pending" | "sending" }>> {
  const rows = await db.$queryRaw<{ id: number; status: "pending" | "sending" }[]>`
    SELECT "id", "status" FROM (
      SELECT "id", "kind", "status", "nextAttemptAt",
             ROW_NUMBER() OVER (PARTITION BY "channel", "target" ORDER BY "id") AS "place"
      FROM "Outbox" WHERE "status" IN ('pending', 'sending')
    ) AS "heads"
    WHERE "place" = 1 AND "nextAttemptAt" <= ${now}
    ORDER BY CASE WHEN "kind" IN (${Prisma.join(URGENT_KINDS)}) THEN 0 ELSE 1 END, "id"
    LIMIT ${limit}`;
  return rows.map((r) => ({ id: Number(r.id), status: r.status }));
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

  async function deliver({ id, status }: { id: number; status: "pending" | "sending" }, fence: Fence | undefined): Promise<void> {
    const now = clock();
    // Claim with a lease: a worker that crashes mid-send leaves "sending", which expires and is
    // retried. Claimed only in the status it was seen in: "sending" past its lease means the last
    // attempt died without an outcome (in doubt), "pending" that it failed and said so.
    const claim = (tx: Db | Tx) =>
      tx.outbox.updateMany({
        where: { id, status, nextAttemptAt: { lte: now } },
        data: { status: "sending", attempts: { increment: 1 }, nextAttemptAt: new Date(now.getTime() + leaseMs) },
      });
    const claimed = fence ? await fenced(db, fence, claim) : await claim(db);
    if (claimed.count === 0) return;
    const item = await db.outbox.findUniqueOrThrow({ where: { id } });
    if (fence && !fence.valid()) {
      // The job's lease ran out meanwhile (a pause): give the delivery back to its next holder unsent.
      await db.outbox.updateMany({
        where: { id, status: "sending", attempts: item.attempts },
        data: { status, attempts: { decrement: 1 }, nextAttemptAt: now }, // in doubt stays in doubt
      });
      return;
    }
    const sender = senders[item.channel as OutboxChannel];
    const itemLog = log.child({ outboxId: item.id, kind: item.kind, channel: item.channel, attempt: item.attempts });
    let result: SendResult;
    if (!sender) {
      result = { type: "retry", code: "CHANNEL_DISABLED" };
    } else {
      try {
        const payload = JSON.parse(item.payload) as unknown;
        const inDoubt = status === "sending";
        // Each sender takes the limiter's priority from the kind (deliveryPriority).
        result = await sender({ id: item.id, kind: item.kind, target: item.target, payload, inDoubt });
      } catch (err) {
        result = { type: "retry", code: (err as { code?: string }).code ?? "SEND_ERROR" };
      }
    }
    const outcome = await settleDelivery(db, item, result, clock(), { maxAttempts, claimed: item.attempts });
    if (result.type === "superseded") itemLog.info("reply in doubt after an interrupted send, superseded by a later step: not sent again");
    else if (outcome === "sent") itemLog.debug("delivered");
    else if (result.type === "retry") itemLog.warn({ code: result.code, dead: outcome === "dead" }, outcome === "dead" ? "delivery gave up" : "delivery will be retried");
    else if (result.type !== "sent") itemLog.warn({ code: result.code }, "delivery not possible");
  }

  async function runOnce(fence: Fence | undefined): Promise<number> {
    if (fence && !fence.valid()) return 0;
    const due = await claimable(db, clock(), batchSize);
    // Different chats at once (the channels' limiters pace them); within a chat only its oldest
    // undelivered message is ever due, so a chat's order is kept.
    await Promise.all(due.map((row) => deliver(row, fence)));
    return due.length;
  }

  return {
    runOnce(fence) {
      // One pass at a time, so a slow API does not pile up overlapping passes.
      running ??= runOnce(fence).finally(() => {
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
