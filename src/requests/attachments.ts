// Pictures and documents a family sends about its open request (an eviction notice, a medical
// paper). They are kept in our own database with the request — never with a third party — so the
// backup holds them and the erasure of the request (withdrawal, retention) deletes them with the
// rest. Nothing is kept before consent or without an open request: the dialog engine asks for a
// `keepAttachment` effect only after the request was sent, and this module checks the request is
// still open. The file is fetched from the messenger later by the outbox (attachment-download.ts),
// so a failed download is retried from the database.
import type { Db, Tx } from "../db/client.ts";
import type { InboundFile } from "../dialog/service-types.ts";
import { type CenterNotificationDeps, enqueueFileAddedNotices } from "../handoff/center-notifications.ts";
import { enqueueDelivery, type OutboxChannel } from "../outbox/outbox.ts";
import { OPEN_STATUSES } from "./queue-order.ts";

/** Telegram's Bot API serves files up to 20 MB; MAX files beyond that are refused the same way. */
export const ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;
/** At most this many files per request: a family's photos, not a flood. */
export const ATTACHMENTS_PER_REQUEST = 30;

/** The outbox kind of a pending download (its payload is `{ attachmentId }`, nothing personal). */
export const ATTACHMENT_DOWNLOAD_KIND = "attachment_download";

export type { InboundFile };

/** Files of one album arrive as separate messages within a second or two: one acknowledgement. */
export const ALBUM_WINDOW_MS = 10_000;

export type KeepResult =
  /** `quiet`: another file of this request came moments ago and was acknowledged already. */
  | { type: "kept"; requestNumber: string; quiet: boolean }
  /** No open request of this conversation (closed, erased, or none). */
  | { type: "no_request" }
  | { type: "too_large"; requestNumber: string }
  | { type: "too_many"; requestNumber: string };

/**
 * Records the file with the conversation's newest open request and queues its download in the same
 * transaction. Only the reference and the declared name/size/type are written here.
 */
export async function keepAttachment(
  tx: Tx,
  input: {
    conversationId: string;
    channel: string;
    chatId: string;
    file: InboundFile;
    mark?: string;
    updateKey: string;
    now: Date;
    /** The center's operators' chats are told (once per album) when given. */
    notices?: CenterNotificationDeps;
  },
): Promise<KeepResult> {
  const { conversationId, channel, file, now } = input;
  if (channel !== "telegram" && channel !== "max") return { type: "no_request" };
  const req = await tx.request.findFirst({
    where: { conversationId, status: { in: [...OPEN_STATUSES] }, personalDataErasedAt: null },
    orderBy: { id: "desc" },
    select: { id: true, number: true },
  });
  if (!req) return { type: "no_request" };
  if (file.size !== undefined && file.size > ATTACHMENT_MAX_BYTES) return { type: "too_large", requestNumber: req.number };
  const count = await tx.requestAttachment.count({ where: { requestId: req.id } });
  if (count >= ATTACHMENTS_PER_REQUEST) return { type: "too_many", requestNumber: req.number };
  const recent = await tx.requestAttachment.count({ where: { requestId: req.id, createdAt: { gt: new Date(now.getTime() - ALBUM_WINDOW_MS) } } });
  const row = await tx.requestAttachment.create({
    data: {
      requestId: req.id,
      channel,
      kind: file.kind.slice(0, 32),
      sourceRef: file.ref,
      fileName: file.fileName ? safeFileName(file.fileName) : null,
      mime: file.mime ? safeMime(file.mime) : null,
      size: file.size ?? null,
      createdAt: now,
    },
    select: { id: true },
  });
  await enqueueDelivery(
    tx,
    {
      idempotencyKey: `attachment:${row.id}`,
      kind: ATTACHMENT_DOWNLOAD_KIND,
      channel: channel as OutboxChannel,
      // Not the family's chat: the worker takes one delivery per target at a time, and a slow or
      // failing download must not hold the family's replies back.
      target: `file:${row.id}`,
      payload: { attachmentId: row.id },
      requestId: req.id,
    },
    now,
  );
  // The operators' chats hear of it once per album, in this transaction (through the outbox).
  if (input.notices && recent === 0) await enqueueFileAddedNotices(tx, input.notices, { requestId: req.id, attachmentId: row.id, kind: file.kind }, now);
  // A file without a caption: a mark in the request's transcript tells the operator it came.
  if (input.mark) {
    await tx.transcriptMessage.create({ data: { conversationId, requestId: req.id, direction: "in", text: input.mark, createdAt: now }, select: { id: true } });
  }
  return { type: "kept", requestNumber: req.number, quiet: recent > 0 };
}

