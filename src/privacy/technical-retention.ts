// Technical tables are pruned on a stated schedule (README "Withdrawal and retention"), so that
// bookkeeping never grows without bound or keeps what it no longer needs:
//  - processed-update keys (re-delivery guard): messengers re-send for at most a day; kept 7 days;
//  - delivered, cancelled and dead outbox rows: kept 30 (dead: 90) days, and while their request is
//    open (their idempotency keys stop a reminder from going out twice);
//  - staff sessions: deleted once expired;
//  - one-time link codes: deleted a day after they were used or expired;
//  - inbound-journal leftovers (an update never applied; it holds message text): deleted after a
//    day — a normal update leaves the journal within seconds, and a restart replays it at once;
//  - "did this help?" tokens (src/requests/help-rating.ts): deleted once expired — a press then
//    finds nothing and gets the same kind "already answered" reply an expired token gets.
import { type Fence, fenced } from "../cluster/leases.ts";
import type { Db } from "../db/client.ts";
import { OPEN_STATUSES } from "../requests/queue-order.ts";

const DAY = 24 * 60 * 60_000;

export const TECHNICAL_RETENTION = {
  processedUpdateDays: 7,
  deliveredOutboxDays: 30,
  deadOutboxDays: 90,
  linkCodeDays: 1,
  inboundLeftoverDays: 1,
} as const;

export interface PruneResult {
  processedUpdates: number;
  outbox: number;
  sessions: number;
  linkCodes: number;
  inboundLeftovers: number;
  ratingTokens: number;
}

const BATCH = 5000;

/** `fence`: the job's lease (several instances); every delete commits only while it is held. */
export async function pruneTechnicalTables(db: Db, now: Date, r = TECHNICAL_RETENTION, fence?: Fence): Promise<PruneResult> {
  const before = (days: number) => new Date(now.getTime() - days * DAY);
  const processedUpdates = (
    await fenced(db, fence, (tx) => tx.processedUpdate.deleteMany({ where: { processedAt: { lt: before(r.processedUpdateDays) } } }))
  ).count;
  const sessions = (await fenced(db, fence, (tx) => tx.staffSession.deleteMany({ where: { expiresAt: { lt: now } } }))).count;
  const linkCodes = (
    await fenced(db, fence, (tx) =>
      tx.linkCode.deleteMany({
        where: { OR: [{ usedAt: { lt: before(r.linkCodeDays) } }, { expiresAt: { lt: before(r.linkCodeDays) } }] },
      }),
    )
  ).count;
  const inboundLeftovers = (
    await fenced(db, fence, (tx) => tx.inboundUpdate.deleteMany({ where: { receivedAt: { lt: before(r.inboundLeftoverDays) } } }))
  ).count;
  const ratingTokens = (await fenced(db, fence, (tx) => tx.helpRatingToken.deleteMany({ where: { expiresAt: { lte: now } } }))).count;

  let outbox = 0;
  let cursor = 0;
  for (;;) {
    const rows = await db.outbox.findMany({
      where: {
        id: { gt: cursor },
        OR: [
          { status: { in: ["sent", "cancelled"] }, createdAt: { lt: before(r.deliveredOutboxDays) } },
          { status: "dead", createdAt: { lt: before(r.deadOutboxDays) } },
        ],
      },
      select: { id: true, requestId: true },
      take: BATCH,
      orderBy: { id: "asc" },
    });
    if (rows.length === 0) break;
    cursor = rows[rows.length - 1]?.id ?? cursor;
    const requestIds = [...new Set(rows.map((x) => x.requestId).filter((x): x is number => x !== null))];
    const open = new Set(
      (await db.request.findMany({ where: { id: { in: requestIds }, status: { in: [...OPEN_STATUSES] } }, select: { id: true } })).map((x) => x.id),
    );
    const ids = rows.filter((x) => x.requestId === null || !open.has(x.requestId)).map((x) => x.id);
    if (ids.length > 0) outbox += (await fenced(db, fence, (tx) => tx.outbox.deleteMany({ where: { id: { in: ids } } }))).count;
    if (rows.length < BATCH) break;
  }
  return { processedUpdates, outbox, sessions, linkCodes, inboundLeftovers, ratingTokens };
}
