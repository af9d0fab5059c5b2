// Downloads a family's picture or document from the messenger into our own database. Runs as an
// outbox job (kind "attachment_download", payload { attachmentId }), so a failed download is tried
// again from the database with the outbox's backoff. Sizes are capped while reading: a file larger
// than ATTACHMENT_MAX_BYTES is refused and the family is told kindly. File contents, names and
// URLs never reach the logs.
import { Agent, request } from "undici";
import { z } from "zod";
import type { Db } from "../db/client.ts";
import { type I18n, pickLocale } from "../i18n/i18n.ts";
import type { Logger } from "../logging/logger.ts";
import { enqueueDelivery, type OutboxChannel, type Sender, type SendResult } from "../outbox/outbox.ts";
import { ATTACHMENT_DOWNLOAD_KIND, ATTACHMENT_MAX_BYTES, pendingAttachment, refuseAttachment, safeMime, storeAttachmentBytes } from "./attachments.ts";

export type FetchedFile =
  | { type: "ok"; bytes: Uint8Array; mime: string | null }
  | { type: "too_large" }
  /** The messenger no longer has it (or refuses it for good): not retried. */
  | { type: "gone"; code: string }
  | { type: "retry"; code: string };

/** Where a channel's files come from: `ref` is what the channel put in InboundFile.ref. */
export type FileSource = (ref: string, maxBytes: number) => Promise<FetchedFile>;

const DOWNLOAD_TIMEOUT_MS = 60_000;
const dispatcher = new Agent({ keepAliveTimeout: 4000, headersTimeout: DOWNLOAD_TIMEOUT_MS, bodyTimeout: DOWNLOAD_TIMEOUT_MS });

/** GET `url` (or POST `json`) into memory, stopping as soon as more than `maxBytes` arrive. */
export async function downloadBytes(url: string, maxBytes: number, json?: unknown): Promise<FetchedFile> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { type: "gone", code: "BAD_URL" };
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return { type: "gone", code: "BAD_URL" };
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(parsed, {
      method: json === undefined ? "GET" : "POST",
      dispatcher,
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
      ...(json === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(json) }),
    });
  } catch {
    return { type: "retry", code: "NETWORK" };
  }
  const status = res.statusCode;
  if (status !== 200) {
    await res.body.dump().catch(() => undefined);
    if (status === 429 || status >= 500) return { type: "retry", code: `HTTP_${status}` };
    return { type: "gone", code: `HTTP_${status}` };
  }
  const declared = Number(res.headers["content-length"]);
  // A body left unread is torn down quietly (undici reports the teardown as an error on it).
  res.body.on("error", () => undefined);
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.body.destroy();
    return { type: "too_large" };
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body) {
      total += (chunk as Buffer).byteLength;
      if (total > maxBytes) {
        res.body.destroy();
        return { type: "too_large" };
      }
      chunks.push(chunk as Buffer);
    }
  } catch {
    return { type: "retry", code: "NETWORK" };
  }
  const type = res.headers["content-type"];
  return { type: "ok", bytes: new Uint8Array(Buffer.concat(chunks)), mime: typeof type === "string" ? type : null };
}

const getFileAnswer = z.object({
  ok: z.boolean(),
  result: z.object({ file_path: z.string().min(1).optional(), file_size: z.number().optional() }).optional(),
  error_code: z.number().optional(),
});

