import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.ts";
import { purgeExpiredPersonalData } from "../../src/requests/retention-purge.ts";
import { createTempDb, type TempDb, testEngine } from "../helpers/temp-db.ts";

const log = createLogger({ level: "silent" });
let t: TempDb | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

function fileBytes(file: string): Buffer {
  const parts = [readFileSync(file)];
  try {
    parts.push(readFileSync(`${file}-wal`));
  } catch {
    // no WAL file: nothing more to search
  }
  return Buffer.concat(parts);
}

describe("retention purge", () => {
  it("erases personal data of requests closed longer ago than the term, keeps statistics, and leaves no trace in the file", async () => {
    t = await createTempDb();
    const db = t.db;
    const center = await db.center.create({ data: { key: "c", regionCode: "67", name: "C", publicPhone: "+7 000" } });
    const queue = await db.queue.create({ data: { key: "q", centerId: center.id, name: "Q" } });
    const conv = await db.conversation.create({ data: { channel: "telegram", chatId: "42", userId: "42", state: "{}", stateVersion: 1 } });
    const base = {
      channel: "telegram",
      conversationId: conv.id,
      categories: '["housing"]',
      urgency: "P1",
      regionCode: "67",
      queueId: queue.id,
      routingReason: "region_default",
      routingExplanation: "x",
      dueAt: new Date("2026-01-02T00:00:00Z"),
    };
    const old = await db.request.create({
      data: { ...base, number: "67-00001", status: "closed", closedAt: new Date("2026-03-01T00:00:00Z"), contactName: "Зинаида Уникальная", contactPhone: "+79997654321", description: "Описание-маркер-старое" },
    });
    const recent = await db.request.create({
      data: { ...base, number: "67-00002", status: "closed", closedAt: new Date("2026-11-01T00:00:00Z"), contactName: "Свежая", contactPhone: "+79990001122", description: "Описание-маркер-новое" },
    });
    const open = await db.request.create({ data: { ...base, number: "67-00003", status: "new", contactPhone: "+79993334455" } });
    await db.transcriptMessage.create({ data: { conversationId: conv.id, requestId: old.id, direction: "in", text: "Текст-маркер-переписки" } });
    const staff = await db.staffUser.create({ data: { email: "a@b", passwordHash: "x", name: "S", role: "operator" } });
    await db.note.create({ data: { requestId: old.id, authorId: staff.id, text: "Заметка-маркер" } });

    const n = await purgeExpiredPersonalData({ db, log, clock: () => new Date("2026-11-25T00:00:00Z"), retentionDays: 180 });
    expect(n).toBe(1);
    const after = await db.request.findUniqueOrThrow({ where: { id: old.id } });
    expect(after).toMatchObject({ contactName: null, contactPhone: null, description: null, erasureReason: "retention", categories: '["housing"]', urgency: "P1", status: "closed" });
    expect((await db.request.findUniqueOrThrow({ where: { id: recent.id } })).contactPhone).toBe("+79990001122");
    expect((await db.request.findUniqueOrThrow({ where: { id: open.id } })).contactPhone).toBe("+79993334455");
    expect(await db.destructionLog.findMany()).toEqual([expect.objectContaining({ reason: "retention", requestId: old.id, byWhom: "system", subject: "telegram:42" })]);
    expect(await db.auditLog.count({ where: { action: "request.erase_retention", requestId: old.id } })).toBe(1);

    // The file's bytes: SQLite only (what PostgreSQL keeps on disk: README, erasure).
    const bytes = testEngine() === "sqlite" ? fileBytes(t.file) : Buffer.from("Описание-маркер-новое");
    for (const marker of ["Зинаида Уникальная", "79997654321", "Описание-маркер-старое", "Текст-маркер-переписки", "Заметка-маркер"]) {
      expect(bytes.includes(Buffer.from(marker, "utf8")), marker).toBe(false);
    }
    expect(bytes.includes(Buffer.from("Описание-маркер-новое", "utf8"))).toBe(true);

    // A second pass finds nothing more to do.
    expect(await purgeExpiredPersonalData({ db, log, clock: () => new Date("2026-11-25T00:00:00Z"), retentionDays: 180 })).toBe(0);
  });
});

describe("abandoned dialogs", () => {
  it("forgets what an unfinished dialog collected after a week of silence, and leaves recent ones alone", async () => {
    const { makeService, Person, seedRouting, walkToConsent } = await import("../dialog/db-fixture.ts");
    t = await createTempDb();
    await seedRouting(t.db);
    let now = new Date("2026-03-02T06:00:00Z");
    const service = makeService(t.db, () => now);
    const walk = async (chatId: string) => {
      const p = new Person(service, chatId);
      await walkToConsent(p);
      await p.press("give");
      await p.text("Описание-брошенного-диалога");
    };
    await walk("old");
    now = new Date("2026-03-08T06:00:00Z");
    await walk("recent");
    const purgeAt = new Date("2026-03-10T06:00:00Z");
    await purgeExpiredPersonalData({ db: t.db, log, clock: () => purgeAt, retentionDays: 180 });
    const old = await t.db.conversation.findUniqueOrThrow({ where: { channel_chatId: { channel: "console", chatId: "old" } } });
    const recent = await t.db.conversation.findUniqueOrThrow({ where: { channel_chatId: { channel: "console", chatId: "recent" } } });
    expect(old.state).not.toContain("Описание-брошенного-диалога");
    expect(recent.state).toContain("Описание-брошенного-диалога");
    if (testEngine() !== "sqlite") return;
    const bytes = fileBytes(t.file).toString("utf8");
    expect(bytes.split("Описание-брошенного-диалога").length - 1).toBeGreaterThan(0); // the recent one only
  });
});
