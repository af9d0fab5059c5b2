// An untaken P0 never sits in one queue (design.md §5): after `afterMinutes` without an operator it
// moves to the next queue of its region's 24/7 chain (closed or slow center → the region's 24/7
// queue → the federal 24/7 reserve); in a closed center's queue it moves at the next pass. The
// move, its line in the routing history, the audit row and the notices (receiving and previous
// center's operators' chats, the region's admins' linked Telegram/MAX accounts) are written in one
// transaction; the notices go through the outbox and carry the request number, queue names and a
// link — never a name, phone or description.
import { type Fence, fenced } from "../cluster/leases.ts";
import type { Db, Tx } from "../db/client.ts";
import type { CenterNotificationDeps, OperatorChatPayload } from "../handoff/center-notifications.ts";
import { requestUrl } from "../handoff/center-notifications.ts";
import { enqueueDelivery, type OutboxChannel } from "../outbox/outbox.ts";
import { FEDERAL_TIMEZONE, nextInChain } from "../routing/engine.ts";
import { loadRoutingSnapshot } from "../routing/routing-store.ts";
import type { RoutingSnapshot } from "../routing/types.ts";
import { formatLocalRu, isOpenAt } from "../routing/working-hours.ts";
import { writeAudit } from "../audit/write-audit.ts";
import { OPEN_STATUSES } from "./queue-order.ts";

/** The audit action of a move; also restarts the clock for the next step. */
export const UNTAKEN_MOVE_ACTION = "request.overflow_untaken";

/** Actions after which a request counts as newly arrived in its queue (or newly a P0). */
const CLOCK_RESTARTS = [UNTAKEN_MOVE_ACTION, "request.transfer"];

export interface EscalateOptions {
  /** Minutes a P0 may wait untaken in one queue (env P0_ESCALATE_AFTER_MINUTES). */
  afterMinutes: number;
  /** The job's lease (several instances): each move commits only while this instance holds it. */
  fence?: Fence;
}

export interface EscalationResult {
  /** Request ids moved in this pass. */
  moved: number[];
}

const MINUTE = 60_000;

/** When the request entered its current queue or became urgent: the clock of "not taken". */
async function waitingSince(tx: Tx, req: { id: number; createdAt: Date }): Promise<Date> {
  const last = await tx.auditLog.findFirst({
    where: {
      requestId: req.id,
      OR: [{ action: { in: CLOCK_RESTARTS } }, { action: { startsWith: "request.escalate" } }],
    },
    orderBy: { at: "desc" },
    select: { at: true },
  });
  return last && last.at > req.createdAt ? last.at : req.createdAt;
}

/** One pass: moves every open, untaken, non-test P0 that waited `afterMinutes` in its queue. */
export async function escalateUntakenP0(
  db: Db,
  deps: CenterNotificationDeps,
  now: Date,
  { afterMinutes, fence }: EscalateOptions,
): Promise<EscalationResult> {
  // Every open untaken P0 (few at any time): one may wait in a closed center however new it is.
  const candidates = await db.request.findMany({
    where: {
      isTest: false,
      urgency: "P0",
      assigneeId: null,
      status: { in: [...OPEN_STATUSES] },
    },
    select: { id: true, regionCode: true, queueId: true },
    orderBy: { id: "asc" },
  });
  if (candidates.length === 0) return { moved: [] };
  const snapshot = await loadRoutingSnapshot(db);
  const moved: number[] = [];
  for (const { id, regionCode, queueId } of candidates) {
    if (!nextInChain(snapshot, regionCode, queueId)) continue; // at the end of its chain already
    if (await fenced(db, fence, (tx) => moveOne(tx, deps, snapshot, id, now, afterMinutes))) moved.push(id);
  }
  return { moved };
}

