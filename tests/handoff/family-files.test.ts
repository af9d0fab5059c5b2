// Pictures and documents from a family (issue 15.11): kept with the open request in our own
// database, downloaded from the messenger by the outbox (retried from the database), never kept
// before consent or without an open request, refused kindly when too large, erased with the rest on
// withdrawal and retention; a red flag in a caption brings the emergency numbers like any text.
import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { translateUpdate as translateMax } from "../../src/channels/max/max-updates.ts";
import { translateUpdate as translateTelegram } from "../../src/channels/telegram/translate-update.ts";
import type { InboundEvent } from "../../src/dialog/service-types.ts";
import { createOutboxWorker } from "../../src/outbox/outbox.ts";
import { maxFileSource, telegramFileSource, withAttachmentDownloads } from "../../src/requests/attachment-download.ts";
import { purgeExpiredPersonalData } from "../../src/requests/retention-purge.ts";
import { startFakeMaxApi } from "../fakes/fake-max-api.ts";
import { startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { makeService, Person, quietLog, routedDbPerTest, walkToConsent, walkToSummary } from "../dialog/db-fixture.ts";
import { i18n } from "../dialog/fixture.ts";
import { sqliteFileBytes } from "../helpers/temp-db.ts";

const tmp = routedDbPerTest();
let clockNow: Date;
const clock = () => clockNow;
const closers: (() => Promise<void>)[] = [];
beforeEach(() => {
  clockNow = new Date("2026-03-02T06:00:00Z");
});
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A file's bytes with a marker that a byte search of the database can find. */
function fileBytes(marker: string, size = 3000): Buffer {
  const head = Buffer.from(`%PDF-1.4 ${marker} `);
  return Buffer.concat([head, Buffer.alloc(Math.max(0, size - head.length), 0x41)]);
}

async function submitted(p: Person): Promise<{ id: number; number: string }> {
  await walkToSummary(p);
  await p.press("submit");
  const req = await tmp.db.request.findFirstOrThrow({ orderBy: { id: "desc" } });
  return { id: req.id, number: req.number };
}

async function telegramSetup() {
  const fake = await startFakeTelegramApi();
  closers.push(() => fake.close());
  const files = withAttachmentDownloads(undefined, telegramFileSource({ token: fake.token, apiRoot: fake.apiRoot }), { db: tmp.db, log: quietLog, i18n, clock });
  const worker = createOutboxWorker({ db: tmp.db, log: quietLog, senders: { telegram: files }, clock });
  return { fake, worker };
}

/** A Telegram photo message as the channel translates it (the largest size is the one kept). */
function telegramPhotoEvent(fake: Awaited<ReturnType<typeof startFakeTelegramApi>>, chatId: number, file: { file_id: string; file_size: number }, caption?: string): InboundEvent {
  const update = fake.stamp(
    fake.message({ id: chatId }, {
      photo: [
        { file_id: "thumb", file_unique_id: "t", width: 90, height: 90, file_size: 10 },
        { file_id: file.file_id, file_unique_id: "b", width: 1280, height: 960, file_size: file.file_size },
      ],
      ...(caption ? { caption } : {}),
    }) as Update,
  );
  const t = translateTelegram(update);
  if (t.type !== "event") throw new Error(`not an event: ${t.type}`);
  return t.event;
}

const attachmentJobs = () => tmp.db.outbox.count({ where: { kind: "attachment_download" } });

describe("a family's files after the request", () => {
  it("Telegram: a photo with a caption is kept with the request, downloaded into our database, acknowledged with the number", async () => {
    const { fake, worker } = await telegramSetup();
    const p = new Person(makeService(tmp.db, clock), "5001", "telegram");
    const req = await submitted(p);
    const bytes = fileBytes("EVICTION-NOTICE-7731");
    const file = fake.addFile(bytes);
    const event = telegramPhotoEvent(fake, 5001, file, "Вот уведомление о выселении");
    expect(event).toMatchObject({ type: "unsupported", kind: "photo", file: { ref: file.file_id, size: bytes.length } });

    await p.send(event);
    expect(p.texts()).toBe(i18n.t("ru", "file-kept", { number: req.number }));
    const pending = await tmp.db.requestAttachment.findFirstOrThrow();
    expect(pending).toMatchObject({ requestId: req.id, status: "pending", kind: "photo", bytes: null });
    expect(await attachmentJobs()).toBe(1);
    // The download waits in a queue of its own, never ahead of the family's replies in their chat's.
    const job = await tmp.db.outbox.findFirstOrThrow({ where: { kind: "attachment_download" } });
    expect(job.target).toBe(`file:${pending.id}`);
    // The caption is the family's words: it joins the request's transcript for the specialist.
    const lines = await tmp.db.transcriptMessage.findMany({ where: { direction: "in" } });
    expect(lines.map((l) => l.text)).toContain("📎 Вот уведомление о выселении");
    expect(lines.map((l) => l.text)).not.toContain("📎 🖼");

    await worker.runOnce();
    const stored = await tmp.db.requestAttachment.findFirstOrThrow();
    expect(stored.status).toBe("stored");
    expect(Buffer.from(stored.bytes!).equals(bytes)).toBe(true);
    expect(stored.size).toBe(bytes.length);
    expect(stored.sourceRef).toBeNull();
    expect(fake.fileDownloads.get(file.file_id)).toBe(1);
    // Done once: a second run downloads nothing again.
    await worker.runOnce();
    expect(fake.fileDownloads.get(file.file_id)).toBe(1);
  });

  it("MAX: a document with its name is kept; a failed download is retried from the database", async () => {
    const fake = await startFakeMaxApi({ token: "max-token" });
    closers.push(() => fake.close());
    const worker = createOutboxWorker({
      db: tmp.db,
      log: quietLog,
      senders: { max: withAttachmentDownloads(undefined, maxFileSource(), { db: tmp.db, log: quietLog, i18n, clock }) },
      clock,
    });
    const p = new Person(makeService(tmp.db, clock), "9001", "max");
    const req = await submitted(p);
    const bytes = fileBytes("MEDICAL-PAPER-5520");
    const url = fake.addFile(bytes, "application/pdf", { failures: 1 });
    const translated = translateMax({
      update_type: "message_created",
      timestamp: 1_760_000_000_000,
      user_locale: "ru",
      message: {
        sender: { user_id: 9001, is_bot: false },
        recipient: { chat_id: 9001, chat_type: "dialog" },
        body: { mid: "mid-file-1", text: null, attachments: [{ type: "file", payload: { url, token: "tok" }, filename: "справка.pdf", size: bytes.length }] },
      },
    });
    if (translated.type !== "event") throw new Error(`not an event: ${translated.type}`);
    expect(translated.event).toMatchObject({ type: "unsupported", file: { kind: "document", ref: url, fileName: "справка.pdf" } });

    await p.send(translated.event);
    expect(p.texts()).toBe(i18n.t("ru", "file-kept", { number: req.number }));
    // Sent without a caption: a mark in the request's transcript tells the operator a file came.
    const marks = await tmp.db.transcriptMessage.findMany({ where: { requestId: req.id, direction: "in" } });
    expect(marks.map((m) => m.text)).toContain("📎 справка.pdf");
    await worker.runOnce();
    expect((await tmp.db.requestAttachment.findFirstOrThrow()).status).toBe("pending");
    const job = await tmp.db.outbox.findFirstOrThrow({ where: { kind: "attachment_download" } });
    expect(job).toMatchObject({ status: "pending", lastError: "HTTP_503" });

    clockNow = new Date(clockNow.getTime() + 60_000);
    await worker.runOnce();
    const stored = await tmp.db.requestAttachment.findFirstOrThrow();
    expect(stored).toMatchObject({ status: "stored", fileName: "справка.pdf", sourceRef: null });
    expect(Buffer.from(stored.bytes!).equals(bytes)).toBe(true);
  });

  it("an album (several photos at once) gets one acknowledgement; a photo a minute later gets its own", async () => {
    const p = new Person(makeService(tmp.db, clock), "5008", "telegram");
    const req = await submitted(p);
    const photo = (ref: string): InboundEvent => ({ type: "unsupported", kind: "photo", file: { kind: "photo", ref, size: 100 } });
    await p.send(photo("album-1"));
    expect(p.texts()).toBe(i18n.t("ru", "file-kept", { number: req.number }));
    clockNow = new Date(clockNow.getTime() + 1000);
    await p.send(photo("album-2"));
    expect(p.replies).toEqual([]);
    clockNow = new Date(clockNow.getTime() + 60_000);
    await p.send(photo("later"));
    expect(p.texts()).toBe(i18n.t("ru", "file-kept", { number: req.number }));
    expect(await tmp.db.requestAttachment.count()).toBe(3);
    expect(await attachmentJobs()).toBe(3);
  });

  it("a file larger than 20 MB is refused kindly and nothing is stored", async () => {
    const { fake } = await telegramSetup();
    const p = new Person(makeService(tmp.db, clock), "5002", "telegram");
    const req = await submitted(p);
    const file = fake.addFile(Buffer.from("x"), { declaredSize: 25 * 1024 * 1024 });
    const update = fake.stamp(fake.message({ id: 5002 }, { document: { file_id: file.file_id, file_unique_id: "d", file_name: "scan.pdf", mime_type: "application/pdf", file_size: file.file_size } }) as Update);
    const t = translateTelegram(update);
    if (t.type !== "event") throw new Error("not an event");
    await p.send(t.event);
    expect(p.texts()).toBe(i18n.t("ru", "file-too-large", { number: req.number }));
    expect(await tmp.db.requestAttachment.count()).toBe(0);
    expect(await attachmentJobs()).toBe(0);
    // Not kept: no mark in the transcript says a file is there.
    expect((await tmp.db.transcriptMessage.findMany()).map((m) => m.text)).not.toContain("📎 scan.pdf");
  });

  it("a file found too large only while downloading is refused, and the family is told", async () => {
    const fake = await startFakeMaxApi({ token: "max-token" });
    closers.push(() => fake.close());
    const files = withAttachmentDownloads(undefined, maxFileSource(), { db: tmp.db, log: quietLog, i18n, clock, maxBytes: 1000 });
    const worker = createOutboxWorker({ db: tmp.db, log: quietLog, senders: { max: files }, clock });
    const p = new Person(makeService(tmp.db, clock), "9002", "max");
    const req = await submitted(p);
    const url = fake.addFile(fileBytes("TOO-BIG", 5000), "image/jpeg");
    await p.send({ type: "unsupported", kind: "image", file: { kind: "photo", ref: url } });
    expect(p.texts()).toBe(i18n.t("ru", "file-kept", { number: req.number }));
    await worker.runOnce();
    const row = await tmp.db.requestAttachment.findFirstOrThrow();
    expect(row).toMatchObject({ status: "refused", bytes: null, sourceRef: null });
    const told = await tmp.db.outbox.findFirstOrThrow({ where: { kind: "family_file_refused" } });
    expect(told.target).toBe("9002");
    expect(JSON.parse(told.payload).text).toBe(i18n.t("ru", "file-refused-later", { number: req.number }));
  });

  it("after the request was closed a file is not kept, and the family is told how to start again", async () => {
    const p = new Person(makeService(tmp.db, clock), "5003", "telegram");
    const req = await submitted(p);
    await tmp.db.request.update({ where: { id: req.id }, data: { status: "closed", closedAt: clockNow } });
    await p.send({ type: "unsupported", kind: "photo", file: { kind: "photo", ref: "file-zz", size: 100 } });
    expect(p.texts()).toBe(i18n.t("ru", "file-no-request"));
    expect(await tmp.db.requestAttachment.count()).toBe(0);
    expect(await attachmentJobs()).toBe(0);
  });
});

describe("before consent nothing of a file is kept", () => {
  it("a photo at the consent screen: a kind line says it was not kept and what to do, and the question comes again", async () => {
    const p = new Person(makeService(tmp.db, clock), "5004", "telegram");
    await walkToConsent(p);
    await p.send({ type: "unsupported", kind: "photo", caption: "Вот документ", file: { kind: "photo", ref: "file-secret-ref", size: 100 } });
    expect(p.texts()).toContain(i18n.t("ru", "file-not-kept-before-request"));
    expect(p.options().some((o) => o.token.endsWith(".give"))).toBe(true);
    expect(await tmp.db.requestAttachment.count()).toBe(0);
    expect(await attachmentJobs()).toBe(0);
    expect(await tmp.db.transcriptMessage.count()).toBe(0);
    const conv = await tmp.db.conversation.findFirstOrThrow();
    expect(conv.state).not.toContain("file-secret-ref");
  });

  it("a photo as the very first message gets the greeting and the same note", async () => {
    const p = new Person(makeService(tmp.db, clock), "5005", "telegram");
    await p.send({ type: "unsupported", kind: "document", file: { kind: "document", ref: "file-first", fileName: "выселение.pdf", size: 100 } });
    expect(p.texts()).toContain(i18n.t("ru", "file-not-kept-before-request"));
    expect(await tmp.db.requestAttachment.count()).toBe(0);
    const conv = await tmp.db.conversation.findFirstOrThrow();
    expect(conv.state).not.toContain("выселение");
  });

  it("a teen's photo is not kept; the line names the children's helpline", async () => {
    const p = new Person(makeService(tmp.db, clock), "5009", "telegram");
    await p.text("мне 15 лет");
    expect((await tmp.db.conversation.findFirstOrThrow()).state).toContain('"under18":true');
    await p.send({ type: "unsupported", kind: "photo", file: { kind: "photo", ref: "file-teen", size: 100 } });
    expect(p.texts()).toContain(i18n.t("ru", "file-not-kept-teen"));
    expect(p.texts()).toContain("8-800-2000-122");
    expect(await tmp.db.requestAttachment.count()).toBe(0);
  });

  it("a red flag in the caption brings the emergency numbers; the file is still not kept", async () => {
    const p = new Person(makeService(tmp.db, clock), "5006", "telegram");
    await walkToConsent(p);
    await p.send({ type: "unsupported", kind: "photo", caption: "он сказал что убьёт меня", file: { kind: "photo", ref: "file-flag", size: 100 } });
    expect(p.texts()).toContain("112");
    expect(await tmp.db.requestAttachment.count()).toBe(0);
    expect(await attachmentJobs()).toBe(0);
  });
});

describe("a red flag in the caption of a file after the request", () => {
  it("shows the numbers, raises the request to P0 and still keeps the file", async () => {
    const p = new Person(makeService(tmp.db, clock), "5007", "telegram");
    const req = await submitted(p);
    await p.send({ type: "unsupported", kind: "photo", caption: "он сказал что убьёт меня", file: { kind: "photo", ref: "file-flag-2", size: 100 } });
    expect(p.texts()).toContain("112");
    expect(p.texts()).toContain(i18n.t("ru", "file-kept", { number: req.number }));
    expect((await tmp.db.request.findUniqueOrThrow({ where: { id: req.id } })).urgency).toBe("P0");
    expect(await tmp.db.requestAttachment.count()).toBe(1);
  });
});

describe("erasure", () => {
  async function storedFile(chatId: string, marker: string) {
    const { fake, worker } = await telegramSetup();
    const p = new Person(makeService(tmp.db, clock), chatId, "telegram");
    const req = await submitted(p);
    const file = fake.addFile(fileBytes(marker, 8000));
    await p.send(telegramPhotoEvent(fake, Number(chatId), file));
    await worker.runOnce();
    expect((await tmp.db.requestAttachment.findFirstOrThrow()).status).toBe("stored");
    return { p, req };
  }

  it("withdrawal (/revoke) deletes the file: its bytes are in none of the database files", async () => {
    const marker = "FAMILY-FILE-MARKER-93417";
    const { p } = await storedFile("5101", marker);
    if (tmp.file) expect(sqliteFileBytes(tmp.file).includes(Buffer.from(marker))).toBe(true);
    await p.send({ type: "command", name: "revoke" });
    await p.press("revoke_yes");
    expect(await tmp.db.requestAttachment.count()).toBe(0);
    const log = await tmp.db.destructionLog.findFirstOrThrow({ where: { reason: "withdrawal", requestId: { not: null } } });
    expect(JSON.parse(log.fields)).toContain("attachments");
    if (!tmp.file) return; // PostgreSQL: VACUUM, no file to search
    expect(sqliteFileBytes(tmp.file).includes(Buffer.from(marker))).toBe(false);
  });

  it("the retention purge deletes the file of a request closed longer ago than the term", async () => {
    const marker = "RETENTION-FILE-MARKER-2291";
    const { req } = await storedFile("5102", marker);
    await tmp.db.request.update({ where: { id: req.id }, data: { status: "closed", closedAt: new Date("2025-01-01T00:00:00Z") } });
    await purgeExpiredPersonalData({ db: tmp.db, log: quietLog, clock, retentionDays: 180 });
    expect(await tmp.db.requestAttachment.count()).toBe(0);
    if (!tmp.file) return;
    expect(sqliteFileBytes(tmp.file).includes(Buffer.from(marker))).toBe(false);
  });

  it("a download still queued when the family withdraws fetches nothing afterwards", async () => {
    const { fake, worker } = await telegramSetup();
    const p = new Person(makeService(tmp.db, clock), "5103", "telegram");
    await submitted(p);
    const file = fake.addFile(fileBytes("LATE-DOWNLOAD"));
    await p.send(telegramPhotoEvent(fake, 5103, file));
    await p.send({ type: "command", name: "revoke" });
    await p.press("revoke_yes");
    await worker.runOnce();
    expect(fake.fileDownloads.get(file.file_id) ?? 0).toBe(0);
    expect(await tmp.db.requestAttachment.count()).toBe(0);
  });
});
