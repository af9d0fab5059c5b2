// Statistics (issue 16): numbers computed by the database on a small fixture whose expected values
// are worked out by hand below; the page draws them as accessible SVG with tables; the CSV carries
// no personal data.
import { describe, expect, it } from "vitest";
import { regionStats, statsPeriod } from "../../src/requests/stats-repository.ts";
import { Browser, buildAdminTestApp, makeRequest, NOW } from "./helpers.ts";
import { seededDbPerTest } from "./seeded-db.ts";

const seeded = seededDbPerTest();

const MIN = 60_000;
const HOUR = 60 * MIN;
const TZ = "Europe/Samara"; // UTC+4

// NOW = 2025-03-12T09:00Z, Wednesday 13:00 in Samara. The last 4 weeks: Mon 17 Feb … Wed 12 Mar.
async function fixture() {
  const t = await seeded();
  const w = t.w;
  const db = t.db;
  const crisis = (await db.queue.findUniqueOrThrow({ where: { key: "samara-crisis-24x7" } })).id;
  const op = w.ids.opSamara;
  const req = async (
    o: { at: string; urgency: string; categories: string[]; queueId?: string; dueIn?: number; contactIn?: number | null; status?: string; assignee?: string; isTest?: boolean; regionCode?: string },
  ) => {
    const createdAt = new Date(o.at);
    const r = await makeRequest(db, {
      queueId: o.queueId ?? (o.regionCode === "67" ? w.queues.smolensk : w.queues.samara),
      regionCode: o.regionCode ?? "63",
      urgency: o.urgency,
      categories: o.categories,
      createdAt,
      dueAt: new Date(createdAt.getTime() + (o.dueIn ?? 72 * HOUR)),
      status: o.status ?? "new",
      isTest: o.isTest,
      description: "Секретная история семьи Ивановых",
    });
    await db.request.update({
      where: { id: r.id },
      data: {
        firstContactAt: o.contactIn == null ? null : new Date(createdAt.getTime() + o.contactIn),
        assigneeId: o.assignee ?? null,
      },
    });
  };
  // r1: P1, Wed 12 Mar 09:00 local, contacted after 30 min (kept), still "contacted" (open), op63.
  await req({ at: "2025-03-12T05:00:00Z", urgency: "P1", categories: ["housing", "material_need"], dueIn: 24 * HOUR, contactIn: 30 * MIN, status: "contacted", assignee: op });
  // r2: P2, Tue 11 Mar 23:30 local, contacted after 90 min (kept), resolved, op63.
  await req({ at: "2025-03-11T19:30:00Z", urgency: "P2", categories: ["housing"], contactIn: 90 * MIN, status: "resolved", assignee: op });
  // r3: P2, 20:30 UTC on 11 Mar is 00:30 on Wed 12 Mar local — counted on the 12th; no contact, deadline ahead.
  await req({ at: "2025-03-11T20:30:00Z", urgency: "P2", categories: ["family_conflict"] });
  // r4: P0 at the 24/7 line, Wed 5 Mar, promised within an hour, contacted after 2 h (late), in progress, op63.
  await req({ at: "2025-03-05T10:00:00Z", urgency: "P0", categories: ["violence"], queueId: crisis, dueIn: HOUR, contactIn: 2 * HOUR, status: "in_progress", assignee: op });
  // r5: P2, Sat 1 Mar, never contacted, deadline (4 Mar) passed: late.
  await req({ at: "2025-03-01T10:00:00Z", urgency: "P2", categories: ["other_info"] });
  // r6: P2, Mon 10 Mar, contacted after 10 min (kept), resolved, nobody assigned.
  await req({ at: "2025-03-10T06:00:00Z", urgency: "P2", categories: ["housing"], contactIn: 10 * MIN, status: "resolved" });
  // Not counted: a test request, another region, and one older than 4 weeks (it counts in 12 weeks).
  await req({ at: "2025-03-12T06:00:00Z", urgency: "P0", categories: ["violence"], isTest: true });
  await req({ at: "2025-03-12T06:00:00Z", urgency: "P0", categories: ["violence"], regionCode: "67" });
  await req({ at: "2025-01-10T10:00:00Z", urgency: "P3", categories: ["legal_docs"] });
  return { db, w };
}

