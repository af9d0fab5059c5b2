// An untaken P0 moves along its region's 24/7 chain after P0_ESCALATE_AFTER_MINUTES (15 here), not
// before; the move is in the routing history and the audit, and the receiving center, the previous
// center and the region's admins are told — with no personal data. Deterministic clock throughout.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { categoryLabelFor } from "../../src/handoff/center-notifications.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { escalateUntakenP0, UNTAKEN_MOVE_ACTION } from "../../src/requests/escalate-untaken.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { quietLog } from "../dialog/db-fixture.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

const i18n = createI18n();
const deps = { i18n, publicBaseUrl: "https://opora.example", categoryLabel: categoryLabelFor(i18n) };
const AFTER = { afterMinutes: 15 };
const MIN = 60_000;
// Wednesday 25 Nov 2026, 10:00 in Tyumen (09:00 in Samara): the centers are open but nobody takes it.
const T0 = new Date("2026-11-25T10:00:00+05:00");
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);
const PERSONAL = ["Марина", "Петрова", "79991234567", "Ленина", "ножом"];

let t: TempDb;
beforeEach(async () => {
  t = await createTempDb();
  await loadDemoRoutingIfEmpty(t.db, quietLog, new Date("2026-11-01T00:00:00Z"));
  await t.db.center.update({ where: { key: "tyumen-family-center" }, data: { notifyTelegramChatId: "-100720" } });
  await t.db.center.update({ where: { key: "federal-opora-reserve" }, data: { notifyTelegramChatId: "-100999", notifyMaxChatId: "999" } });
  await t.db.center.update({ where: { key: "samara-crisis-line" }, data: { notifyTelegramChatId: "-100634" } });
  const admin = (email: string, regionCode: string, telegramUserId: string | null, maxUserId: string | null = null) =>
    t.db.staffUser.create({ data: { email, passwordHash: "x", name: email, role: "regional_admin", regionCode, telegramUserId, maxUserId } });
  await admin("admin72@test.local", "72", "7201", "72001");
  await admin("admin72b@test.local", "72", null); // no linked messenger: nothing to send to
  await admin("admin63@test.local", "63", "6301");
});
afterEach(async () => {
  await t.cleanup();
});

async function p0(queueKey: string, regionCode: string, over: { assigned?: boolean; isTest?: boolean; createdAt?: Date } = {}) {
  const queue = await t.db.queue.findUniqueOrThrow({ where: { key: queueKey } });
  const assignee = over.assigned
    ? await t.db.staffUser.create({ data: { email: `op${queueKey}@test.local`, passwordHash: "x", name: "op", role: "operator" } })
    : null;
  const n = (await t.db.request.count()) + 1;
  return t.db.request.create({
    data: {
      number: `${regionCode}-${String(n).padStart(5, "0")}`,
      channel: "telegram",
      categories: JSON.stringify(["violence"]),
      urgency: "P0",
      regionCode,
      description: "Муж угрожает ножом, адрес ул. Ленина 5",
      contactName: "Марина Петрова",
      contactPhone: "+79991234567",
      queueId: queue.id,
      assigneeId: assignee?.id ?? null,
      status: assignee ? "in_progress" : "new",
      routingReason: "region_default",
      routingExplanation: "Очередь региона по умолчанию.",
      isTest: over.isTest ?? false,
      createdAt: over.createdAt ?? T0,
      dueAt: at(60),
    },
  });
}

const queueKeyOf = async (id: number) =>
  (await t.db.request.findUniqueOrThrow({ where: { id }, include: { queue: true } })).queue.key;

