import { describe, expect, it } from "vitest";
import { createFamilyMessenger } from "../../src/handoff/family-messages.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { Browser, makeRequest, NOW } from "./helpers.ts";
import { webWorld } from "./web-world.ts";

const setup = webWorld();
const hour = 3600_000;

describe("operator queue", () => {
  it("lists P0 first, then most overdue, then oldest; hides test requests and other centers", async () => {
    const { app, w, db } = await setup();
    await makeRequest(db, { number: "63-00010", queueId: w.queues.samara, regionCode: "63", urgency: "P2", createdAt: new Date(NOW.getTime() - 50 * hour), dueAt: new Date(NOW.getTime() + 22 * hour) });
    await makeRequest(db, { number: "63-00011", queueId: w.queues.samara, regionCode: "63", urgency: "P1", createdAt: new Date(NOW.getTime() - 30 * hour), dueAt: new Date(NOW.getTime() - 6 * hour) });
    await makeRequest(db, { number: "63-00012", queueId: w.queues.samara, regionCode: "63", urgency: "P0", createdAt: new Date(NOW.getTime() - 5 * 60_000), dueAt: new Date(NOW.getTime() + 55 * 60_000), categories: ["child_danger"] });
    await makeRequest(db, { number: "63-00013", queueId: w.queues.samara, regionCode: "63", urgency: "P0", isTest: true });
    await makeRequest(db, { number: "67-00001", queueId: w.queues.smolensk, regionCode: "67", urgency: "P0" });
    await makeRequest(db, { number: "63-00014", queueId: w.queues.samara, regionCode: "63", status: "closed" });
    const b = new Browser(app);
    await b.login("op63@test.local");
    const res = await b.get("/queue");
    expect(res.statusCode).toBe(200);
    const order = [...res.body.matchAll(/data-number="([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(["63-00012", "63-00011", "63-00010"]);
    expect(res.body).toContain('class="banner-p0"');
    expect(res.body).toContain("Ребёнок в опасности");
    expect(res.body).toMatch(/class="late">просрочено на 6 ч/);
    const rows = await b.get("/queue/rows?urgency=P1");
    expect(rows.body).not.toContain("<html");
    expect([...rows.body.matchAll(/data-number="([^"]+)"/g)].map((m) => m[1])).toEqual(["63-00011"]);
    const cat = await b.get("/queue?category=child_danger");
    expect([...cat.body.matchAll(/data-number="([^"]+)"/g)].map((m) => m[1])).toEqual(["63-00012"]);
    const closed = await b.get("/queue?status=closed");
    expect([...closed.body.matchAll(/data-number="([^"]+)"/g)].map((m) => m[1])).toEqual(["63-00014"]);
  });

  it("rejects invalid filters", async () => {
    const { app } = await setup();
    const b = new Browser(app);
    await b.login("op63@test.local");
    expect((await b.get("/queue?urgency=P9")).statusCode).toBe(400);
    expect((await b.get("/queue?category=%3Cscript%3E")).statusCode).toBe(400);
  });
});

describe("request page and actions", () => {
  it("shows everything, escaping the family's text", async () => {
    const { app, w, db } = await setup();
    const r = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", description: '<script>alert("x")</script><b>bold</b>' });
    const b = new Browser(app);
    await b.login("op63@test.local");
    const res = await b.get(`/requests/${r.number}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain("<script>alert");
    expect(res.body).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;");
    expect(res.body).toContain("+79990000000");
    expect(res.body).toContain("вечером");
    expect(res.body).toContain("Очередь региона по умолчанию");
  });

  it("shows the triage answers in words, not the dialog's keys", async () => {
    const { app, w, db } = await setup();
    const answers = {
      dangerNow: false,
      checks: { housing: true, burnout: false },
      safeNow: null,
      familyFlags: ["single_parent", "child_under_4"],
      urgentPath: false,
      redFlag: "P1",
      locale: "ru",
      futureKey: "kept as stored",
    };
    const r = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", answers });
    const b = new Browser(app);
    await b.login("op63@test.local");
    const body = (await b.get(`/requests/${r.number}`)).body;
    const triage = body.slice(body.indexOf("Ответы в диалоге"), body.indexOf("Почему заявка здесь"));
    const rows = [...triage.matchAll(/<dt>([^<]*)<\/dt><dd>([^<]*)<\/dd>/g)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual([
      ["Опасность прямо сейчас", "нет"],
      ["Негде ночевать", "да"],
      ["Страх навредить ребёнку или себе", "нет"],
      ["Сейчас в безопасности", "—"],
      ["Особенности семьи", "один родитель, ребёнок до 4 лет"],
      ["Срочный путь диалога", "нет"],
      ["Тревожные слова в сообщениях", "срочность не ниже P1"],
      ["Язык диалога", "Русский"],
      ["futureKey", "kept as stored"],
    ]);
    expect(triage).not.toContain("dangerNow");
  });

  it("answers 404 for another center's request, for reads and for actions", async () => {
    const { app, w, db } = await setup();
    const r = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
    const b = new Browser(app);
    await b.login("op67@test.local");
    expect((await b.get(`/requests/${r.number}`)).statusCode).toBe(404);
    expect((await b.get("/requests/63-99999")).statusCode).toBe(404);
    const take = await b.postForm(`/requests/${r.number}/take`, {}, "/queue");
    expect(take.statusCode).toBe(404);
    expect((await db.request.findUniqueOrThrow({ where: { id: r.id } })).assigneeId).toBeNull();
    // The regional admin of 67 cannot see it either; the one of 63 can.
    const a67 = new Browser(app);
    await a67.login("admin67@test.local");
    expect((await a67.get(`/requests/${r.number}`)).statusCode).toBe(404);
    const a63 = new Browser(app);
    await a63.login("admin63@test.local");
    expect((await a63.get(`/requests/${r.number}`)).statusCode).toBe(200);
  });

  it("take, note, could-not-reach, contacted, resolved — each with its audit row", async () => {
    const { app, w, db } = await setup();
    const r = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", urgency: "P1" });
    const b = new Browser(app);
    await b.login("op63@test.local");
    const page = `/requests/${r.number}`;
    expect((await b.postForm(`${page}/take`, {}, page)).statusCode).toBe(303);
    let row = await db.request.findUniqueOrThrow({ where: { id: r.id } });
    expect(row).toMatchObject({ assigneeId: w.ids.opSamara, status: "in_progress" });
    expect(row.takenAt).toEqual(NOW);

    expect((await b.postForm(`${page}/notes`, { text: "Позвонила, <не> ответили" }, page)).statusCode).toBe(303);
    expect((await b.postForm(`${page}/notes`, { text: "   " }, page)).statusCode).toBe(400);
    expect((await b.postForm(`${page}/status`, { status: "unreachable" }, page)).statusCode).toBe(303);
    expect((await b.postForm(`${page}/status`, { status: "unreachable" }, page)).statusCode).toBe(303);
    expect((await b.postForm(`${page}/status`, { status: "contacted" }, page)).statusCode).toBe(303);
    expect((await b.postForm(`${page}/status`, { status: "new" }, page)).statusCode).toBe(409);
    // Closing needs an outcome and a confirmation.
    expect((await b.postForm(`${page}/status`, { status: "resolved" }, page)).statusCode).toBe(400);
    expect((await b.postForm(`${page}/close`, { outcome: "helped_phone" }, page)).statusCode).toBe(400);
    expect((await b.postForm(`${page}/close`, { confirm: "yes" }, page)).statusCode).toBe(400);
    expect((await db.request.findUniqueOrThrow({ where: { id: r.id } })).status).toBe("contacted");
    expect((await b.postForm(`${page}/close`, { outcome: "helped_phone", confirm: "yes" }, page)).statusCode).toBe(303);
    row = await db.request.findUniqueOrThrow({ where: { id: r.id } });
    expect(row).toMatchObject({ status: "resolved", unreachableCount: 2, outcome: "helped_phone" });
    expect(row.firstContactAt).toEqual(NOW);
    expect(row.closedAt).toEqual(NOW);
    const audit = await db.auditLog.findMany({ where: { requestId: r.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual([
      "request.take",
      "request.note",
      "request.status",
      "request.status",
      "request.status",
      "request.close",
    ]);
    expect(audit.every((a) => a.actorId === w.ids.opSamara && a.regionCode === "63")).toBe(true);
    expect(audit.some((a) => a.details.includes("<не>"))).toBe(false);
    const shown = await b.get(page);
    expect(shown.body).toContain("Позвонила, &lt;не&gt; ответили");
    expect(shown.body).toContain("не дозвонились 2 раз");
  });

  it("refuses an action without CSRF", async () => {
    const { app, w, db } = await setup();
    const r = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
    const b = new Browser(app);
    await b.login("op63@test.local");
    const res = await b.post(`/requests/${r.number}/take`, {});
    expect(res.statusCode).toBe(403);
    expect((await db.request.findUniqueOrThrow({ where: { id: r.id } })).assigneeId).toBeNull();
  });

  it("does not let a second operator take a taken request, and only the assignee releases", async () => {
    const { app, w, db } = await setup();
    const r = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
    const a = new Browser(app);
    await a.login("op63@test.local");
    const admin = new Browser(app);
    await admin.login("admin63@test.local");
    const page = `/requests/${r.number}`;
    await a.postForm(`${page}/take`, {}, page);
    expect((await admin.postForm(`${page}/take`, {}, page)).statusCode).toBe(409);
    expect((await admin.postForm(`${page}/release`, {}, page)).statusCode).toBe(409);
    expect((await a.postForm(`${page}/release`, {}, page)).statusCode).toBe(303);
    expect((await db.request.findUniqueOrThrow({ where: { id: r.id } })).assigneeId).toBeNull();
  });

  it("transfers only to an active queue of the same region, with a reason", async () => {
    const { app, w, db } = await setup();
    const r = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
    const syzran = await db.queue.findUniqueOrThrow({ where: { key: "samara-team-syzran" } });
    const b = new Browser(app);
    await b.login("op63@test.local");
    const page = `/requests/${r.number}`;
    expect((await b.postForm(`${page}/transfer`, { queueId: w.queues.smolensk, reason: "x" }, page)).statusCode).toBe(400);
    expect((await b.postForm(`${page}/transfer`, { queueId: syzran.id, reason: " " }, page)).statusCode).toBe(400);
    expect((await b.postForm(`${page}/transfer`, { queueId: syzran.id, reason: "Семья живёт в Сызрани" }, page)).statusCode).toBe(303);
    expect((await db.request.findUniqueOrThrow({ where: { id: r.id } })).queueId).toBe(syzran.id);
    const audit = await db.auditLog.findFirstOrThrow({ where: { requestId: r.id, action: "request.transfer" } });
    expect(JSON.parse(audit.details)).toEqual({ fromQueueId: w.queues.samara, toQueueId: syzran.id });
    // Now outside the operator's center: 404.
    expect((await b.get(page)).statusCode).toBe(404);
  });
});

describe("safe contact", () => {
  it("an 'unsafe' or 'write only' family: a warning on the page, a mark in the queue, and no one-tap call link", async () => {
    const { app, w, db } = await setup();
    const unsafe = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", urgency: "P0", answers: { safeNow: "unsafe", dangerNow: true } });
    const writeOnly = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
    await db.request.update({ where: { id: writeOnly.id }, data: { contactMethod: "message" } });
    const ordinary = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", answers: { safeNow: "safe" } });
    const b = new Browser(app);
    await b.login("op63@test.local");

    const page = (await b.get(`/requests/${unsafe.number}`)).body;
    expect(page).toContain("Осторожно со звонком");
    expect(page).toContain("Семья ответила «Мне небезопасно»");
    // The only call link sits inside the "call anyway" step, after its warning.
    const links = [...page.matchAll(/href="tel:/g)];
    expect(links).toHaveLength(1);
    const details = page.slice(page.indexOf('<details class="call-anyway">'), page.indexOf("</details>", page.indexOf('<details class="call-anyway">')));
    expect(details).toContain("Всё равно позвонить");
    expect(details).toContain("Звоните, только если без этого нельзя");
    expect(details).toContain('href="tel:+79990000000"');

    const wo = (await b.get(`/requests/${writeOnly.number}`)).body;
    expect(wo).toContain("Семья просила писать, а не звонить.");
    expect(wo).not.toContain("Мне небезопасно");
    expect(wo).toMatch(/<details class="call-anyway">[\s\S]*href="tel:/);

    const plain = (await b.get(`/requests/${ordinary.number}`)).body;
    expect(plain).not.toContain("call-anyway");
    expect(plain).not.toContain("Осторожно со звонком");
    expect(plain).toContain('<a href="tel:+79990000000">');

    const queue = (await b.get("/queue")).body;
    const rowOf = (n: string) => {
      const start = queue.indexOf(`data-number="${n}"`);
      return queue.slice(start, queue.indexOf("</tr>", start));
    };
    expect(rowOf(unsafe.number)).toContain("⚠ Небезопасно");
    expect(rowOf(writeOnly.number)).toContain("✉ Только писать");
    expect(rowOf(ordinary.number)).not.toContain('class="caution"');
  });
});

describe("the request page for the call", () => {
  async function withFamily() {
    const { app, w, db } = await setup({ family: createFamilyMessenger({ i18n: createI18n() }) });
    const conv = await db.conversation.create({ data: { channel: "telegram", chatId: "9001", userId: "9001", state: "{}", stateVersion: 1, locale: "ru" } });
    const r = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", urgency: "P1", createdAt: NOW, dueAt: new Date(NOW.getTime() + 24 * hour) });
    await db.request.update({ where: { id: r.id }, data: { conversationId: conv.id } });
    const b = new Browser(app);
    await b.login("op63@test.local");
    return { db, r, b, page: `/requests/${r.number}` };
  }

  it("shows what the family was told, in the family's time, and the thread above the message box", async () => {
    const { b, page } = await withFamily();
    const body = (await b.get(page)).body;
    expect(body).toMatch(/id="family-told">обещано: в течение суток · до 13\.03, 13:00 GMT\+4/);
    expect(body).toMatch(/id="request-timezone">[^<]*Europe\/Samara \(GMT\+4\)/);
    const thread = body.indexOf('id="transcript-live"');
    const box = body.indexOf('name="send-message"');
    expect(thread).toBeGreaterThan(0);
    expect(box).toBeGreaterThan(thread);
  });

  it("«Не дозвонились» offers a message asking when to call, and it goes to the family through the outbox", async () => {
    const { db, r, b, page } = await withFamily();
    expect((await b.get(page)).body).not.toContain('id="unreachable-offer"');
    expect((await b.postForm(`${page}/status`, { status: "unreachable" }, page)).statusCode).toBe(303);
    const body = (await b.get(page)).body;
    expect(body).toContain("Не дозвонились. Написать семье, чтобы узнать, когда удобно позвонить?");
    const text = /id="unreachable-offer">[\s\S]*?<textarea name="text"[^>]*>([^<]*)<\/textarea>/.exec(body)?.[1] ?? "";
    expect(text).toContain("Напишите, пожалуйста, когда вам удобно поговорить");
    expect((await b.postForm(`${page}/message`, { text }, page)).statusCode).toBe(303);
    const out = await db.outbox.findMany({ where: { requestId: r.id, kind: "family_relay" } });
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!.payload).text).toContain("когда вам удобно поговорить");
  });

  it("closing asks for an outcome and a confirmation; the family gets a kind closing message once", async () => {
    const { db, r, b, page } = await withFamily();
    const form = (await b.get(page)).body;
    expect(form).toContain(`action="/requests/${r.number}/close"`);
    for (const o of ["помогли по телефону", "направили в другую службу", "семья отказалась", "не удалось связаться"]) expect(form).toContain(o);
    expect(form).not.toMatch(/name="status" value="(closed|resolved)"/);
    // Referred without saying where: refused with a message next to the form, nothing changes.
    const bad = await b.postForm(`${page}/close`, { outcome: "referred", confirm: "yes", referral: " " }, page);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Укажите, куда направили семью.");
    expect(bad.body).toMatch(/value="referred" required checked/);
    const unconfirmed = await b.postForm(`${page}/close`, { outcome: "referred", referral: "КЦСОН Сызрани" }, page);
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain("Отметьте «Да, закрыть заявку»");
    expect(unconfirmed.body).toContain('value="КЦСОН Сызрани"');
    expect((await db.request.findUniqueOrThrow({ where: { id: r.id } })).status).toBe("new");
    expect(await db.outbox.count({ where: { requestId: r.id } })).toBe(0);

    expect((await b.postForm(`${page}/close`, { outcome: "referred", confirm: "yes", referral: "КЦСОН Сызрани" }, page)).statusCode).toBe(303);
    const row = await db.request.findUniqueOrThrow({ where: { id: r.id }, include: { notes: true } });
    expect(row).toMatchObject({ status: "resolved", outcome: "referred" });
    expect(row.closedAt).toEqual(NOW);
    expect(row.notes.map((n) => n.text)).toEqual(["КЦСОН Сызрани"]);
    const audit = await db.auditLog.findFirstOrThrow({ where: { requestId: r.id, action: "request.close" } });
    expect(JSON.parse(audit.details)).toEqual({ from: "new", to: "resolved", outcome: "referred" });
    const out = await db.outbox.findMany({ where: { requestId: r.id } });
    // The closing message, then the optional "did this help?" question (tests/handoff/help-rating.test.ts).
    expect(out.map((o) => o.kind)).toEqual(["family_closed", "family_rating"]);
    expect(JSON.parse(out[0]!.payload).text).toMatch(/^Спасибо, что написали нам\. Мы закрыли обращение № 63-/);
    // A second close changes nothing and sends nothing.
    expect((await b.postForm(`${page}/close`, { outcome: "declined", confirm: "yes" }, `/queue`)).statusCode).toBe(409);
    expect(await db.outbox.count({ where: { requestId: r.id } })).toBe(2);
    const shown = (await b.get(page)).body;
    expect(shown).toContain("Итог");
    expect(shown).not.toContain('id="close-form"');
  });
});
