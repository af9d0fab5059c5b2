import { afterEach, describe, expect, it } from "vitest";
import {
  issueCenterChatCode,
  issueStaffAccountCode,
  linkCenterChat,
  linkStaffAccount,
  takeFromChat,
} from "../../src/handoff/linking.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

let t: TempDb | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});
const now = new Date("2026-11-25T10:00:00Z");

async function seed(db: TempDb["db"]) {
  const centerA = await db.center.create({ data: { key: "a", regionCode: "63", name: "A", publicPhone: "+7 000" } });
  const centerB = await db.center.create({ data: { key: "b", regionCode: "63", name: "B", publicPhone: "+7 000" } });
  const queueA = await db.queue.create({ data: { key: "qa", centerId: centerA.id, name: "QA" } });
  const opA = await db.staffUser.create({ data: { email: "a@x", passwordHash: "x", name: "Оператор А", role: "operator" } });
  const opB = await db.staffUser.create({ data: { email: "b@x", passwordHash: "x", name: "Оператор Б", role: "operator" } });
  await db.centerMembership.create({ data: { userId: opA.id, centerId: centerA.id } });
  await db.centerMembership.create({ data: { userId: opB.id, centerId: centerB.id } });
  const req = await db.request.create({
    data: { number: "63-00001", channel: "telegram", categories: "[]", urgency: "P0", regionCode: "63", queueId: queueA.id, routingReason: "rule", routingExplanation: "x", dueAt: now },
  });
  return { centerA, opA, opB, req };
}

describe("linking chats and accounts", () => {
  it("links a group chat to a center with a one-time code that cannot be reused or used late", async () => {
    t = await createTempDb();
    const { centerA, opA } = await seed(t.db);
    const code = await issueCenterChatCode(t.db, "telegram", "-100777", now);
    expect(code).toMatch(/^[A-Z2-9]{8}$/);
    const typed = `${code.slice(0, 4).toLowerCase()} ${code.slice(4)}`; // people type codes loosely
    expect(await linkCenterChat(t.db, { code: typed, centerId: centerA.id, actorId: opA.id, now })).toEqual({
      type: "ok",
      value: { channel: "telegram", chatId: "-100777" },
    });
    expect((await t.db.center.findUniqueOrThrow({ where: { id: centerA.id } })).notifyTelegramChatId).toBe("-100777");
    expect((await linkCenterChat(t.db, { code, centerId: centerA.id, actorId: opA.id, now })).type).toBe("used");
    expect((await linkCenterChat(t.db, { code: "NOPE2345", centerId: centerA.id, actorId: opA.id, now })).type).toBe("invalid");
    const late = await issueCenterChatCode(t.db, "max", "555", now);
    const later = new Date(now.getTime() + 31 * 60_000);
    expect((await linkCenterChat(t.db, { code: late, centerId: centerA.id, actorId: opA.id, now: later })).type).toBe("expired");
  });

  it("lets a linked member take a request from the chat, and refuses strangers and other centers' operators", async () => {
    t = await createTempDb();
    const { opA, opB, req } = await seed(t.db);
    expect((await takeFromChat(t.db, { channel: "telegram", messengerUserId: "1001", requestNumber: req.number, now })).type).toBe("not_linked");

    const codeB = await issueStaffAccountCode(t.db, opB.id, "telegram", now);
    expect((await linkStaffAccount(t.db, { code: codeB, channel: "telegram", messengerUserId: "2002", now })).type).toBe("ok");
    expect((await takeFromChat(t.db, { channel: "telegram", messengerUserId: "2002", requestNumber: req.number, now })).type).toBe("not_member");

    const codeA = await issueStaffAccountCode(t.db, opA.id, "telegram", now);
    // A code for Telegram cannot link a MAX account.
    expect((await linkStaffAccount(t.db, { code: codeA, channel: "max", messengerUserId: "1001", now })).type).toBe("wrong_purpose");
    const codeA2 = await issueStaffAccountCode(t.db, opA.id, "telegram", now);
    expect(await linkStaffAccount(t.db, { code: codeA2, channel: "telegram", messengerUserId: "1001", now })).toEqual({
      type: "ok",
      value: { staffUserId: opA.id, name: "Оператор А" },
    });
    expect((await takeFromChat(t.db, { channel: "telegram", messengerUserId: "1001", requestNumber: req.number, now })).type).toBe("ok");
    const taken = await t.db.request.findUniqueOrThrow({ where: { id: req.id } });
    expect(taken).toMatchObject({ assigneeId: opA.id, status: "in_progress" });
    expect(await t.db.auditLog.count({ where: { action: "request.take", requestId: req.id } })).toBe(1);
  });
});
