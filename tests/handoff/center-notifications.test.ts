import { afterEach, describe, expect, it } from "vitest";
import { enqueueDueReminders } from "../../src/handoff/center-notifications.ts";
import { enqueueNewRequestNotices } from "../helpers/new-request-notices.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

const i18n = createI18n();
const deps = { i18n, publicBaseUrl: "https://opora.example", categoryLabel: (_l: string, c: string) => `cat:${c}` };
let t: TempDb | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

async function seedRequest(db: TempDb["db"], over: Partial<{ urgency: string; createdAt: Date; dueAt: Date; isTest: boolean }> = {}) {
  const center = await db.center.upsert({
    where: { key: "c1" },
    update: {},
    create: { key: "c1", regionCode: "63", name: "Центр", publicPhone: "+7 000 000-00-01", notifyTelegramChatId: "-1001", notifyMaxChatId: "555" },
  });
  const queue = await db.queue.upsert({ where: { key: "q1" }, update: {}, create: { key: "q1", centerId: center.id, name: "Очередь" } });
  const municipality = await db.municipality.upsert({
    where: { regionCode_key: { regionCode: "63", key: "syzran" } },
    update: {},
    create: { regionCode: "63", key: "syzran", name: "Сызрань" },
  });
  const count = await db.request.count();
  return db.request.create({
    data: {
      number: `63-${String(count + 1).padStart(5, "0")}`,
      channel: "telegram",
      categories: JSON.stringify(["violence", "housing"]),
      urgency: over.urgency ?? "P0",
      regionCode: "63",
      municipalityId: municipality.id,
      description: "Муж угрожает ножом, адрес ул. Ленина 5",
      contactName: "Марина Петрова",
      contactPhone: "+79991234567",
      queueId: queue.id,
      routingReason: "rule",
      routingExplanation: "test",
      isTest: over.isTest ?? false,
      createdAt: over.createdAt ?? new Date("2026-11-25T10:00:00Z"),
      dueAt: over.dueAt ?? new Date("2026-11-25T11:00:00Z"),
    },
  });
}

describe("operator notifications", () => {
  it("posts a new request to each linked chat of the center with a link and a Take button, without personal data", async () => {
    t = await createTempDb();
    const req = await seedRequest(t.db);
    const n = await t.db.$transaction((tx) => enqueueNewRequestNotices(tx, deps, req.id, new Date("2026-11-25T10:00:00Z")));
    expect(n).toBe(2);
    const rows = await t.db.outbox.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.channel, r.target])).toEqual([
      ["telegram", "-1001"],
      ["max", "555"],
    ]);
    const payload = JSON.parse(rows[0]!.payload) as { text: string; take: { data: string } };
    expect(payload.text).toContain(req.number);
    expect(payload.text).toContain("P0");
    expect(payload.text).toContain("cat:violence");
    expect(payload.text).toContain("Самарская область, Сызрань");
    expect(payload.text).toContain(`https://opora.example/requests/${req.number}`);
    expect(payload.take.data).toBe(`take:${req.number}`);
    for (const pd of ["Марина", "Петрова", "79991234567", "Ленина", "ножом"]) {
      expect(rows.map((r) => r.payload).join("")).not.toContain(pd);
    }
  });

  it("does not notify about test requests", async () => {
    t = await createTempDb();
    const req = await seedRequest(t.db, { isTest: true });
    expect(await t.db.$transaction((tx) => enqueueNewRequestNotices(tx, deps, req.id, new Date()))).toBe(0);
    expect(await t.db.outbox.count()).toBe(0);
  });

  it("reminds about an untaken P0 every 10 minutes until someone takes it, and once about an overdue request", async () => {
    t = await createTempDb();
    const p0 = await seedRequest(t.db, { urgency: "P0", dueAt: new Date("2026-11-26T10:00:00Z") });
    const p2 = await seedRequest(t.db, { urgency: "P2", dueAt: new Date("2026-11-25T10:30:00Z") });
    const at = (m: number) => new Date(Date.parse("2026-11-25T10:00:00Z") + m * 60_000);

    expect(await enqueueDueReminders(t.db, deps, at(5))).toBe(0);
    expect(await enqueueDueReminders(t.db, deps, at(12))).toBe(2); // P0 slot 1, both chats
    expect(await enqueueDueReminders(t.db, deps, at(15))).toBe(0); // same slot: nothing new
    expect(await enqueueDueReminders(t.db, deps, at(31))).toBe(4); // P0 slot 3 + P2 overdue, both chats
    expect(await enqueueDueReminders(t.db, deps, at(45))).toBe(2); // P0 slot 4 only; overdue told once

    const staff = await t.db.staffUser.create({ data: { email: "o@x", passwordHash: "x", name: "O", role: "operator" } });
    await t.db.request.update({ where: { id: p0.id }, data: { assigneeId: staff.id, status: "in_progress" } });
    expect(await enqueueDueReminders(t.db, deps, at(60))).toBe(0);

    const kinds = await t.db.outbox.groupBy({ by: ["kind", "requestId"], _count: true });
    expect(kinds).toEqual(
      expect.arrayContaining([
        { kind: "center_p0_reminder", requestId: p0.id, _count: 6 },
        { kind: "center_overdue_reminder", requestId: p2.id, _count: 2 },
      ]),
    );
  });
});