describe("an untaken P0 moves along the chain", () => {
  it("not before 15 minutes; at 15 it goes from the Tyumen center to the federal 24/7 reserve, and everyone is told", async () => {
    const req = await p0("tyumen-default", "72");
    expect((await escalateUntakenP0(t.db, deps, at(14), AFTER)).moved).toEqual([]);
    expect(await queueKeyOf(req.id)).toBe("tyumen-default");
    expect(await t.db.outbox.count()).toBe(0);

    expect((await escalateUntakenP0(t.db, deps, at(15), AFTER)).moved).toEqual([req.id]);
    const moved = await t.db.request.findUniqueOrThrow({ where: { id: req.id }, include: { queue: true } });
    expect(moved.queue.key).toBe("federal-fallback");
    expect(moved.assigneeId).toBeNull();
    expect(moved.routingExplanation).toContain("Очередь региона по умолчанию.\nср 10:15 по времени региона: P0 не взята за 15 мин");
    expect(moved.routingExplanation).toContain("→ переведена в федеральный круглосуточный резерв «Резервная очередь 24/7");

    const audit = await t.db.auditLog.findMany({ where: { action: UNTAKEN_MOVE_ACTION } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ requestId: req.id, regionCode: "72", actorType: "system" });
    expect(JSON.parse(audit[0]!.details)).toEqual({ number: req.number, fromQueue: "tyumen-default", toQueue: "federal-fallback", step: "federal_24x7", minutes: 15, centerClosed: false });

    const rows = await t.db.outbox.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.kind, r.channel, r.target])).toEqual([
      ["center_p0_moved_in", "telegram", "-100999"],
      ["center_p0_moved_in", "max", "999"],
      ["center_p0_moved_out", "telegram", "-100720"],
      ["admin_p0_moved", "telegram", "7201"],
      ["admin_p0_moved", "max", "user:72001"],
    ]);
    const texts = rows.map((r) => (JSON.parse(r.payload) as { text: string }).text);
    expect(texts[0]).toContain(`P0 № ${req.number} передана вам`);
    expect(texts[0]).toContain("15 минут");
    expect(JSON.parse(rows[0]!.payload).take).toEqual({ label: "Взять себе", data: `take:${req.number}` });
    expect(texts[3]).toContain(`P0 № ${req.number} не взята за 15 мин в очереди «Семейный центр: общая очередь»`);
    expect(texts[3]).toContain(`https://opora.example/requests/${req.number}`);
    for (const pd of PERSONAL) expect(rows.map((r) => r.payload).join(" ")).not.toContain(pd);

    // The federal reserve is the end of the chain: later passes change nothing.
    expect((await escalateUntakenP0(t.db, deps, at(40), AFTER)).moved).toEqual([]);
    expect(await t.db.outbox.count()).toBe(5);
  });

  it("in Samara: team → the region's 24/7 line at 15 min → the federal reserve 15 min after the move, not before", async () => {
    const req = await p0("samara-team-syzran", "63");
    await escalateUntakenP0(t.db, deps, at(16), AFTER);
    expect(await queueKeyOf(req.id)).toBe("samara-crisis-24x7");
    const admins = await t.db.outbox.findMany({ where: { kind: "admin_p0_moved" } });
    expect(admins.map((r) => r.target)).toEqual(["6301"]); // Samara's admin, not Tyumen's
    expect((await escalateUntakenP0(t.db, deps, at(30), AFTER)).moved).toEqual([]); // 14 min since the move
    expect(await queueKeyOf(req.id)).toBe("samara-crisis-24x7");
    expect((await escalateUntakenP0(t.db, deps, at(31), AFTER)).moved).toEqual([req.id]);
    expect(await queueKeyOf(req.id)).toBe("federal-fallback");
    expect(await t.db.auditLog.count({ where: { action: UNTAKEN_MOVE_ACTION, requestId: req.id } })).toBe(2);
  });

  it("leaves a taken P0, a test request and a P1 where they are", async () => {
    const taken = await p0("tyumen-default", "72", { assigned: true });
    const test = await p0("tyumen-default", "72", { isTest: true });
    const p1 = await p0("tyumen-default", "72");
    await t.db.request.update({ where: { id: p1.id }, data: { urgency: "P1" } });
    expect((await escalateUntakenP0(t.db, deps, at(60), AFTER)).moved).toEqual([]);
    for (const r of [taken, test, p1]) expect(await queueKeyOf(r.id)).toBe("tyumen-default");
    expect(await t.db.outbox.count()).toBe(0);
  });

  it("honours another configured delay", async () => {
    const req = await p0("tyumen-default", "72");
    expect((await escalateUntakenP0(t.db, deps, at(15), { afterMinutes: 30 })).moved).toEqual([]);
    expect((await escalateUntakenP0(t.db, deps, at(30), { afterMinutes: 30 })).moved).toEqual([req.id]);
  });

  it("a P0 waiting in a closed center's queue (raised there at night) moves at the next pass", async () => {
    const night = new Date("2026-11-25T02:00:00+05:00");
    const req = await p0("tyumen-default", "72", { createdAt: new Date(night.getTime() - 2 * MIN) });
    expect((await escalateUntakenP0(t.db, deps, night, AFTER)).moved).toEqual([req.id]);
    const moved = await t.db.request.findUniqueOrThrow({ where: { id: req.id }, include: { queue: true } });
    expect(moved.queue.key).toBe("federal-fallback");
    expect(moved.routingExplanation).toContain("ср 02:00 по времени региона: центр закрыт, P0 ждёт 2 мин");
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: UNTAKEN_MOVE_ACTION } });
    expect(JSON.parse(audit.details)).toMatchObject({ centerClosed: true, minutes: 2 });
  });
});

describe("P0_ESCALATE_AFTER_MINUTES", () => {
  const base = { HOST: "127.0.0.1", DEMO: "true" };
  it("defaults to 15, takes another value, refuses nonsense with a clear line", () => {
    const d = loadConfig(base);
    expect(d.type === "ok" && d.config.p0EscalateAfterMinutes).toBe(15);
    const v = loadConfig({ ...base, P0_ESCALATE_AFTER_MINUTES: "30" });
    expect(v.type === "ok" && v.config.p0EscalateAfterMinutes).toBe(30);
    const bad = loadConfig({ ...base, P0_ESCALATE_AFTER_MINUTES: "0" });
    expect(bad.type).toBe("invalid");
    expect(bad.type === "invalid" && bad.problems.join("\n")).toMatch(/^P0_ESCALATE_AFTER_MINUTES: /m);
  });
});