/** Telegram: `getFile` names the file's path, then `/file/bot<token>/<path>` serves it (≤ 20 MB). */
export function telegramFileSource({ token, apiRoot }: { token: string; apiRoot: string }): FileSource {
  const root = apiRoot.replace(/\/+$/, "");
  return async (fileId, maxBytes) => {
    const meta = await downloadBytes(`${root}/bot${token}/getFile`, 64 * 1024, { file_id: fileId });
    if (meta.type === "too_large") return { type: "retry", code: "BAD_ANSWER" };
    let answer: z.infer<typeof getFileAnswer> | null = null;
    if (meta.type === "ok") {
      try {
        answer = getFileAnswer.parse(JSON.parse(Buffer.from(meta.bytes).toString("utf8")));
      } catch {
        return { type: "retry", code: "BAD_ANSWER" };
      }
    } else if (meta.code.startsWith("HTTP_4")) {
      // Telegram answers 400 "file is too big" for files over 20 MB, and for file ids it forgot.
      return { type: "gone", code: meta.code };
    } else {
      return meta;
    }
    if (!answer.ok || !answer.result?.file_path) return { type: "gone", code: `TG_${answer.error_code ?? "NO_PATH"}` };
    if ((answer.result.file_size ?? 0) > maxBytes) return { type: "too_large" };
    const path = answer.result.file_path.split("/").map(encodeURIComponent).join("/");
    return downloadBytes(`${root}/file/bot${token}/${path}`, maxBytes);
  };
}

/** MAX: the attachment's payload carries the file's URL; the bot's token is not sent to it. */
export function maxFileSource(): FileSource {
  return (url, maxBytes) => downloadBytes(url, maxBytes);
}

const payloadSchema = z.object({ attachmentId: z.string().min(1).max(64) });

export interface AttachmentDownloadDeps {
  db: Db;
  log: Logger;
  i18n: I18n;
  clock: () => Date;
  maxBytes?: number;
}

/**
 * Wraps a channel's outbox sender: download jobs are run here, every other delivery goes to
 * `sender` unchanged.
 */
export function withAttachmentDownloads(sender: Sender | undefined, source: FileSource, deps: AttachmentDownloadDeps): Sender {
  const { db, log, i18n, clock } = deps;
  const maxBytes = deps.maxBytes ?? ATTACHMENT_MAX_BYTES;
  return async (delivery) => {
    if (delivery.kind !== ATTACHMENT_DOWNLOAD_KIND) return sender ? sender(delivery) : { type: "retry", code: "CHANNEL_DISABLED" };
    const parsed = payloadSchema.safeParse(delivery.payload);
    if (!parsed.success) return { type: "failed", code: "BAD_PAYLOAD" };
    const row = await pendingAttachment(db, parsed.data.attachmentId);
    // Erased (withdrawal, retention) or already stored: nothing left to do.
    if (!row?.sourceRef) return { type: "sent" };
    const fetched = await source(row.sourceRef, maxBytes);
    const flog = log.child({ attachmentId: row.id, requestId: row.requestId });
    switch (fetched.type) {
      case "ok": {
        // The messenger's type only when the family's app gave none (documents carry their own).
        const mime = row.mime ?? (fetched.mime ? safeMime(fetched.mime) : null) ?? "application/octet-stream";
        await storeAttachmentBytes(db, row.id, { bytes: fetched.bytes, mime }, clock());
        flog.info({ size: fetched.bytes.byteLength }, "family file stored");
        return { type: "sent" };
      }
      case "retry":
        return { type: "retry", code: fetched.code };
      case "too_large":
      case "gone": {
        await refuseAttachment(db, row.id);
        await tellFamilyRefused(row.id, row.requestId, row.channel);
        flog.warn({ code: fetched.type === "gone" ? fetched.code : "TOO_LARGE" }, "family file refused");
        return { type: "sent" } satisfies SendResult;
      }
    }
  };

  async function tellFamilyRefused(attachmentId: string, requestId: number, channel: string): Promise<void> {
    const req = await db.request.findUnique({
      where: { id: requestId },
      select: { number: true, personalDataErasedAt: true, conversation: { select: { chatId: true, channel: true, locale: true, blockedAt: true } } },
    });
    const conv = req?.conversation;
    if (!req || !conv || req.personalDataErasedAt || conv.blockedAt || conv.channel !== channel) return;
    const chatId = conv.chatId;
    const text = i18n.t(pickLocale(conv.locale), "file-refused-later", { number: req.number });
    const now = clock();
    await enqueueDelivery(
      db,
      {
        idempotencyKey: `family_file_refused:${attachmentId}`,
        kind: "family_file_refused",
        channel: channel as OutboxChannel,
        target: chatId,
        payload: { text },
        requestId,
      },
      now,
    );
  }
}

