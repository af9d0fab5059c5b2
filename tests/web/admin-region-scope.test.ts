// Region and role scoping of the admin repositories, seen from the browser: an admin of one region
// can neither read nor change another region's centers, queues, municipalities or canned replies,
// even with the right ids in the URL or the form; an operator sees only their centers' requests.
// Changes made within scope are audited as the admin who made them.
import { describe, expect, it } from "vitest";
import { issueBootstrapLink } from "../../src/auth/bootstrap.ts";
import { createStaffUser } from "../../src/auth/users.ts";
import { Browser, buildAdminTestApp, makeRequest, NOW } from "./helpers.ts";
import { webWorld } from "./web-world.ts";

const setup = webWorld();

describe("an admin of region 67 and region 63's setup", () => {
  it("cannot open, edit or switch off a 63 center, queue or municipality through the 67 pages", async () => {
    const { app, db } = await setup();
    const center = await db.center.findUniqueOrThrow({ where: { key: "samara-deti-v-seme" } });
    const queue = await db.queue.findFirstOrThrow({ where: { center: { regionCode: "63" } } });
    const town = await db.municipality.findFirstOrThrow({ where: { regionCode: "63" } });
    const b = new Browser(app);
    await b.login("admin67@test.local");
    const from = "/admin/67/centers";
    for (const [kind, id] of [["centers", center.id], ["queues", queue.id], ["municipalities", town.id]] as const) {
      expect((await b.get(`/admin/67/${kind}/${id}`)).statusCode, kind).toBe(404);
      const edit = await b.postForm(`/admin/67/${kind}/${id}`, { key: "taken-over", name: "Чужой", publicPhone: "+74951234567", centerId: center.id }, from);
      expect(edit.statusCode, kind).toBe(404);
      expect((await b.postForm(`/admin/67/${kind}/${id}/active`, { active: "false" }, from)).statusCode, kind).toBe(404);
    }
    expect((await b.postForm("/admin/67/centers/link-chat", { centerId: center.id, code: "123456" }, from)).statusCode).toBe(404);
    // A new queue of 67 cannot be hung on a 63 center; a new 67 rule cannot name a 63 town.
    const q = await b.postForm("/admin/67/queues/new", { key: "sneaky-queue", name: "Очередь", centerId: center.id }, "/admin/67/queues/new");
    expect(q.statusCode).toBe(400);
    const q67 = await db.queue.findFirstOrThrow({ where: { center: { regionCode: "67" }, active: true } });
    const r = await b.postForm("/admin/67/rules/new", { key: "sneaky-rule", municipalityId: town.id, categories: "housing", queueId: q67.id, priority: "0" }, "/admin/67/rules/new");
    expect(r.statusCode).toBe(400);

    expect(await db.center.findUniqueOrThrow({ where: { id: center.id } })).toMatchObject({ key: "samara-deti-v-seme", active: true, name: center.name });
    expect(await db.queue.findUniqueOrThrow({ where: { id: queue.id } })).toMatchObject({ key: queue.key, active: true });
    expect(await db.municipality.findUniqueOrThrow({ where: { id: town.id } })).toMatchObject({ key: town.key, active: true });
    expect(await db.queue.count({ where: { key: "sneaky-queue" } })).toBe(0);
    expect(await db.routingRule.count({ where: { key: "sneaky-rule" } })).toBe(0);
    expect(await db.auditLog.count({ where: { actorId: { not: null }, action: { startsWith: "center." } } })).toBe(0);
  });

  it("cannot add, change or delete canned replies of a 63 center", async () => {
    const { app, db, w } = await setup();
    const center = await db.center.findUniqueOrThrow({ where: { key: "samara-deti-v-seme" } });
    const reply = await db.cannedReply.create({ data: { centerId: center.id, title: "Перезвоним", text: "Мы перезвоним вам сегодня." } });
    const b = new Browser(app);
    await b.login("admin67@test.local");
    const from = "/admin/67/replies";
    expect((await b.get(from)).body).not.toContain("Перезвоним");
    expect((await b.postForm("/admin/67/replies", { centerId: center.id, title: "Чужое", text: "Текст" }, from)).statusCode).toBe(404);
    expect((await b.postForm(`/admin/67/replies/${reply.id}`, { title: "Изменено", text: "Текст" }, from)).statusCode).toBe(404);
    expect((await b.postForm(`/admin/67/replies/${reply.id}/delete`, {}, from)).statusCode).toBe(404);
    expect(await db.cannedReply.findMany({ where: { centerId: center.id } })).toEqual([expect.objectContaining({ id: reply.id, title: "Перезвоним" })]);

    // Within its own region the change goes through, audited as the admin who made it.
    const own = new Browser(app);
    await own.login("admin63@test.local");
    expect((await own.postForm(`/admin/63/replies/${reply.id}`, { title: "Перезвоним вечером", text: "Мы перезвоним вечером." }, "/admin/63/replies")).statusCode).toBe(303);
    const audit = await db.auditLog.findFirstOrThrow({ where: { action: "canned_reply.update" } });
    expect(audit).toMatchObject({ actorType: "staff", actorId: w.ids.admin63, regionCode: "63", entityId: reply.id });
  });

  it("a center switched off by its own admin takes its queues with it, audited once", async () => {
    const { app, db, w } = await setup();
    const center = await db.center.findUniqueOrThrow({ where: { key: "samara-deti-v-seme" }, include: { queues: true } });
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const res = await b.postForm(`/admin/63/centers/${center.id}/active`, { active: "false" }, "/admin/63/centers");
    expect(res.statusCode).toBe(303);
    expect((await db.center.findUniqueOrThrow({ where: { id: center.id } })).active).toBe(false);
    expect(await db.queue.count({ where: { centerId: center.id, active: true } })).toBe(0);
    const audit = await db.auditLog.findMany({ where: { action: "center.deactivate" } });
    expect(audit).toEqual([expect.objectContaining({ actorId: w.ids.admin63, regionCode: "63", entityId: center.key, at: NOW })]);
  });
});