describe("statistics from the database", () => {
  it("counts per day and week by urgency and category, in the region's local days", async () => {
    const { db } = await fixture();
    const s = await regionStats(db, "63", TZ, NOW, 4);
    expect(s.period).toMatchObject({ firstDay: "2025-02-17", lastDay: "2025-03-12", weeks: 4 });
    expect(s.total).toBe(6);
    expect(s.byUrgency).toEqual({ P0: 1, P1: 1, P2: 4, P3: 0 });
    expect(s.byCategory).toMatchObject({ housing: 3, material_need: 1, family_conflict: 1, violence: 1, other_info: 1, legal_docs: 0 });
    expect(s.byStatus).toEqual({ new: 2, contacted: 1, resolved: 2, in_progress: 1 });
    expect(s.days).toHaveLength(24); // 17 Feb … 12 Mar, empty days included
    const day = (k: string) => s.days.find((d) => d.key === k);
    expect(day("2025-03-12")).toMatchObject({ total: 2, byUrgency: { P1: 1, P2: 1 } });
    expect(day("2025-03-12")?.byCategory).toMatchObject({ housing: 1, material_need: 1, family_conflict: 1 });
    expect(day("2025-03-11")).toMatchObject({ total: 1, byUrgency: { P2: 1 } });
    expect(day("2025-03-10")?.total).toBe(1);
    expect(day("2025-03-05")).toMatchObject({ total: 1, byUrgency: { P0: 1 } });
    expect(day("2025-03-01")?.total).toBe(1);
    expect(s.weeks.map((w) => [w.key, w.total])).toEqual([
      ["2025-W08", 0],
      ["2025-W09", 1],
      ["2025-W10", 1],
      ["2025-W11", 4],
    ]);
    expect(s.weeks[3]?.byCategory.housing).toBe(3);
    // Twelve weeks reach back to Mon 23 Dec 2024 and include the January P3.
    const twelve = await regionStats(db, "63", TZ, NOW, 12);
    expect(twelve.period.firstDay).toBe("2024-12-23");
    expect(twelve.total).toBe(7);
    expect(twelve.byUrgency.P3).toBe(1);
  });

  it("time to first contact (median, 90th percentile) against the promise; kept per center; load per operator", async () => {
    const { db } = await fixture();
    const s = await regionStats(db, "63", TZ, NOW, 4);
    const by = Object.fromEntries(s.contact.map((c) => [c.urgency, c]));
    // P2 contacts after 10 and 90 minutes: nearest-rank median = 10, 90th percentile = 90.
    expect(by.P2).toMatchObject({ contacted: 2, medianMinutes: 10, p90Minutes: 90, promisedMinutes: 72 * 60, kept: 2, late: 1 });
    expect(by.P1).toMatchObject({ contacted: 1, medianMinutes: 30, p90Minutes: 30, promisedMinutes: 24 * 60, kept: 1, late: 0 });
    expect(by.P0).toMatchObject({ contacted: 1, medianMinutes: 120, p90Minutes: 120, promisedMinutes: 60, kept: 0, late: 1 });
    expect(by.P3).toMatchObject({ contacted: 0, medianMinutes: null, p90Minutes: null, promisedMinutes: null });
    expect(s.centers.map(({ name, total, open, kept, late, pending }) => ({ name, total, open, kept, late, pending }))).toEqual([
      { name: "Служба «Дети в семье» Самарской области", total: 5, open: 3, kept: 3, late: 1, pending: 1 },
      { name: "Региональная кризисная линия (круглосуточно)", total: 1, open: 1, kept: 0, late: 1, pending: 0 },
    ]);
    expect(s.operators.map(({ name, assigned, open, contacted }) => ({ name, assigned, open, contacted }))).toEqual([
      { name: "op63", assigned: 3, open: 2, contacted: 3 },
    ]);
  });

  it("keeps its per-day summary up to date: later changes, new requests and passed deadlines show at the next look", async () => {
    const { db } = await fixture();
    // Written long ago (only r5's day is among the latest changes): untouched days are not counted again.
    await db.request.updateMany({ data: { updatedAt: new Date("2025-01-01T00:00:00Z") } });
    await db.request.updateMany({ where: { createdAt: new Date("2025-03-01T10:00:00Z") }, data: { updatedAt: new Date("2025-01-02T00:00:00Z") } });
    const centerOf = (s: Awaited<ReturnType<typeof regionStats>>) => s.centers.find((c) => c.name.startsWith("Служба"))!;
    const first = await regionStats(db, "63", TZ, NOW, 4);
    expect(centerOf(first)).toMatchObject({ total: 5, kept: 3, late: 1, pending: 1 });
    // The summary holds one state row per day of the period, and counts, not requests.
    expect(await db.requestDailyState.count({ where: { regionCode: "63" } })).toBe(24);
    expect(await db.requestDailyStat.count()).toBeGreaterThan(0);

    // Three days later, with nothing written, r3's deadline (14 Mar 20:30 UTC) has passed: late.
    const later = await regionStats(db, "63", TZ, new Date(NOW.getTime() + 3 * 24 * HOUR), 4);
    expect(centerOf(later)).toMatchObject({ total: 5, kept: 3, late: 2, pending: 0 });
    // Looking again at NOW (a clock set back) counts again rather than keep a future view.
    expect(centerOf(await regionStats(db, "63", TZ, NOW, 4))).toMatchObject({ late: 1, pending: 1 });

    // r3 is contacted after 20 minutes and a new request arrives: both show at the next look.
    const r3 = await db.request.findFirstOrThrow({ where: { createdAt: new Date("2025-03-11T20:30:00Z") } });
    await db.request.update({ where: { id: r3.id }, data: { status: "contacted", firstContactAt: new Date(r3.createdAt.getTime() + 20 * MIN) } });
    const w = await db.queue.findUniqueOrThrow({ where: { key: "samara-crisis-24x7" } });
    await makeRequest(db, { queueId: w.id, regionCode: "63", urgency: "P3", categories: ["legal_docs"], createdAt: new Date(NOW.getTime() - HOUR), dueAt: new Date(NOW.getTime() + 72 * HOUR), status: "new" });
    const after = await regionStats(db, "63", TZ, NOW, 4);
    expect(after.total).toBe(7);
    expect(after.byCategory.legal_docs).toBe(1);
    expect(after.byStatus).toEqual({ new: 2, contacted: 2, resolved: 2, in_progress: 1 });
    expect(centerOf(after)).toMatchObject({ total: 5, kept: 4, late: 1, pending: 0 });
    const p2 = after.contact.find((c) => c.urgency === "P2")!;
    expect(p2).toMatchObject({ contacted: 3, medianMinutes: 20, p90Minutes: 90 });
  });

  it("a period is whole local weeks ending today", () => {
    // Sunday 23:30 in Samara is still that Sunday there (Monday in UTC+5 would already differ).
    const p = statsPeriod(TZ, new Date("2025-03-16T19:30:00Z"), 4);
    expect(p).toMatchObject({ firstDay: "2025-02-17", lastDay: "2025-03-16", offsetMinutes: 240 });
    expect(p.from.toISOString()).toBe("2025-02-16T20:00:00.000Z");
    expect(p.to.toISOString()).toBe("2025-03-16T20:00:00.000Z");
  });
});

