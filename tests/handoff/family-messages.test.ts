// Operators write to the family from the request page; the family hears when the request is taken
// and closed; a blocked chat is shown and nothing is queued for it.
import { describe, expect, it } from "vitest";
import { createFamilyMessenger } from "../../src/handoff/family-messages.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { Browser, buildAdminTestApp, makeRequest } from "../web/helpers.ts";
import { seededDbPerTest } from "../web/seeded-db.ts";

const seeded = seededDbPerTest();

async function setup(channel = "telegram") {
  const t = await seeded();
  const w = t.w;
  const app = await buildAdminTestApp({ db: t.db, family: createFamilyMessenger({ i18n: createI18n() }) });
  const conv = await t.db.conversation.create({ data: { channel, chatId: "9001", userId: "9001", state: "{}", stateVersion: 1, locale: "ru" } });
  const r = await makeRequest(t.db, { queueId: w.queues.samara, regionCode: "63" });
  await t.db.request.update({ where: { id: r.id }, data: { conversationId: conv.id, channel } });
  const b = new Browser(app);
  await b.login("op63@test.local");
  return { db: t.db, r, conv, b };
}

describe("talking to the family", () => {
  it("relays the operator's message to the family's chat as a message from the center, and keeps it in the transcript", async () => {
    const { db, r, b } = await setup();
    const page = `/requests/${r.number}`;
    expect((await b.get(page)).body).toContain(`action="/requests/${r.number}/message"`);
    const res = await b.postForm(`${page}/message`, { text: "Здравствуйте! Удобно ли поговорить в 18:00?" }, page);
    expect(res.statusCode).toBe(303);
    const out = await db.outbox.findMany({ where: { kind: "family_relay" } });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ channel: "telegram", target: "9001", requestId: r.id });
    expect(JSON.parse(out[0]!.payload).text).toMatch(/^Специалист — .+: Здравствуйте! Удобно ли поговорить в 18:00\?$/);
    const transcript = await db.transcriptMessage.findMany({ where: { requestId: r.id } });
    expect(transcript.map((m) => [m.direction, m.text])).toEqual([["operator", "Здравствуйте! Удобно ли поговорить в 18:00?"]]);
    expect(await db.auditLog.count({ where: { action: "request.relay", requestId: r.id } })).toBe(1);

    const empty = await b.postForm(`${page}/message`, { text: "   " }, page);
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain("Сообщение пустое");
  });

  it("tells the family once when the request is taken and when it is closed", async () => {
    const { db, r, b } = await setup("max");
    const page = `/requests/${r.number}`;
    expect((await b.postForm(`${page}/take`, {}, page)).statusCode).toBe(303);
    expect((await b.postForm(`${page}/release`, {}, page)).statusCode).toBe(303);
    expect((await b.postForm(`${page}/take`, {}, page)).statusCode).toBe(303);
    expect((await b.postForm(`${page}/close`, { outcome: "declined", confirm: "yes" }, page)).statusCode).toBe(303);
    const out = await db.outbox.findMany({ orderBy: { id: "asc" } });
    expect(out.map((o) => [o.kind, o.channel, o.target])).toEqual([
      ["family_taken", "max", "9001"],
      ["family_closed", "max", "9001"],
      // The optional "did this help?" question (tests/handoff/help-rating.test.ts).
      ["family_rating", "max", "9001"],
    ]);
    expect(JSON.parse(out[0]!.payload).text).toContain(r.number);
  });

  it("shows a blocked chat, offers no message form, refuses to queue, and shows failing deliveries", async () => {
    const { db, r, conv, b } = await setup();
    await db.outbox.create({ data: { idempotencyKey: "x", kind: "family_relay", channel: "telegram", target: "9001", payload: "{}", requestId: r.id, status: "dead", attempts: 10, lastError: "HTTP_500" } });
    await db.conversation.update({ where: { id: conv.id }, data: { blockedAt: new Date() } });
    const page = `/requests/${r.number}`;
    const html = (await b.get(page)).body;
    expect(html).toContain("заблокировала бота");
    expect(html).not.toContain(`/requests/${r.number}/message"`);
    expect(html).toContain("Не удаётся доставить сообщения");
    expect(html).toContain("HTTP_500");
    const res = await b.postForm(`${page}/message`, { text: "Алло" }, page);
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain("Позвоните семье");
    expect(await db.outbox.count({ where: { kind: "family_relay", status: "pending" } })).toBe(0);
  });
});

describe("the transcript refreshes without a reload", () => {
  it("serves the request's messages as a fragment, escaped, only to those who may see the request", async () => {
    const { db, r, conv, b } = await setup();
    await db.transcriptMessage.create({ data: { conversationId: conv.id, requestId: r.id, direction: "in", text: "Перезвоните после 19:00 <b>пожалуйста</b>" } });
    const page = await b.get(`/requests/${r.number}`);
    expect(page.body).toContain(`data-src="/requests/${r.number}/transcript"`);
    const fragment = await b.get(`/requests/${r.number}/transcript`);
    expect(fragment.statusCode).toBe(200);
    expect(fragment.body).not.toContain("<html");
    expect(fragment.body).toContain("Перезвоните после 19:00 &lt;b&gt;пожалуйста&lt;/b&gt;");
    const other = new Browser(b.app);
    await other.login("op67@test.local");
    expect((await other.get(`/requests/${r.number}/transcript`)).statusCode).toBe(404);
  });
});