/** What the download job needs of a pending file; null when it was erased or is already stored. */
export async function pendingAttachment(db: Db, id: string) {
  return db.requestAttachment.findFirst({
    where: { id, status: "pending", sourceRef: { not: null } },
    select: { id: true, channel: true, sourceRef: true, mime: true, fileName: true, kind: true, requestId: true },
  });
}

/** The downloaded bytes take the reference's place; only a still-pending row is written. */
export async function storeAttachmentBytes(db: Db, id: string, file: { bytes: Uint8Array; mime: string | null }, now: Date): Promise<boolean> {
  const res = await db.requestAttachment.updateMany({
    where: { id, status: "pending" },
    data: {
      bytes: file.bytes as Uint8Array<ArrayBuffer>,
      size: file.bytes.byteLength,
      mime: file.mime,
      status: "stored",
      sourceRef: null,
      storedAt: now,
    },
  });
  return res.count > 0;
}

/** A file that cannot be kept (too large, gone from the messenger): the reference is dropped. */
export async function refuseAttachment(db: Db, id: string): Promise<void> {
  await db.requestAttachment.updateMany({ where: { id, status: "pending" }, data: { status: "refused", sourceRef: null, fileName: null } });
}

/** The files of a request for its page (no bytes). */
export function listAttachments(db: Db, requestId: number) {
  return db.requestAttachment.findMany({
    where: { requestId },
    orderBy: { createdAt: "asc" },
    select: { id: true, kind: true, status: true, fileName: true, mime: true, size: true, createdAt: true },
  });
}

/** One stored file of a request, with its bytes (the caller has checked the request is visible). */
export function attachmentForDownload(db: Db, requestId: number, id: string) {
  return db.requestAttachment.findFirst({
    where: { id, requestId, status: "stored" },
    select: { id: true, kind: true, fileName: true, mime: true, bytes: true, createdAt: true },
  });
}

/** Erasure of a request (withdrawal, retention): the rows go, bytes, names and references with them. */
export async function eraseAttachments(tx: Tx, requestId: number): Promise<number> {
  const res = await tx.requestAttachment.deleteMany({ where: { requestId } });
  return res.count;
}

/** A file name without path parts or control characters, at most 120 characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, "").trim();
  return clean.slice(-120) || "file";
}

/** A plain `type/subtype` or nothing: never parameters a browser could be steered by. */
export function safeMime(mime: string): string | null {
  const m = /^([a-z0-9][a-z0-9!#$&^_.+-]{0,63})\/([a-z0-9][a-z0-9!#$&^_.+-]{0,63})$/i.exec(mime.trim().split(";")[0]?.trim() ?? "");
  return m ? `${m[1]}/${m[2]}`.toLowerCase() : null;
}

/** Types a browser may be told; anything else (HTML, SVG, XML, scripts) is served as plain bytes. */
const SERVED_TYPES = /^(image\/(jpeg|png|gif|webp|heic|heif|bmp|tiff)|application\/(pdf|rtf|zip|msword|vnd\.ms-excel|vnd\.openxmlformats-officedocument\.[a-z.]+|vnd\.oasis\.opendocument\.[a-z.]+)|text\/plain)$/;

export function servedContentType(mime: string | null): string {
  return mime && SERVED_TYPES.test(mime) ? mime : "application/octet-stream";
}

/** `Content-Disposition: attachment` with an ASCII fallback name and the real one (RFC 6266 / 8187). */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%;]/g, "_").slice(-100) || "file";
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** The name a download gets: the family's own, else «photo-<date>.jpg» / «document-<date>». */
export function downloadName(f: { kind: string; fileName: string | null; mime: string | null; createdAt: Date }): string {
  if (f.fileName) return f.fileName;
  const day = f.createdAt.toISOString().slice(0, 10);
  const ext = f.mime === "image/jpeg" ? ".jpg" : f.mime === "image/png" ? ".png" : f.mime === "application/pdf" ? ".pdf" : "";
  return `${f.kind === "photo" ? "photo" : "document"}-${day}${ext}`;
}
