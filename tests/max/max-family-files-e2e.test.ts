// A family's document through the whole MAX path (issue 15.11): the fake MAX API delivers the file
// message to the real channel and dialog service and serves the attachment URL; the outbox worker
// (wired as in main.ts) downloads the file into the database; the operator downloads it from the
// request page; and the center's operators' chat is told — the number, the kind and the link, never
// the file, its name or anything the family wrote.
import { beforeEach, describe, expect, it } from "vitest";
import { createStaffUser } from "../../src/auth/users.ts";
import { createMaxOutboxSender } from "../../src/handoff/outbox-senders.ts";
import { createOutboxWorker } from "../../src/outbox/outbox.ts";
import { rememberingSent, routeSenders } from "../../src/outbox/reply-delivery.ts";
import { maxFileSource, withAttachmentDownloads } from "../../src/requests/attachment-download.ts";
import { Browser, buildAdminTestApp, PASSWORD, seedWorld } from "../web/helpers.ts";
import { Family, i18n, log, TOKEN } from "./harness.ts";
import { maxWorld, toSummary } from "./max-world.ts";

const OPERATORS_CHAT = -70001;

const world = maxWorld({ demoRouting: false });
beforeEach(async () => {
  await seedWorld(world.db); // the demo routing and staff accounts
});

describe("MAX: a family's document after the request", () => {
  it("is kept with the request, downloaded by the outbox, downloadable by its operator; the operators' chat is told without the file", async () => {
    const h = await world.start("webhook", { channel: { menuRow: false } });
    const f = new Family(h, { userId: 7301, chatId: 8301, locale: "ru" });
    await toSummary(f, "Нас выселяют, пришло уведомление");
    await f.press("submit");
    const req = await world.db.request.findFirstOrThrow({ where: { channel: "max" }, include: { queue: { include: { center: true } } } });
    await world.db.center.update({ where: { id: req.queue.centerId }, data: { notifyMaxChatId: String(OPERATORS_CHAT) } });

    const bytes = Buffer.concat([Buffer.from("%PDF-1.4 MAX-EVICTION-NOTICE-4417 "), Buffer.alloc(5000, 0x20)]);
    const url = h.api.addFile(bytes, "application/pdf");
    await f.send(h.api.fileMessage(f.user, url, { filename: "уведомление о выселении.pdf", size: bytes.length }));
    expect(f.messages().at(-1)?.text).toBe(i18n.t("ru", "file-kept", { number: req.number }));
    // The file row, its download and the operators' notice: one step, one transaction.
    const pending = await world.db.requestAttachment.findFirstOrThrow({ where: { requestId: req.id } });
    expect(pending).toMatchObject({ status: "pending", kind: "document", fileName: "уведомление о выселении.pdf", bytes: null });
    const notice = await world.db.outbox.findFirstOrThrow({ where: { kind: "center_file_added" } });
    expect(notice).toMatchObject({ channel: "max", target: String(OPERATORS_CHAT), requestId: req.id, status: "pending" });
    expect(pending.createdAt.getTime()).toBe(notice.createdAt.getTime());

    // main.ts's wiring: replies to the channel, the rest to the MAX sender, downloads to the file source.
    const clock = () => new Date();
    const sender = withAttachmentDownloads(
      routeSenders(h.channel.replySender, rememberingSent(createMaxOutboxSender({ token: TOKEN, baseUrl: h.api.baseUrl }), h.channel)),
      maxFileSource(),
      { db: world.db, log, i18n, clock },
    );
    const worker = createOutboxWorker({ db: world.db, log, senders: { max: sender }, clock });
    for (let i = 0; i < 5 && (await world.db.outbox.count({ where: { kind: { in: ["attachment_download", "center_file_added"] }, status: "pending" } })) > 0; i++) await worker.runOnce();
    const stored = await world.db.requestAttachment.findFirstOrThrow({ where: { requestId: req.id } });
    expect(stored).toMatchObject({ status: "stored", mime: "application/pdf", sourceRef: null });
    expect(Buffer.from(stored.bytes!).equals(bytes)).toBe(true);
    expect(h.api.files.get(url.split("/").pop()!)?.downloads).toBe(1);

    // The operators' chat: the number, «документ» and the link; no name, no content, no family words.
    const told = h.api.messagesTo(OPERATORS_CHAT).map((m) => m.text);
    const expected = i18n.t("ru", "handoff-file-added", { number: req.number, kind: "document", url: `https://opora.example/requests/${req.number}` });
    expect(told).toContain(expected);
    expect(expected).toMatch(new RegExp(`№ ${req.number}.*документ.*https://opora\\.example/requests/${req.number}`, "s"));
    for (const secret of ["уведомление", "выселен", "EVICTION", "7999", url]) expect(told.join("\n")).not.toContain(secret);
    // Both languages have the line (a photo is named as one).
    expect(i18n.t("ru", "handoff-file-added", { number: "63-00012", kind: "photo", url: "u" })).toBe("📎 К заявке № 63-00012 добавлен снимок от семьи. Открыть: u");
    expect(i18n.t("en", "handoff-file-added", { number: "63-00012", kind: "photo", url: "u" })).toBe("📎 The family added a photo to request No. 63-00012. Open: u");

    // The operator of the request's center downloads it from the request page.
    const created = await createStaffUser(world.db, { email: "op-syzran@test.local", password: PASSWORD, name: "Оператор", role: "operator", centerKeys: [req.queue.center.key] });
    expect(created.type).toBe("created");
    const app = await buildAdminTestApp({ db: world.db, clock });
    try {
      const b = new Browser(app);
      await b.login("op-syzran@test.local");
      const page = await b.get(`/requests/${req.number}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`/requests/${req.number}/files/${stored.id}`);
      const got = await b.get(`/requests/${req.number}/files/${stored.id}`);
      expect(got.statusCode).toBe(200);
      expect(got.rawPayload.equals(bytes)).toBe(true);
      expect(got.headers["content-type"]).toBe("application/pdf");
      expect(String(got.headers["content-disposition"])).toMatch(/^attachment;/);
      // Another center's operator does not get it.
      const other = new Browser(app);
      await other.login("op67@test.local");
      expect((await other.get(`/requests/${req.number}/files/${stored.id}`)).statusCode).toBeGreaterThanOrEqual(403);
    } finally {
      await app.close();
    }
  });
});
