// Operator actions on a request. Each writes the change and its AuditLog row in one transaction,
// and guards against races with conditional updates (two operators pressing "take" at once).
import { randomUUID } from "node:crypto";
import type { Db, Tx } from "../db/client.ts";
import type { Request } from "../generated/prisma/client.ts";
import { writeAudit } from "../audit/write-audit.ts";
import { type FamilyMessenger, type FamilyUnreachable, RELAY_MAX_LENGTH } from "../handoff/family-messages.ts";
import type { RequestStatus } from "./queue-order.ts";

export interface Actor {
  id: string;
}

export type ActionResult =
  | { type: "ok" }
  | { type: "not_found" }
  | { type: "conflict"; code: "already_taken" | "not_assignee" | "bad_transition" | "closed" | "changed" }
  | { type: "conflict"; code: "family_unreachable"; reason: FamilyUnreachable }
  | {
      type: "invalid";
      code:
        | "empty_note"
        | "note_too_long"
        | "same_queue"
        | "bad_queue"
        | "empty_reason"
        | "empty_message"
        | "message_too_long"
        | "no_outcome"
        | "not_confirmed"
        | "empty_referral"
        | "referral_too_long";
    };

export const STATUS_TRANSITIONS: Record<RequestStatus, readonly RequestStatus[]> = {
  new: ["in_progress", "contacted", "unreachable", "closed"],
  in_progress: ["contacted", "unreachable", "resolved", "closed"],
  unreachable: ["in_progress", "contacted", "unreachable", "resolved", "closed"],
  contacted: ["in_progress", "resolved", "closed"],
  resolved: [],
  closed: [],
};

const TERMINAL = new Set<string>(["resolved", "closed"]);

/** Runs `act` in one transaction on the request as it is now; `not_found` when there is none. */
function onRequest(db: Db, requestId: number, act: (tx: Tx, req: Request) => Promise<ActionResult>): Promise<ActionResult> {
  return db.$transaction(async (tx) => {
    const req = await tx.request.findUnique({ where: { id: requestId } });
    return req ? act(tx, req) : { type: "not_found" };
  });
}
const NOTE_MAX = 5000;

async function audit(
  tx: Tx,
  actor: Actor,
  req: { id: number; number: string; regionCode: string },
  action: string,
  details: Record<string, unknown>,
  at: Date,
): Promise<void> {
  await writeAudit(tx, {
    at,
    actor: { type: "staff", id: actor.id },
    action,
    entityType: "request",
    entityId: req.number,
    regionCode: req.regionCode,
    requestId: req.id,
    details,
  });
}

export async function takeRequest(
  db: Db,
  requestId: number,
  actor: Actor,
  now: Date,
  family?: FamilyMessenger,
): Promise<ActionResult> {
  return onRequest(db, requestId, async (tx, req) => {
    if (TERMINAL.has(req.status)) return { type: "conflict", code: "closed" } as const;
    if (req.assigneeId === actor.id) return { type: "ok" } as const;
    const status = req.status === "new" ? "in_progress" : req.status;
    const updated = await tx.request.updateMany({
      where: { id: req.id, assigneeId: null, updatedAt: req.updatedAt },
      data: { assigneeId: actor.id, status, takenAt: req.takenAt ?? now },
    });
    if (updated.count !== 1) return { type: "conflict", code: "already_taken" } as const;
    await audit(tx, actor, req, "request.take", { from: req.status, to: status }, now);
    // The family hears once that someone took it (the outbox key dedupes repeated takes).
    await family?.enqueue(tx, { requestId: req.id, kind: "taken", now });
    return { type: "ok" } as const;
  });
}

export async function releaseRequest(db: Db, requestId: number, actor: Actor, now: Date): Promise<ActionResult> {
  return onRequest(db, requestId, async (tx, req) => {
    if (req.assigneeId !== actor.id) return { type: "conflict", code: "not_assignee" } as const;
    await tx.request.update({ where: { id: req.id }, data: { assigneeId: null } });
    await audit(tx, actor, req, "request.release", {}, now);
    return { type: "ok" } as const;
  });
}

export async function changeStatus(
  db: Db,
  requestId: number,
  to: RequestStatus,
  actor: Actor,
  now: Date,
  family?: FamilyMessenger,
): Promise<ActionResult> {
  return onRequest(db, requestId, async (tx, req) => {
    const from = req.status as RequestStatus;
    const allowed = STATUS_TRANSITIONS[from] ?? [];
    if (!allowed.includes(to)) return { type: "conflict", code: "bad_transition" } as const;
    const data: {
      status: string;
      unreachableCount?: number;
      firstContactAt?: Date;
      closedAt?: Date;
      assigneeId?: string;
      takenAt?: Date;
    } = { status: to };
    if (to === "unreachable") data.unreachableCount = req.unreachableCount + 1;
    if (to === "contacted" && !req.firstContactAt) data.firstContactAt = now;
    if (to === "resolved" || to === "closed") data.closedAt = now;
    // Whoever moves an unassigned request forward is the one working on it.
    if (!req.assigneeId && !TERMINAL.has(to)) {
      data.assigneeId = actor.id;
      if (!req.takenAt) data.takenAt = now;
    }
    const updated = await tx.request.updateMany({ where: { id: req.id, status: req.status, updatedAt: req.updatedAt }, data });
    if (updated.count !== 1) return { type: "conflict", code: "changed" } as const;
    await audit(
      tx,
      actor,
      req,
      "request.status",
      { from, to, ...(to === "unreachable" ? { unreachableCount: req.unreachableCount + 1 } : {}) },
      now,
    );
    if (TERMINAL.has(to)) await family?.enqueue(tx, { requestId: req.id, kind: "closed", now });
    return { type: "ok" } as const;
  });
}

