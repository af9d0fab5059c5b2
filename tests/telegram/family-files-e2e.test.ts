// A family's document through the whole Telegram path (issue 15.11): the fake Bot API delivers the
// photo update to the real channel and dialog service, the family gets the acknowledgement in the
// chat, and the outbox worker (wired as in main.ts) fetches the file through getFile and the file
// URL into the database.
import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { createTelegramOutboxSender } from "../../src/handoff/outbox-senders.ts";
import { createOutboxWorker } from "../../src/outbox/outbox.ts";
import { telegramFileSource, withAttachmentDownloads } from "../../src/requests/attachment-download.ts";
import type { FakeUser } from "../fakes/fake-telegram-api.ts";
import { createInbox, DEFAULT_SCRIPT, runFamily } from "./family-driver.ts";
import { captureLog } from "./helpers.ts";
import { i18n, telegramWorld } from "./telegram-world.ts";

const parent: FakeUser = { id: 9301, language_code: "ru" };
const { log } = captureLog();
const world = telegramWorld({ log });

describe("telegram: a family's document after the request", () => {
  it("is acknowledged in the chat and downloaded into the database by the outbox worker", async () => {
    const { api } = await world.start();
    const inbox = createInbox(api);
    const result = await runFamily({ api, inbox, user: parent, deliver: (u: Update) => void api.push(u), script: { ...DEFAULT_SCRIPT, startPayload: "63" } });
    expect(result.outcome, JSON.stringify(result.trail)).toBe("done");
    const req = await world.db.request.findFirstOrThrow({ where: { channel: "telegram" }, include: { queue: true } });
    // The center's operators' chat hears of the file (linked after the request, so only that notice).
    await world.db.center.update({ where: { id: req.queue.centerId }, data: { notifyTelegramChatId: "-100900" } });
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
    expect(await world.db.requestAttachment.count({ where: { requestId: req.id, status: "pending" } })).toBe(1);

    // main.ts's wiring: the channel's outbox sender, with downloads routed to the file source.
    const sender = withAttachmentDownloads(createTelegramOutboxSender({ token: api.token, apiRoot: api.apiRoot }), telegramFileSource({ token: api.token, apiRoot: api.apiRoot }), {
      db: world.db,
      log,
      i18n,
      clock: () => new Date(),
    });
    const worker = createOutboxWorker({ db: world.db, log, senders: { telegram: sender }, clock: () => new Date() });
    for (let i = 0; i < 5 && (await world.db.requestAttachment.count({ where: { status: "stored" } })) === 0; i++) await worker.runOnce();
    const stored = await world.db.requestAttachment.findFirstOrThrow({ where: { requestId: req.id } });
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
