// The picture or document a messenger message carries, as the dialog's InboundFile (nothing is
// downloaded here). Only photos and documents: a family's papers, not voice, video or stickers.
import type { InboundFile } from "../dialog/service-types.ts";

interface TelegramPhotoSize {
  file_id?: unknown;
  file_size?: unknown;
}
interface TelegramDocument {
  file_id?: unknown;
  file_name?: unknown;
  mime_type?: unknown;
  file_size?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 && v.length <= 1024 ? v : undefined);
const size = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : undefined);

/** Telegram: the largest size of a photo, or a document with its name and type. */
export function telegramFileOf(msg: { photo?: unknown; document?: unknown }): InboundFile | undefined {
  if (Array.isArray(msg.photo) && msg.photo.length > 0) {
    // Sizes come smallest first; the largest is the readable one (a photographed page).
    const best = msg.photo[msg.photo.length - 1] as TelegramPhotoSize;
    const ref = str(best.file_id);
    if (!ref) return undefined;
    const bytes = size(best.file_size);
    return { kind: "photo", ref, mime: "image/jpeg", ...(bytes !== undefined ? { size: bytes } : {}) };
  }
  if (msg.document && typeof msg.document === "object") {
    const d = msg.document as TelegramDocument;
    const ref = str(d.file_id);
    if (!ref) return undefined;
    const name = str(d.file_name);
    const mime = str(d.mime_type);
    const bytes = size(d.file_size);
    return { kind: "document", ref, ...(name ? { fileName: name } : {}), ...(mime ? { mime } : {}), ...(bytes !== undefined ? { size: bytes } : {}) };
  }
  return undefined;
}

/** MAX: an `image` or `file` attachment; the payload's URL is where the file lies. */
export function maxFileOf(attachment: { type: string; payload?: unknown; [k: string]: unknown }): InboundFile | undefined {
  if (attachment.type !== "image" && attachment.type !== "file") return undefined;
  const payload = (attachment.payload ?? {}) as { url?: unknown };
  const ref = str(payload.url);
  if (!ref || !/^https?:\/\//i.test(ref)) return undefined;
  if (attachment.type === "image") return { kind: "photo", ref };
  const name = str(attachment.filename);
  const bytes = size(attachment.size);
  return { kind: "document", ref, ...(name ? { fileName: name } : {}), ...(bytes !== undefined ? { size: bytes } : {}) };
}
