// Tells a center's operators' chat about new requests and nags about untaken P0s and overdue ones.
// Every message goes through the outbox in the same transaction as its cause. The texts carry the
// request number, urgency, topics, place and a link — never a name, phone or description.
import { type Fence, fenced } from "../cluster/leases.ts";
import type { Db, Tx } from "../db/client.ts";
import { type Category, isCategory, isUrgency, type Urgency } from "../domain/taxonomy.ts";
import type { I18n, Locale } from "../i18n/i18n.ts";
import { type DeliveryInput, enqueueDelivery, type OutboxChannel } from "../outbox/outbox.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { OPEN_STATUSES } from "../requests/queue-order.ts";
import { describeUrgencyReasons, type UrgencyReason } from "../dialog/urgency-reasons.ts";

export interface CenterNotificationDeps {
  i18n: I18n;
  publicBaseUrl: string;
  categoryLabel: (locale: Locale, category: Category) => string;
  /** Operators' chats speak Russian. */
  locale?: Locale;
}

/** What the channel senders receive for a message to an operators' chat. */
export interface OperatorChatPayload {
  text: string;
  /** A "Take" button; its data is `take:<request number>`. */
  take?: { label: string; data: string };
}


/** What a notice about a request says and where it goes: the request, its place and its center's chats. */
export interface NoticeRequest {
  id: number;
  number: string;
  urgency: string;
  categories: string;
  urgencyReasons: string;
  isTest: boolean;
  assigneeId: string | null;
  dueAt: Date;
  createdAt: Date;
  regionName: string;
  municipalityName: string | null;
  notifyTelegramChatId: string | null;
  notifyMaxChatId: string | null;
}

/**
 * A notice's columns of the request rows in `requests` (the table, or a statement's just-inserted
 * rows: create-request.ts), with their place and their center's chats. Parse each row with noticeRequestOf.
 */
export function noticeRequestSql(requests: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`SELECT r."id", r."number", r."urgency", r."categories", r."urgencyReasons", r."isTest", r."assigneeId", r."dueAt", r."createdAt",
      g."name" AS "regionName", m."name" AS "municipalityName", c."notifyTelegramChatId", c."notifyMaxChatId"
    FROM ${requests} r JOIN "Queue" q ON q."id" = r."queueId" JOIN "Center" c ON c."id" = q."centerId"
      JOIN "Region" g ON g."code" = r."regionCode" LEFT JOIN "Municipality" m ON m."id" = r."municipalityId"`;
}

/** A row of noticeRequestSql, typed (each engine's driver gives its own booleans and dates). */
export type NoticeRow = Omit<NoticeRequest, "id" | "isTest" | "dueAt" | "createdAt"> & { id: number | bigint; isTest: unknown; dueAt: unknown; createdAt: unknown };

export function noticeRequestOf(row: NoticeRow): NoticeRequest {
  return {
    ...row,
    id: Number(row.id),
    isTest: Boolean(row.isTest),
    dueAt: new Date(row.dueAt as string | Date),
    createdAt: new Date(row.createdAt as string | Date),
  };
}

// Typed SQL, one statement: the new-request notice is written in the family's "send" step, where
// Prisma's query compiler would cost more CPU than the query (bench/README.md).
export async function loadForNotice(tx: Tx | Db, requestId: number): Promise<NoticeRequest | null> {
  const rows = await tx.$queryRaw<NoticeRow[]>`${noticeRequestSql(Prisma.sql`"Request"`)} WHERE r."id" = ${requestId}`;
  return rows[0] ? noticeRequestOf(rows[0]) : null;
}

function chatsOf(req: NoticeRequest): [OutboxChannel, string][] {
  const chats: [OutboxChannel, string][] = [];
  if (req.notifyTelegramChatId) chats.push(["telegram", req.notifyTelegramChatId]);
  if (req.notifyMaxChatId) chats.push(["max", req.notifyMaxChatId]);
  return chats;
}

function urgencyOf(req: NoticeRequest): Urgency {
  return isUrgency(req.urgency) ? req.urgency : "P2";
}