describe("requests by role", () => {
  it("an operator of a 67 center gets 404 for a 63 request, its transcript and its actions", async () => {
    const { app, db, w } = await setup();
    const r = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
    const other = new Browser(app);
    await other.login("op67@test.local");
    expect((await other.get(`/requests/${r.number}`)).statusCode).toBe(404);
    expect((await other.get(`/requests/${r.number}/transcript`)).statusCode).toBe(404);
    expect((await other.postForm(`/requests/${r.number}/take`, {}, "/queue")).statusCode).toBe(404);
    expect((await db.request.findUniqueOrThrow({ where: { id: r.id } })).assigneeId).toBeNull();
    const admin67 = new Browser(app);
    await admin67.login("admin67@test.local");
    expect((await admin67.get(`/requests/${r.number}`)).statusCode).toBe(404);
    for (const who of ["op63@test.local", "admin63@test.local", "root@test.local"]) {
      const b = new Browser(app);
      await b.login(who);
      const page = await b.get(`/requests/${r.number}`);
      expect(page.statusCode, who).toBe(200);
      expect(page.body, who).toContain(r.number);
    }
  });
});

describe("the bootstrap link", () => {
  it("is given back when the account cannot be created (address taken), and then works", async () => {
    const db = await setup.emptyDb();
    const taken = await createStaffUser(db, { email: "admin@x.org", password: "long-enough-pass-1", name: "A", role: "regional_admin", regionCode: "63" });
    expect(taken.type).toBe("created");
    const app = await buildAdminTestApp({ db });
    const link = await issueBootstrapLink(db, "http://127.0.0.1", NOW);
    const url = new URL(link ?? "").pathname;
    const b = new Browser(app);
    const first = await b.postForm(url, { email: "admin@x.org", name: "Root", password: "long-enough-pass-2" }, url);
    expect(first.statusCode).toBe(400);
    expect((await b.get(url)).statusCode).toBe(200);
    const second = await b.postForm(url, { email: "root@x.org", name: "Root", password: "long-enough-pass-2" }, url);
    expect(second.statusCode).toBe(303);
    expect(await db.staffUser.count({ where: { role: "superadmin" } })).toBe(1);
    // Used once: the link is dead now.
    expect((await new Browser(app).get(url)).statusCode).toBe(404);
  });
});
