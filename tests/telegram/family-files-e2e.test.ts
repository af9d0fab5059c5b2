// A family's document through the whole Telegram path (issue 15.11): the fake Bot API delivers the
// photo update to the real channel and dialog service, the family gets the acknowledgement in the
// chat, and the outbox worker (wired as in main.ts) fetches the file through getFile and the file
// URL into the database.
import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import { createTelegramOutboxSender } from "../../src/handoff/outbox-senders.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createOutboxWorker } from "../../src/outbox/outbox.ts";
import { telegramFileSource, withAttachmentDownloads } from "../../src/requests/attachment-download.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { type FakeTelegramApi, type FakeUser, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { createInbox, DEFAULT_SCRIPT, runFamily } from "./family-driver.ts";
import { captureLog } from "./helpers.ts";

const i18n = createI18n();
const FAST_THROTTLE = { globalPerSecond: 1000, perChatPerSecond: 100, perChatBurst: 20 };
const parent: FakeUser = { id: 9301, language_code: "ru" };

let api: FakeTelegramApi;
let temp: TempDb;
let channel: TelegramChannel | undefined;

beforeEach(async () => {
  api = await startFakeTelegramApi();
  temp = await createTempDb();
});
afterEach(async () => {
  await channel?.stop();
  channel = undefined;
  await api.close();
  await temp.cleanup();
});

describe("telegram: a family's document after the request", () => {
  it("is acknowledged in the chat and downloaded into the database by the outbox worker", async () => {
    const { log } = captureLog();
    await loadDemoRoutingIfEmpty(temp.db, log);
    const service = createDialogService({
      db: temp.db,
      log,
      i18n,
      clock: () => new Date(),
      config: { consentVersion: "test-1", publicBaseUrl: "https://opora.example", operatorName: "Opora test operator" },
    });
    channel = createTelegramChannel({ token: api.token, apiRoot: api.apiRoot, service, db: temp.db, log, i18n, mode: { type: "polling", timeoutSeconds: 1 }, throttle: FAST_THROTTLE });
    await channel.start();
    const inbox = createInbox(api);
    const result = await runFamily({ api, inbox, user: parent, deliver: (u: Update) => void api.push(u), script: { ...DEFAULT_SCRIPT, startPayload: "63" } });
    expect(result.outcome, JSON.stringify(result.trail)).toBe("done");
    const req = await temp.db.request.findFirstOrThrow({ where: { channel: "telegram" }, include: { queue: true } });
    // The center's operators' chat hears of the file (linked after the request, so only that notice).
    await temp.db.center.update({ where: { id: req.queue.centerId }, data: { notifyTelegramChatId: "-100900" } });
    api.addChat("-100900");

    const bytes = Buffer.concat([Buffer.from("%PDF-1.4 E2E-EVICTION-NOTICE "), Buffer.alloc(4000, 0x20)]);
    const file = api.addFile(bytes);
    const before = api.sentTo(parent.id).length;
    api.push(
      api.message(parent, {
        document: { file_id: file.file_id, file_unique_id: "doc-1", file_name: "уведомление.pdf", mime_type: "application/pdf", file_size: file.file_size },
      }),
    );
    const ack = i18n.t("ru", "file-kept", { number: req.number });
    await api.waitFor(() => api.sentTo(parent.id).slice(before).some((m) => m.text === ack), 10_000, "the acknowledgement");
    expect(await temp.db.requestAttachment.count({ where: { requestId: req.id, status: "pending" } })).toBe(1);

    // main.ts's wiring: the channel's outbox sender, with downloads routed to the file source.
    const sender = withAttachmentDownloads(createTelegramOutboxSender({ token: api.token, apiRoot: api.apiRoot }), telegramFileSource({ token: api.token, apiRoot: api.apiRoot }), {
      db: temp.db,
      log,
      i18n,
      clock: () => new Date(),
    });
    const worker = createOutboxWorker({ db: temp.db, log, senders: { telegram: sender }, clock: () => new Date() });
    for (let i = 0; i < 5 && (await temp.db.requestAttachment.count({ where: { status: "stored" } })) === 0; i++) await worker.runOnce();
    const stored = await temp.db.requestAttachment.findFirstOrThrow({ where: { requestId: req.id } });
    expect(stored).toMatchObject({ status: "stored", fileName: "уведомление.pdf", mime: "application/pdf", sourceRef: null });
    expect(Buffer.from(stored.bytes!).equals(bytes)).toBe(true);
    expect(api.fileDownloads.get(file.file_id)).toBe(1);
    // The file's reference never went to the family's chat or the operators' chats as text.
    expect(api.sent.some((m) => m.text.includes(file.file_id))).toBe(false);
    // The operators' chat: number, kind and link only (no file name, no content).
    for (let i = 0; i < 5 && api.sentTo("-100900").length === 0; i++) await worker.runOnce();
    expect(api.sentTo("-100900").map((m) => m.text)).toEqual([
      i18n.t("ru", "handoff-file-added", { number: req.number, kind: "document", url: `https://opora.example/requests/${req.number}` }),
    ]);
  });
});