export function requestUrl(publicBaseUrl: string, number: string): string {
  return `${publicBaseUrl}/requests/${encodeURIComponent(number)}`;
}

export function renderNewRequestNotice(deps: CenterNotificationDeps, req: NoticeRequest): OperatorChatPayload {
  const locale = deps.locale ?? "ru";
  const urgency = urgencyOf(req);
  const categories = (JSON.parse(req.categories) as string[])
    .filter(isCategory)
    .map((c) => deps.categoryLabel(locale, c))
    .join(", ");
  const place = req.municipalityName ? `${req.regionName}, ${req.municipalityName}` : req.regionName;
  const text = deps.i18n.t(locale, "handoff-new-request", {
    number: req.number,
    urgency: deps.i18n.t(locale, `handoff-urgency-${urgency}`),
    categories,
    place,
    promise: deps.i18n.t(locale, `handoff-promise-${urgency}`),
    url: requestUrl(deps.publicBaseUrl, req.number),
  });
  // Why this urgency (codes turned into words; never the family's own words).
  const why = reasonList(deps, locale, req.urgencyReasons);
  return {
    text: why ? `${text}\n${deps.i18n.t(locale, "handoff-reasons", { list: why })}` : text,
    take: { label: deps.i18n.t(locale, "handoff-take-button"), data: `take:${req.number}` },
  };
}

function reasonList(deps: CenterNotificationDeps, locale: Locale, raw: unknown): string {
  const t = (key: string, args?: Record<string, string | number>) => deps.i18n.t(locale, key, args);
  return describeUrgencyReasons(raw, locale, t)
    .map((r) => (r.dangerNow ? `${r.label} (${t("reason-danger-now-mark")})` : r.label))
    .join("; ");
}

/**
 * A red flag in the family's messages after the request exists: the center's operators' chats are
 * told at once (call inside the transaction that raised the request). `key` makes it once per message.
 */
export async function enqueueEscalationNotices(
  tx: Tx,
  deps: CenterNotificationDeps,
  requestId: number,
  reasons: readonly UrgencyReason[],
  key: string,
  now: Date,
): Promise<number> {
  const req = await loadForNotice(tx, requestId);
  if (!req || req.isTest) return 0;
  const locale = deps.locale ?? "ru";
  const payload: OperatorChatPayload = {
    text: deps.i18n.t(locale, "handoff-escalated", {
      number: req.number,
      reasons: reasonList(deps, locale, reasons),
      urgency: deps.i18n.t(locale, `handoff-urgency-${urgencyOf(req)}`),
      url: requestUrl(deps.publicBaseUrl, req.number),
    }),
    ...(req.assigneeId === null ? { take: { label: deps.i18n.t(locale, "handoff-take-button"), data: `take:${req.number}` } } : {}),
  };
  let enqueued = 0;
  for (const [channel, target] of chatsOf(req)) {
    const idempotencyKey = `escalate:${req.id}:${key}:${channel}`;
    if (await enqueueDelivery(tx, { idempotencyKey, kind: "center_escalation", channel, target, payload, requestId: req.id }, now)) enqueued++;
  }
  return enqueued;
}

/**
 * The new-request notices of a request, one per chat of its center (none for a test request): for
 * the transaction that created it to write (the dialog's "send" step writes them in its last statement).
 */
export function newRequestNotices(deps: CenterNotificationDeps, req: NoticeRequest): DeliveryInput[] {
  if (req.isTest) return [];
  const payload = renderNewRequestNotice(deps, req);
  // A P0 request's notice is urgent: it goes before other traffic in the outbox and the bot's limiter.
  const kind = urgencyOf(req) === "P0" ? "center_new_request_p0" : "center_new_request";
  return chatsOf(req).map(([channel, target]) => ({ idempotencyKey: `new:${req.id}:${channel}`, kind, channel, target, payload, requestId: req.id }));
}

/**
 * A family added a file to an open request: its center's operators' chats are told, in the
 * transaction that keeps the file (src/requests/attachments.ts) — the number, whether it is a photo
 * or a document and the request's link; never the file, its name or anything the family wrote.
 */
