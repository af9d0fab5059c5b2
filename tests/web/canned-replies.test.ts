// Canned replies: a region's admins keep them per center; the center's operators pick them in the
// message box with the center's name and their own first name filled in.
import { describe, expect, it } from "vitest";
import { fillCannedReply, firstName } from "../../src/requests/canned-replies.ts";
import { createFamilyMessenger } from "../../src/handoff/family-messages.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { Browser, makeRequest } from "./helpers.ts";
import { webWorld } from "./web-world.ts";

const world = webWorld({ family: createFamilyMessenger({ i18n: createI18n() }) });

async function setup() {
  const { app, w, db } = await world();
  const samara = await db.center.findUniqueOrThrow({ where: { key: "samara-deti-v-seme" } });
  const smolensk = await db.center.findUniqueOrThrow({ where: { key: "smolensk-vyhod-est" } });
  return { app, w, db, samara, smolensk };
}

describe("canned replies", () => {
  it("fills placeholders and leaves other braces alone", () => {
    expect(fillCannedReply("Здравствуйте! Это {operator}, «{center}». {x}", { center: "Дети в семье", operator: "Мария" })).toBe(
      "Здравствуйте! Это Мария, «Дети в семье». {x}",
    );
    expect(firstName("  Мария Ивановна ")).toBe("Мария");
  });

  it("an admin adds, edits and deletes a center's reply; the operator picks it with the names filled in", async () => {
    const { app, w, db, samara } = await setup();
    const conv = await db.conversation.create({ data: { channel: "telegram", chatId: "9001", userId: "9001", state: "{}", stateVersion: 1, locale: "ru" } });
    const r = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
    await db.request.update({ where: { id: r.id }, data: { conversationId: conv.id } });
    const admin = new Browser(app);
    await admin.login("admin63@test.local");
    const list = await admin.get("/admin/63/replies");
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain(samara.name);
    const created = await admin.postForm("/admin/63/replies", { centerId: samara.id, title: "Когда позвонить", text: "Здравствуйте! Это {operator} из «{center}». Когда вам удобно поговорить?" }, "/admin/63/replies");
    expect(created.statusCode).toBe(303);
    const row = await db.cannedReply.findFirstOrThrow({ where: { centerId: samara.id } });
    expect(await db.auditLog.count({ where: { action: "canned_reply.create", entityId: row.id } })).toBe(1);

    const op = new Browser(app);
    await op.login("op63@test.local");
    const page = (await op.get(`/requests/${r.number}`)).body;
    expect(page).toContain('<select id="canned-reply"');
    expect(page).toContain(`Здравствуйте! Это op63 из «${samara.name.replaceAll('"', "&quot;")}». Когда вам удобно поговорить?`);
    expect(page).not.toContain("{operator}");

    expect((await admin.postForm(`/admin/63/replies/${row.id}`, { title: "Когда позвонить", text: "Новый текст" }, "/admin/63/replies")).statusCode).toBe(303);
    expect((await db.cannedReply.findUniqueOrThrow({ where: { id: row.id } })).text).toBe("Новый текст");
    expect((await admin.postForm(`/admin/63/replies/${row.id}/delete`, {}, "/admin/63/replies")).statusCode).toBe(303);
    expect(await db.cannedReply.count()).toBe(0);
    expect((await op.get(`/requests/${r.number}`)).body).not.toContain('id="canned-reply"');
  });

  it("bad input: a Russian message next to the field, nothing saved, the input kept", async () => {
    const { app, db, samara } = await setup();
    const admin = new Browser(app);
    await admin.login("admin63@test.local");
    const post = (form: Record<string, string>) => admin.postForm("/admin/63/replies", { centerId: samara.id, ...form }, "/admin/63/replies");
    const empty = await post({ title: "  ", text: "Текст остаётся" });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain("Заполните поле.");
    expect(empty.body).toContain("Текст остаётся");
    const long = await post({ title: "Длинный", text: "я".repeat(1001) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain("Слишком длинно.");
    const script = await post({ title: "<script>alert(1)</script>", text: "Текст" });
    expect(script.statusCode).toBe(400);
    expect(script.body).toContain("Уберите знаки «&lt;» и «&gt;»");
    expect(script.body).not.toContain("<script>alert(1)");
    const wrongType = await admin.postForm("/admin/63/replies", { centerId: samara.id, title: ["a", "b"] as unknown as string, text: "x" }, "/admin/63/replies");
    expect(wrongType.statusCode).toBe(400);
    expect(await db.cannedReply.count()).toBe(0);
    expect((await post({ title: "Привет", text: "Здравствуйте" })).statusCode).toBe(303);
    const dup = await post({ title: "Привет", text: "Другой текст" });
    expect(dup.statusCode).toBe(400);
    expect(dup.body).toContain("уже есть шаблон с таким названием");
    expect(dup.body).toContain("Другой текст");
    expect(await db.cannedReply.count()).toBe(1);
  });

  it("another region's admin and operators cannot see or change them", async () => {
    const { app, db, samara, smolensk } = await setup();
    const row = await db.cannedReply.create({ data: { centerId: samara.id, title: "Привет", text: "Здравствуйте" } });
    const a67 = new Browser(app);
    await a67.login("admin67@test.local");
    expect((await a67.get("/admin/63/replies")).statusCode).toBe(404);
    // Through their own region's URL: another region's reply or center is not found.
    expect((await a67.postForm(`/admin/67/replies/${row.id}`, { title: "x", text: "y" }, "/admin/67/replies")).statusCode).toBe(404);
    expect((await a67.postForm(`/admin/67/replies/${row.id}/delete`, {}, "/admin/67/replies")).statusCode).toBe(404);
    expect((await a67.postForm("/admin/67/replies", { centerId: samara.id, title: "x", text: "y" }, "/admin/67/replies")).statusCode).toBe(404);
    expect((await a67.postForm("/admin/67/replies", { centerId: smolensk.id, title: "x", text: "y" }, "/admin/67/replies")).statusCode).toBe(303);
    const op = new Browser(app);
    await op.login("op63@test.local");
    expect((await op.get("/admin/63/replies")).statusCode).toBe(404);
    expect(await db.cannedReply.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ title: "Привет", text: "Здравствуйте" });
  });
});
