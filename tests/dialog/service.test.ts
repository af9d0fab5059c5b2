import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb } from "../../src/db/client.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { makeService, Person, seedRouting, walkToSummary } from "./db-fixture.ts";

let tmp: TempDb;
let ids: Awaited<ReturnType<typeof seedRouting>>;
// Monday 2 March 2026, 10:00 in Samara (UTC+4): the center is open.
let now = new Date("2026-03-02T06:00:00Z");
const clock = () => now;

beforeEach(async () => {
  tmp = await createTempDb();
  ids = await seedRouting(tmp.db);
  now = new Date("2026-03-02T06:00:00Z");
});
afterEach(async () => {
  await tmp.cleanup();
});

describe("dialog service", () => {
  it("creates a routed request with consent, transcript and a full confirmation", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await walkToSummary(p);
    expect(p.texts()).toContain("Проверьте");
    await p.press("submit");
    const text = p.texts();
    expect(text).toContain("63-00001");
    expect(text).toContain("Служба «Дети в семье»");
    expect(text).toContain("+7 846 000-00-00");
    expect(text).toContain("112");
    expect(text).toContain("3 рабочих дней");

    const req = await tmp.db.request.findFirstOrThrow();
    expect(req).toMatchObject({
      number: "63-00001",
      channel: "console",
      urgency: "P2",
      regionCode: "63",
      municipalityId: ids.syzranId,
      contactName: "Анна",
      contactPhone: "+79991234567",
      contactMethod: "call",
      contactTime: "evening",
      queueId: ids.samaraQueueId,
      routingReason: "region_default",
      isTest: false,
    });
    expect(JSON.parse(req.categories)).toEqual(["family_conflict"]);
    expect(req.routingExplanation.length).toBeGreaterThan(10);
    expect(req.dueAt.getTime()).toBeGreaterThan(now.getTime());

    const consent = await tmp.db.consentRecord.findFirstOrThrow();
    expect(req.consentId).toBe(consent.id);
    expect(consent).toMatchObject({ channel: "console", userId: "user-chat-1", decision: "given", textVersion: "v1-test", operatorName: "АНО «Опора»", withdrawnAt: null });
    expect(consent.textHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(consent.purposes).length).toBeGreaterThan(0);
    expect(JSON.parse(consent.dataList)).toContain("phone");
    expect(JSON.parse(consent.recipients)[0]).toContain("Дети в семье");
    expect(consent.term).toContain("180");
    expect(consent.withdrawalMethod).toContain("/revoke");
    expect(consent.sourceUpdateId).toMatch(/^u\d+$/);
    expect(consent.givenAt.toISOString()).toBe(now.toISOString());

    const transcript = await tmp.db.transcriptMessage.findMany();
    // Everything typed after consent, the description first (it is asked after consent now).
    expect(transcript.map((m) => m.text)).toEqual(["Постоянные ссоры, не знаю, как говорить с сыном.", "Анна"]);
    expect(transcript[0]?.requestId).toBe(req.id);
    expect(await tmp.db.auditLog.count({ where: { action: "request.create" } })).toBe(1);
  });

  it("ignores a re-delivered update", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await p.send({ type: "start" }, "dup-1");
    const conv1 = await tmp.db.conversation.findFirstOrThrow();
    const res = await p.service.handle({ channel: "console", chatId: "chat-1", userId: "user-chat-1", updateKey: "dup-1" }, { type: "start" });
    expect(res).toEqual({ type: "duplicate" });
    const conv2 = await tmp.db.conversation.findFirstOrThrow();
    expect(conv2.seq).toBe(conv1.seq);
  });

  it("continues at the same step after a restart (new service, same file)", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await p.send({ type: "start" });
    await p.press("c:legal_docs");
    const options = p.options();
    await tmp.db.$disconnect();
    const db2 = await openDb(tmp.target);
    try {
      const p2 = new Person(makeService(db2, clock));
      p2.replies = p.replies;
      await p2.press("no");
      expect(p2.texts()).toContain("В каком регионе вы живёте");
      // The button pressed before the restart is stale now.
      await p2.send({ type: "option", token: options.find((o) => o.token.endsWith(".no"))!.token });
      expect(p2.texts()).toContain("уже позади");
    } finally {
      await db2.$disconnect();
    }
    tmp.db = await openDb(tmp.target);
  });

  it("keeps nothing personal when consent is declined", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await p.send({ type: "start" });
    await p.press("c:family_conflict");
    await p.press("no");
    await p.text("63");
    await p.text("Муж Иван постоянно кричит");
    await p.press("decline");
    expect(p.texts()).toContain("+7 846 000-00-00");
    expect(p.texts()).toContain("112");
    await p.text("ещё текст");
    expect(await tmp.db.consentRecord.count()).toBe(0);
    expect(await tmp.db.request.count()).toBe(0);
    expect(await tmp.db.transcriptMessage.count()).toBe(0);
    const conv = await tmp.db.conversation.findFirstOrThrow();
    expect(conv.state).not.toContain("Иван");
  });

  it("keeps nothing personal for someone under 18", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await p.send({ type: "start" });
    await p.text("меня бьют дома");
    await p.press("minor");
    expect(p.texts()).toContain("8-800-2000-122");
    await p.text("мой телефон 89991234567");
    expect(await tmp.db.request.count()).toBe(0);
    expect(await tmp.db.consentRecord.count()).toBe(0);
    const conv = await tmp.db.conversation.findFirstOrThrow();
    expect(conv.state).not.toContain("бьют");
    expect(conv.state).not.toContain("8999");
  });

  it("/status lists requests and /revoke erases personal data", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await walkToSummary(p);
    await p.press("submit");
    await p.text("Можно звонить после 19:00");
    await p.send({ type: "command", name: "status" });
    expect(p.texts()).toContain("63-00001");
    expect(p.texts()).toContain("1 заявка");

    await p.send({ type: "command", name: "revoke" });
    expect(p.texts()).toContain("Отозвать согласие");
    await p.press("revoke_yes");
    const revokeKey = p.lastKey;
    expect(p.texts()).toContain("удалены");

    const req = await tmp.db.request.findFirstOrThrow();
    expect(req).toMatchObject({ contactName: null, contactPhone: null, description: null, erasureReason: "withdrawal", status: "closed" });
    expect(req.personalDataErasedAt).not.toBeNull();
    const msgs = await tmp.db.transcriptMessage.findMany();
    expect(msgs.length).toBeGreaterThan(0);
    expect(msgs.every((m) => m.text === "" && m.erasedAt !== null)).toBe(true);
    const consent = await tmp.db.consentRecord.findFirstOrThrow();
    expect(consent.withdrawnAt).not.toBeNull();
    expect(consent.withdrawUpdateId).toBe(revokeKey);
    expect(consent.textHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await tmp.db.destructionLog.count({ where: { reason: "withdrawal", requestId: req.id } })).toBe(1);
    expect(await tmp.db.auditLog.count({ where: { action: "consent.withdraw" } })).toBe(1);
    const conv = await tmp.db.conversation.findFirstOrThrow();
    expect(conv.state).not.toContain("Анна");
    expect(conv.state).not.toContain("79991234567");
  });

  it("P0 at night: fast path, P0 request, sent to the 24/7 federal reserve with an honest promise", async () => {
    now = new Date("2026-03-02T20:00:00Z"); // midnight in Samara
    const p = new Person(makeService(tmp.db, clock));
    await p.text("Здравствуйте, муж избивает меня, я боюсь");
    expect(p.texts()).toContain("112");
    await p.press("unsafe");
    await p.text("Самара");
    await p.press("give");
    await p.text("+7 999 765-43-21");
    // The Samara center is closed; the 24/7 federal line takes it (tests/routing/night-routing.test.ts).
    expect(p.texts()).toContain("С вами свяжется дежурная служба до 01:00 по местному времени: Федеральная линия.");
    const req = await tmp.db.request.findFirstOrThrow();
    expect(req.urgency).toBe("P0");
    expect(req.queueId).toBe(ids.fallbackQueueId);
    expect(req.contactPhone).toBe("+79997654321");
    // Typed before consent, the words are not kept (design.md §4); the phrase is kept as a reason id.
    expect(req.description).toBeNull();
    expect(req.dueAt.getTime() - now.getTime()).toBe(3600_000);
  });

  it("a region without its own center goes to the federal fallback", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await p.send({ type: "start", payload: "67" });
    await p.press("c:legal_docs");
    await p.press("no");
    await p.press("give");
    await p.press("skip");
    await p.press("nophone");
    await p.press("submit");
    const req = await tmp.db.request.findFirstOrThrow();
    expect(req).toMatchObject({ number: "67-00001", queueId: ids.fallbackQueueId, routingReason: "federal_fallback", contactPhone: null, contactMethod: "message" });
  });
});
