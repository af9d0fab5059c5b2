// The queue at scale and within scope: ordering, filters, paging and search run in the database,
// so an urgent request is never pushed out of sight and nobody finds another center's family.
import { describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.ts";
import { compareQueueItems } from "../../src/requests/queue-order.ts";
import { loadQueuePage } from "../../src/requests/queue-repository.ts";
import { Browser, makeRequest, NOW } from "./helpers.ts";
import { webWorld } from "./web-world.ts";

const setup = webWorld();
const minute = 60_000;
const hour = 60 * minute;
const numbersOf = (html: string) => [...html.matchAll(/data-number="([^"]+)"/g)].map((m) => m[1]);

/** `n` open requests in one queue, inserted in one statement; every 7th already contacted. */
async function bulkRequests(db: Db, n: number, o: { queueId: string; regionCode: string; prefix: string }) {
  const urgencies = ["P1", "P2", "P2", "P3"];
  const data = Array.from({ length: n }, (_, i) => {
    const createdAt = new Date(NOW.getTime() - (n - i) * minute);
    const urgency = urgencies[i % urgencies.length] ?? "P2";
    const contacted = i % 7 === 0;
    return {
      number: `${o.prefix}-${String(i + 1).padStart(6, "0")}`,
      channel: "telegram",
      categories: JSON.stringify(i % 5 === 0 ? ["housing", "material_need"] : ["family_conflict"]),
      urgency,
      regionCode: o.regionCode,
      queueId: o.queueId,
      description: `Обращение ${i}`,
      contactPhone: `+7999${String(i).padStart(7, "0")}`,
      routingReason: "region_default",
      routingExplanation: "x",
      status: contacted ? "contacted" : i % 3 === 0 ? "in_progress" : "new",
      createdAt,
      dueAt: new Date(createdAt.getTime() + (urgency === "P1" ? 24 : 72) * hour),
      firstContactAt: contacted ? new Date(createdAt.getTime() + 10 * minute) : null,
    };
  });
  for (let i = 0; i < data.length; i += 1000) await db.request.createMany({ data: data.slice(i, i + 1000) });
}

describe("queue at scale", () => {
  it("with 5,000 open requests a P0 created last is first on the first page, for the operator and the regional admin", async () => {
    const { app, w, db } = await setup();
    await bulkRequests(db, 5000, { queueId: w.queues.samara, regionCode: "63", prefix: "63" });
    await bulkRequests(db, 300, { queueId: w.queues.smolensk, regionCode: "67", prefix: "67" });
    // Another center's P0, created after ours: must never show up in Samara's queue.
    const p0 = await makeRequest(db, { number: "63-P0-LAST", queueId: w.queues.samara, regionCode: "63", urgency: "P0", categories: ["child_danger"], createdAt: NOW, dueAt: new Date(NOW.getTime() + hour) });
    await makeRequest(db, { number: "67-P0-LAST", queueId: w.queues.smolensk, regionCode: "67", urgency: "P0", createdAt: NOW, dueAt: new Date(NOW.getTime() + hour) });

    for (const who of ["op63@test.local", "admin63@test.local"]) {
      const b = new Browser(app);
      await b.login(who);
      const res = await b.get("/queue");
      expect(res.statusCode).toBe(200);
      const shown = numbersOf(res.body);
      expect(shown[0]).toBe(p0.number);
      expect(shown).toHaveLength(50);
      expect(shown.every((n) => n?.startsWith("63-"))).toBe(true);
      expect(res.body).toContain("5\u00a0001 заявка · страница 1 из 101");
      // Counts of open requests by urgency, in scope: 1 P0, 1250 P1, 2500 P2, 1250 P3.
      expect(res.body).toMatch(/class="count-P0">1</);
      expect(res.body).toMatch(/class="count-P1">1250</);
      expect(res.body).toMatch(/class="count-P2">2500</);
      expect(res.body).toMatch(/class="count-P3">1250</);
      // Filtered by the P0's category, it is still first.
      const cat = await b.get("/queue?category=child_danger");
      expect(numbersOf(cat.body)).toEqual([p0.number]);
      // The last page holds the rest, and nothing from region 67.
      const last = await b.get("/queue?page=101");
      expect(numbersOf(last.body)).toHaveLength(1);
      // By the numbers shown, not a substring of the page: its ids (UUIDs) and tokens contain "67-" by chance.
      expect(numbersOf(last.body).every((n) => n?.startsWith("63-"))).toBe(true);
      expect(last.body).not.toContain("67-P0-LAST");
    }
    const s = new Browser(app);
    await s.login("op67@test.local");
    const smolensk = numbersOf((await s.get("/queue")).body);
    expect(smolensk[0]).toBe("67-P0-LAST");
    expect(smolensk.every((n) => n?.startsWith("67-"))).toBe(true);
  }, 60_000);

  it("pages cut across P0 / waiting / contacted in exactly the order of the queue", async () => {
    const { w, db } = await setup();
    await bulkRequests(db, 1200, { queueId: w.queues.samara, regionCode: "63", prefix: "63" });
    for (let i = 0; i < 3; i++) {
      await makeRequest(db, { number: `63-P0-${i}`, queueId: w.queues.samara, regionCode: "63", urgency: "P0", createdAt: new Date(NOW.getTime() - i * minute), dueAt: new Date(NOW.getTime() + (60 - i) * minute) });
    }
    const viewer = { id: "nobody", scope: { regionCode: "63" } };
    const shown: string[] = [];
    for (let page = 1; page <= 20; page++) {
      const p = await loadQueuePage(db, viewer, { view: "open", page, pageSize: 70 });
      shown.push(...p.rows.map((r) => r.number));
      if (page === p.pages) break;
    }
    const all = await db.request.findMany({ where: { regionCode: "63", isTest: false, status: { in: ["new", "in_progress", "contacted", "unreachable"] } } });
    const expected = [...all].sort((a, b) => compareQueueItems(a, b) || a.id - b.id).map((r) => r.number);
    expect(shown).toHaveLength(1203);
    expect(shown).toEqual(expected);
    expect(shown.slice(0, 3)).toEqual(["63-P0-2", "63-P0-1", "63-P0-0"]);
  }, 60_000);
});

describe("queue views and search", () => {
  it("new / mine / all open / closed", async () => {
    const { app, w, db } = await setup();
    const fresh = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
    const taken = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
    const other = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
    const done = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", status: "closed" });
    await db.request.update({ where: { id: taken.id }, data: { assigneeId: w.ids.opSamara, status: "in_progress" } });
    await db.request.update({ where: { id: other.id }, data: { assigneeId: w.ids.admin63, status: "in_progress" } });
    await db.request.update({ where: { id: done.id }, data: { closedAt: NOW } });
    const b = new Browser(app);
    await b.login("op63@test.local");
    expect(numbersOf((await b.get("/queue?view=new")).body)).toEqual([fresh.number]);
    expect(numbersOf((await b.get("/queue?view=mine")).body)).toEqual([taken.number]);
    expect(numbersOf((await b.get("/queue")).body).sort()).toEqual([fresh.number, taken.number, other.number].sort());
    expect(numbersOf((await b.get("/queue?view=closed")).body)).toEqual([done.number]);
    expect((await b.get("/queue?view=everything")).statusCode).toBe(400);
  });

  it("finds by number, last digits of the phone and words of the description — never another center's request", async () => {
    const { app, w, db } = await setup();
    const mine = await makeRequest(db, { number: "63-00777", queueId: w.queues.samara, regionCode: "63", description: "Муж выпивает, Дети боятся\nвторая строка" });
    await db.request.update({ where: { id: mine.id }, data: { contactPhone: "+79161234567" } });
    const theirs = await makeRequest(db, { number: "67-00777", queueId: w.queues.smolensk, regionCode: "67", description: "Муж выпивает, дети боятся" });
    await db.request.update({ where: { id: theirs.id }, data: { contactPhone: "+79164444567" } });
    await makeRequest(db, { number: "63-00778", queueId: w.queues.samara, regionCode: "63", description: "Нужна справка" });

    const b = new Browser(app);
    await b.login("op63@test.local");
    const find = async (q: string) => numbersOf((await b.get(`/queue?q=${encodeURIComponent(q)}`)).body);
    expect(await find("00777")).toEqual(["63-00777"]);
    expect(await find("63-00777")).toEqual(["63-00777"]);
    expect(await find("4567")).toEqual(["63-00777"]);
    expect(await find("дети выпивает")).toEqual(["63-00777"]);
    expect(await find("ДЕТИ")).toEqual(["63-00777"]);
    expect(await find("справка")).toEqual(["63-00778"]);
    expect(await find("дети справка")).toEqual([]);
    expect(await find("%")).toEqual([]);
    // Smolensk's request: not by number, not by phone, not by words.
    expect(await find("67-00777")).toEqual([]);
    expect(await find("4444567")).toEqual([]);
    const none = await b.get(`/queue?q=${encodeURIComponent("67-00777")}`);
    expect(none.body).toContain("Ничего не нашлось");
    // Closed requests are searched in the closed view.
    await db.request.update({ where: { id: mine.id }, data: { status: "closed", closedAt: NOW } });
    expect(await find("00777")).toEqual([]);
    expect(numbersOf((await b.get("/queue?view=closed&q=00777")).body)).toEqual(["63-00777"]);
    // The row previews the first line of the description only.
    const row = (await b.get("/queue?view=closed")).body;
    expect(row).toContain("Муж выпивает, Дети боятся");
    expect(row).not.toContain("вторая строка");
    expect((await b.get(`/queue?q=${"x".repeat(101)}`)).statusCode).toBe(400);
  });

  it("previews why the request is urgent, and 'danger now' only when the family said so", async () => {
    const { app, w, db } = await setup();
    const r = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", urgency: "P0", categories: ["parental_burnout"] });
    await db.request.update({
      where: { id: r.id },
      data: { urgencyReasons: JSON.stringify([{ source: "answer", code: "check_burnout", level: "P0", dangerNow: false }]) },
    });
    const d = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", urgency: "P0", categories: ["violence"] });
    await db.request.update({ where: { id: d.id }, data: { urgencyReasons: JSON.stringify([{ source: "answer", code: "danger_now", level: "P0", dangerNow: true }]) } });
    const b = new Browser(app);
    await b.login("op63@test.local");
    const body = (await b.get("/queue")).body;
    const rowOf = (n: string) => body.slice(body.indexOf(`data-number="${n}"`), body.indexOf("</tr>", body.indexOf(`data-number="${n}"`)));
    expect(rowOf(r.number)).toContain("страх причинить вред себе или ребёнку — ответ в диалоге");
    expect(rowOf(r.number)).not.toContain("<strong>");
    expect(rowOf(d.number)).toContain("опасность прямо сейчас — ответ «Да» в диалоге");
    expect(rowOf(d.number)).toMatch(/\(<strong>[^<]+<\/strong>\)/);
  });

  it("shows times with their timezone and what was promised", async () => {
    const { app, w, db } = await setup();
    await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", urgency: "P1", createdAt: NOW, dueAt: new Date(NOW.getTime() + 24 * hour) });
    const b = new Browser(app);
    await b.login("op63@test.local");
    const body = (await b.get("/queue")).body;
    // The Samara operator's clock: NOW is 09:00 UTC = 13:00 GMT+4; due the next day at the same time.
    expect(body).toContain("обещано: в течение суток · до 13.03, 13:00 GMT+4");
    expect(body).toContain("Europe/Samara (GMT+4)");
  });
});