export async function enqueueFileAddedNotices(
  tx: Tx,
  deps: CenterNotificationDeps,
  input: { requestId: number; attachmentId: string; kind: string },
  now: Date,
): Promise<number> {
  const req = await loadForNotice(tx, input.requestId);
  if (!req || req.isTest) return 0;
  const locale = deps.locale ?? "ru";
  const payload: OperatorChatPayload = {
    text: deps.i18n.t(locale, "handoff-file-added", {
      number: req.number,
      kind: input.kind === "photo" ? "photo" : "document",
      url: requestUrl(deps.publicBaseUrl, req.number),
    }),
  };
  let enqueued = 0;
  for (const [channel, target] of chatsOf(req)) {
    const idempotencyKey = `file:${input.attachmentId}:${channel}`;
    if (await enqueueDelivery(tx, { idempotencyKey, kind: "center_file_added", channel, target, payload, requestId: req.id }, now)) enqueued++;
  }
  return enqueued;
}

export interface ReminderOptions {
  /** Minutes between reminders of an untaken P0. */
  p0EveryMinutes?: number;
  /** The job's lease (several instances): each request's reminders commit only while it is held. */
  fence?: Fence;
}

/**
 * Enqueues reminders that are due at `now`: an untaken P0 every `p0EveryMinutes`, and one reminder
 * for any open request past its promised time. Idempotency keys make repeated passes harmless.
 */
export async function enqueueDueReminders(
  db: Db,
  deps: CenterNotificationDeps,
  now: Date,
  { p0EveryMinutes = 10, fence }: ReminderOptions = {},
): Promise<number> {
  const locale = deps.locale ?? "ru";
  let enqueued = 0;
  const candidates = await db.request.findMany({
    where: {
      isTest: false,
      status: { in: [...OPEN_STATUSES] },
      OR: [{ urgency: "P0", assigneeId: null }, { dueAt: { lt: now } }],
    },
    select: { id: true },
  });
  for (const { id } of candidates) {
    await fenced(db, fence, async (tx) => {
      const req = await loadForNotice(tx, id);
      if (!req) return;
      const url = requestUrl(deps.publicBaseUrl, req.number);
      const minutes = Math.floor((now.getTime() - req.createdAt.getTime()) / 60_000);
      const deliveries: { key: string; kind: string; text: string; take: boolean }[] = [];
      if (req.urgency === "P0" && req.assigneeId === null && minutes >= p0EveryMinutes) {
        const slot = Math.floor(minutes / p0EveryMinutes);
        deliveries.push({
          key: `p0:${req.id}:${slot}`,
          kind: "center_p0_reminder",
          text: deps.i18n.t(locale, "handoff-p0-reminder", { number: req.number, minutes, url }),
          take: true,
        });
      }
      if (req.dueAt < now) {
        deliveries.push({
          key: `overdue:${req.id}`,
          kind: "center_overdue_reminder",
          text: deps.i18n.t(locale, "handoff-overdue-reminder", {
            number: req.number,
            promise: deps.i18n.t(locale, `handoff-promise-${urgencyOf(req)}`),
            url,
          }),
          take: req.assigneeId === null,
        });
      }
      for (const d of deliveries) {
        for (const [channel, target] of chatsOf(req)) {
          const payload: OperatorChatPayload = {
            text: d.text,
            ...(d.take ? { take: { label: deps.i18n.t(locale, "handoff-take-button"), data: `take:${req.number}` } } : {}),
          };
          const idempotencyKey = `${d.key}:${channel}`;
          if (await enqueueDelivery(tx, { idempotencyKey, kind: d.kind, channel, target, payload, requestId: req.id }, now)) {
            enqueued++;
          }
        }
      }
    });
  }
  return enqueued;
}

/** Category names as the web view shows them (locales/<lang>/web.ftl). */
export function categoryLabelFor(i18n: I18n): (locale: Locale, category: Category) => string {
  return (locale, category) => i18n.t(locale, `web-cat-${category}`);
}