async function moveOne(
  tx: Tx,
  deps: CenterNotificationDeps,
  snapshot: RoutingSnapshot,
  id: number,
  now: Date,
  afterMinutes: number,
): Promise<boolean> {
  const req = await tx.request.findUnique({
    where: { id },
    include: { queue: { include: { center: true } } },
  });
  if (req?.urgency !== "P0" || req.assigneeId !== null || req.isTest) return false;
  if (!(OPEN_STATUSES as readonly string[]).includes(req.status)) return false;
  const since = await waitingSince(tx, req);
  const minutes = Math.floor((now.getTime() - since.getTime()) / MINUTE);
  const timezone = snapshot.regions.find((r) => r.code === req.regionCode)?.timezone ?? FEDERAL_TIMEZONE;
  // A P0 in a closed center's queue (raised there at night, or the center closed meanwhile) does
  // not wait out the delay: nobody there can take it, exactly as at creation.
  const center = snapshot.centers.find((c) => c.id === req.queue.centerId);
  const closed =
    center !== undefined &&
    !isOpenAt(center.hours, center.is24x7, center.regionCode === null ? FEDERAL_TIMEZONE : timezone, now);
  if (minutes < afterMinutes && !closed) return false;
  const next = nextInChain(snapshot, req.regionCode, req.queueId);
  if (!next) return false; // End of the chain: the reminders keep nagging the federal reserve.

  const stepRu = next.step === "region_24x7" ? "круглосуточную очередь региона" : "федеральный круглосуточный резерв";
  const why = minutes < afterMinutes ? `центр закрыт, P0 ждёт ${minutes} мин` : `P0 не взята за ${minutes} мин`;
  const line = `${formatLocalRu(timezone, now)} по времени региона: ${why} в очереди «${req.queue.name}» → переведена в ${stepRu} «${next.queue.name}» центра «${next.center.name}».`;
  // Conditional on nobody having taken or moved it meanwhile.
  const updated = await tx.request.updateMany({
    where: { id, assigneeId: null, queueId: req.queueId },
    data: { queueId: next.queue.id, routingExplanation: `${req.routingExplanation}\n${line}` },
  });
  if (updated.count === 0) return false;
  await writeAudit(tx, {
    at: now,
    actor: { type: "system", id: "p0-escalation" },
    action: UNTAKEN_MOVE_ACTION,
    entityType: "request",
    entityId: String(id),
    regionCode: req.regionCode,
    requestId: id,
    details: { number: req.number, fromQueue: req.queue.key, toQueue: next.queue.key, step: next.step, minutes, centerClosed: closed },
  });
  await enqueueMoveNotices(tx, deps, {
    id,
    number: req.number,
    regionCode: req.regionCode,
    minutes,
    from: { queueName: req.queue.name, center: req.queue.center },
    toQueueId: next.queue.id,
    toQueueKey: next.queue.key,
    toQueueName: next.queue.name,
    toCenterName: next.center.name,
    now,
  });
  return true;
}

interface MoveNotice {
  id: number;
  number: string;
  regionCode: string;
  minutes: number;
  from: { queueName: string; center: { notifyTelegramChatId: string | null; notifyMaxChatId: string | null } };
  toQueueId: string;
  toQueueKey: string;
  toQueueName: string;
  toCenterName: string;
  now: Date;
}

function chats(c: { notifyTelegramChatId: string | null; notifyMaxChatId: string | null }): [OutboxChannel, string][] {
  const out: [OutboxChannel, string][] = [];
  if (c.notifyTelegramChatId) out.push(["telegram", c.notifyTelegramChatId]);
  if (c.notifyMaxChatId) out.push(["max", c.notifyMaxChatId]);
  return out;
}

async function enqueueMoveNotices(tx: Tx, deps: CenterNotificationDeps, m: MoveNotice): Promise<void> {
  const locale = deps.locale ?? "ru";
  const url = requestUrl(deps.publicBaseUrl, m.number);
  const args = { number: m.number, minutes: m.minutes, from: m.from.queueName, to: m.toQueueName, center: m.toCenterName, url };
  const take = { label: deps.i18n.t(locale, "handoff-take-button"), data: `take:${m.number}` };
  const toCenter = await tx.queue.findUnique({ where: { id: m.toQueueId }, include: { center: true } });
  const deliveries: { kind: string; key: string; channel: OutboxChannel; target: string; payload: OperatorChatPayload }[] = [];
  for (const [channel, target] of toCenter ? chats(toCenter.center) : []) {
    deliveries.push({ kind: "center_p0_moved_in", key: `p0move:${m.id}:${m.toQueueKey}:in:${channel}:${target}`, channel, target, payload: { text: deps.i18n.t(locale, "handoff-p0-moved-in", args), take } });
  }
  for (const [channel, target] of chats(m.from.center)) {
    deliveries.push({ kind: "center_p0_moved_out", key: `p0move:${m.id}:${m.toQueueKey}:out:${channel}:${target}`, channel, target, payload: { text: deps.i18n.t(locale, "handoff-p0-moved-out", args) } });
  }
  // The region's admins, on the messenger accounts they linked (their private dialog with the bot).
  const admins = await tx.staffUser.findMany({
    where: { role: "regional_admin", regionCode: m.regionCode, active: true, OR: [{ telegramUserId: { not: null } }, { maxUserId: { not: null } }] },
    select: { id: true, telegramUserId: true, maxUserId: true },
    orderBy: { id: "asc" },
  });
  const adminText = { text: deps.i18n.t(locale, "handoff-p0-moved-admin", args) };
  for (const a of admins) {
    if (a.telegramUserId) {
      deliveries.push({ kind: "admin_p0_moved", key: `p0move:${m.id}:${m.toQueueKey}:admin:${a.id}:telegram`, channel: "telegram", target: a.telegramUserId, payload: adminText });
    }
    if (a.maxUserId) {
      deliveries.push({ kind: "admin_p0_moved", key: `p0move:${m.id}:${m.toQueueKey}:admin:${a.id}:max`, channel: "max", target: `user:${a.maxUserId}`, payload: adminText });
    }
  }
  for (const d of deliveries) {
    await enqueueDelivery(tx, { idempotencyKey: d.key, kind: d.kind, channel: d.channel, target: d.target, payload: d.payload, requestId: m.id }, m.now);
  }
}