describe("statistics page and CSV", () => {
  it("draws accessible SVG charts with tables of the same numbers", async () => {
    const { db } = await fixture();
    const app = await buildAdminTestApp({ db });
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const res = await b.get("/admin/63/stats?weeks=4");
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain("Всего заявок: 6");
    const svgs = res.body.match(/<svg class="chart"[^>]*>/g) ?? [];
    expect(svgs.length).toBeGreaterThanOrEqual(7);
    for (const svg of svgs) expect(svg).toMatch(/role="img" aria-labelledby="[\w-]+-t [\w-]+-d"/);
    expect(res.body).toContain('<title id="day-urgency-t">Заявки по дням и срочности</title>');
    // No inline styles or scripts (CSP) in the page body.
    expect(res.body).not.toMatch(/style="|<script(?![^>]*src=)/);
    // The table alternative has the week numbers.
    expect(res.body).toMatch(/<th scope="row">2025-W11<\/th>(<td class="num">\d+<\/td>){4}<td class="num">4<\/td>/);
    // Medians in words and the per-center promise table.
    expect(res.body).toContain("Региональная кризисная линия (круглосуточно)");
    expect(res.body).not.toContain("Секретная история");
    // A wrong period falls back to the default four weeks rather than failing; 12 weeks include January.
    expect((await b.get("/admin/63/stats?weeks=abc")).body).toContain("Всего заявок: 6");
    expect((await b.get("/admin/63/stats?weeks=12")).body).toContain("Всего заявок: 7");
  });

  it("exports the numbers as CSV without personal data", async () => {
    const { db } = await fixture();
    const app = await buildAdminTestApp({ db });
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const csv = await b.get("/admin/63/stats.csv?weeks=4");
    expect(csv.statusCode).toBe(200);
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.headers["content-disposition"]).toContain("opora-stats-63-4w.csv");
    const body = csv.body;
    expect(body).toContain('"63","total","all","","6"');
    expect(body).toContain('"63","category","housing","","3"');
    expect(body).toContain('"63","day_urgency","2025-03-12","P1","1"');
    expect(body).toContain('"63","week_category","2025-W11","housing","3"');
    expect(body).toContain('"63","first_contact_median_minutes","P2","","10"');
    expect(body).toContain('"63","first_contact_p90_minutes","P2","","90"');
    expect(body).toContain('"63","center","Служба «Дети в семье» Самарской области","late","1"');
    // No family data (description, name, phone) and no staff names or e-mails.
    expect(body).not.toMatch(/Секретная|Ивановых|Мария|\+7999|79990000000|op63|@test\.local/);
    expect(body).not.toContain("63-0");
  });
});
