// The raw SQLite path next to Prisma: one connection, one lock, dates Prisma can compare.
import { afterEach, describe, expect, it } from "vitest";
import { sqliteDateTime, sqliteOf } from "../../src/db/client.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

let t: TempDb | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const insertConversation = (chatId: string, at: Date) =>
  sqliteOf(t!.db).transaction((sql) => ({
    commit: true,
    value: sql.run(
      `INSERT INTO "Conversation" ("id", "channel", "chatId", "userId", "state", "stateVersion", "lastActivityAt", "updatedAt") VALUES (?, 'telegram', ?, 'u', '', 1, ?, ?)`,
      `id-${chatId}`,
      chatId,
      sqliteDateTime(at),
      sqliteDateTime(at),
    ),
  }));

describe("raw SQLite connection", () => {
  it("writes dates Prisma reads back and compares like its own", async () => {
    t = await createTempDb();
    await insertConversation("1", new Date("2026-11-01T10:00:00.123Z"));
    await insertConversation("2", new Date("2026-11-20T10:00:00.000Z"));
    await t.db.conversation.create({ data: { channel: "telegram", chatId: "3", userId: "u", state: "", stateVersion: 1, lastActivityAt: new Date("2026-11-10T00:00:00Z") } });
    const row = await t.db.conversation.findUnique({ where: { channel_chatId: { channel: "telegram", chatId: "1" } } });
    expect(row?.lastActivityAt.toISOString()).toBe("2026-11-01T10:00:00.123Z");
    const older = await t.db.conversation.findMany({ where: { lastActivityAt: { lt: new Date("2026-11-15T00:00:00Z") } }, orderBy: { chatId: "asc" } });
    expect(older.map((c) => c.chatId)).toEqual(["1", "3"]);
  });

  it("rolls back when told to or when the function throws", async () => {
    t = await createTempDb();
    const sqlite = sqliteOf(t.db);
    const insert = (sql: Parameters<Parameters<typeof sqlite.transaction>[0]>[0], chatId: string) =>
      sql.run(`INSERT INTO "Conversation" ("id", "channel", "chatId", "userId", "state", "stateVersion", "updatedAt") VALUES (?, 'max', ?, 'u', '', 1, '2026-01-01T00:00:00.000+00:00')`, chatId, chatId);
    expect(await sqlite.transaction((sql) => ({ commit: false, value: insert(sql, "a") }))).toBe(1);
    await expect(
      sqlite.transaction((sql) => {
        insert(sql, "b");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    await sqlite.transaction((sql) => ({ commit: true, value: insert(sql, "c") }));
    expect((await t.db.conversation.findMany()).map((c) => c.chatId)).toEqual(["c"]);
  });

  it("waits for an open Prisma transaction instead of writing into it", async () => {
    t = await createTempDb();
    const db = t.db;
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const prismaTx = db
      .$transaction(async (tx) => {
        await tx.conversation.create({ data: { channel: "telegram", chatId: "p", userId: "u", state: "", stateVersion: 1 } });
        order.push("prisma wrote");
        await gate;
        order.push("prisma done");
        throw new Error("rolled back on purpose");
      })
      .catch(() => order.push("prisma rolled back"));
    // Let the Prisma transaction begin and write before the raw one asks for the connection.
    while (!order.includes("prisma wrote")) await new Promise((r) => setTimeout(r, 1));
    const raw = insertConversation("r", new Date()).then(() => order.push("raw committed"));
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual(["prisma wrote"]);
    release();
    await Promise.all([prismaTx, raw]);
    expect(order.slice(0, 2)).toEqual(["prisma wrote", "prisma done"]);
    expect(order).toContain("raw committed");
    // The raw row survived the Prisma rollback; the Prisma row did not.
    expect((await db.conversation.findMany()).map((c) => c.chatId)).toEqual(["r"]);
  });

  it("joins an open Prisma transaction only from inside one", async () => {
    t = await createTempDb();
    const sqlite = sqliteOf(t.db);
    expect(() => sqlite.joinOpenTransaction()).toThrow(/no transaction/);
    await t.db
      .$transaction(async (tx) => {
        await tx.region.findFirst();
        sqlite
          .joinOpenTransaction()
          .run(`INSERT INTO "Conversation" ("id", "channel", "chatId", "userId", "state", "stateVersion", "updatedAt") VALUES ('j', 'max', 'j', 'u', '', 1, '2026-01-01T00:00:00.000+00:00')`);
        throw new Error("undo");
      })
      .catch(() => undefined);
    expect(await t.db.conversation.count()).toBe(0);
  });
});