/** How a request ended, asked when it is closed (helped, referred on, declined, never reached). */
export const CLOSE_OUTCOMES = ["helped_phone", "referred", "declined", "unreachable"] as const;
export type CloseOutcome = (typeof CLOSE_OUTCOMES)[number];
const REFERRAL_MAX = 500;

/**
 * Closes a request with its outcome: "helped" and "referred" end as resolved, the others as
 * closed. Where the family was referred is kept as a note (it may name people, so it is erased
 * with the request's personal data); the family gets a kind closing message through the outbox.
 */
export async function closeRequest(
  db: Db,
  requestId: number,
  input: { outcome: CloseOutcome; referral: string },
  actor: Actor,
  now: Date,
  family?: FamilyMessenger,
): Promise<ActionResult> {
  const referral = input.referral.trim();
  if (input.outcome === "referred" && referral.length === 0) return { type: "invalid", code: "empty_referral" };
  if (referral.length > REFERRAL_MAX) return { type: "invalid", code: "referral_too_long" };
  const to: RequestStatus = input.outcome === "helped_phone" || input.outcome === "referred" ? "resolved" : "closed";
  return onRequest(db, requestId, async (tx, req) => {
    const from = req.status as RequestStatus;
    // Any open request can be closed with an outcome (e.g. referred on before anyone called).
    if (TERMINAL.has(from)) return { type: "conflict", code: "closed" } as const;
    const updated = await tx.request.updateMany({
      where: { id: req.id, status: req.status, updatedAt: req.updatedAt },
      data: { status: to, closedAt: now, outcome: input.outcome },
    });
    if (updated.count !== 1) return { type: "conflict", code: "changed" } as const;
    if (input.outcome === "referred") {
      await tx.note.create({ data: { requestId: req.id, authorId: actor.id, text: referral, createdAt: now } });
    }
    await audit(tx, actor, req, "request.close", { from, to, outcome: input.outcome }, now);
    await family?.enqueue(tx, { requestId: req.id, kind: "closed", now });
    return { type: "ok" } as const;
  });
}

export async function addNote(db: Db, requestId: number, text: string, actor: Actor, now: Date): Promise<ActionResult> {
  const clean = text.trim();
  if (clean.length === 0) return { type: "invalid", code: "empty_note" };
  if (clean.length > NOTE_MAX) return { type: "invalid", code: "note_too_long" };
  return onRequest(db, requestId, async (tx, req) => {
    const note = await tx.note.create({ data: { requestId: req.id, authorId: actor.id, text: clean, createdAt: now } });
    // The note text may hold personal data: the audit row records only that a note was added.
    await audit(tx, actor, req, "request.note", { noteId: note.id }, now);
    return { type: "ok" } as const;
  });
}

export async function transferRequest(
  db: Db,
  requestId: number,
  toQueueId: string,
  reason: string,
  actor: Actor,
  now: Date,
): Promise<ActionResult> {
  const cleanReason = reason.trim();
  if (cleanReason.length === 0) return { type: "invalid", code: "empty_reason" };
  return onRequest(db, requestId, async (tx, req) => {
    if (TERMINAL.has(req.status)) return { type: "conflict", code: "closed" } as const;
    if (req.queueId === toQueueId) return { type: "invalid", code: "same_queue" } as const;
    const queue = await tx.queue.findUnique({ where: { id: toQueueId }, include: { center: true } });
    // Only an active queue of an active center of the request's own region.
    if (!queue?.active || !queue.center.active || queue.center.regionCode !== req.regionCode) {
      return { type: "invalid", code: "bad_queue" } as const;
    }
    await tx.request.update({
      where: { id: req.id },
      data: { queueId: queue.id, assigneeId: null, status: req.status === "in_progress" ? "new" : req.status },
    });
    await tx.note.create({ data: { requestId: req.id, authorId: actor.id, text: cleanReason, createdAt: now } });
    await audit(tx, actor, req, "request.transfer", { fromQueueId: req.queueId, toQueueId: queue.id }, now);
    return { type: "ok" } as const;
  });
}

/**
 * An operator writes to the family from the request page: the message goes out through the bot
 * (outbox) and joins the transcript, in one transaction with its audit row.
 */
export async function relayToFamily(
  db: Db,
  family: FamilyMessenger,
  requestId: number,
  text: string,
  actor: Actor,
  now: Date,
): Promise<ActionResult> {
  const clean = text.trim();
  if (clean.length === 0) return { type: "invalid", code: "empty_message" };
  if (clean.length > RELAY_MAX_LENGTH) return { type: "invalid", code: "message_too_long" };
  return onRequest(db, requestId, async (tx, req) => {
    if (TERMINAL.has(req.status)) return { type: "conflict", code: "closed" } as const;
    const sent = await family.enqueue(tx, { requestId: req.id, kind: "relay", text: clean, uniqueId: randomUUID(), now });
    if (sent.type === "unreachable") return { type: "conflict", code: "family_unreachable", reason: sent.reason } as const;
    await tx.transcriptMessage.create({
      data: { conversationId: req.conversationId!, requestId: req.id, direction: "operator", text: clean, authorId: actor.id, createdAt: now },
    });
    await audit(tx, actor, req, "request.relay", {}, now);
    return { type: "ok" } as const;
  });
}
