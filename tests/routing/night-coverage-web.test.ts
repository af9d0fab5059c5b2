// The regional admin's view of the night: "where would it go?" at a time shows the 24/7 chain and
// works when submitted as it opens; the coverage page and the overview mark the hours in which a
// P0 or P1 would find no open queue even through the chain — with no inline styles (CSP).
import { describe, expect, it } from "vitest";
import { createStaffUser } from "../../src/auth/users.ts";
import { Browser, buildAdminTestApp, PASSWORD } from "../web/helpers.ts";
import { seededDbPerTest } from "../web/seeded-db.ts";

const seeded = seededDbPerTest();

// Wednesday 25 Nov 2026, 12:00 UTC (17:00 in Tyumen).
const CLOCK = new Date("2026-11-25T12:00:00Z");

async function setup(opts: { federal24x7?: boolean } = {}) {
  const t = await seeded();
  const r = await createStaffUser(t.db, { email: "admin72@test.local", password: PASSWORD, name: "admin72", role: "regional_admin", regionCode: "72" });
  if (r.type !== "created") throw new Error("cannot create admin72");
  if (opts.federal24x7 === false) {
    await t.db.center.update({ where: { key: "federal-opora-reserve" }, data: { is24x7: false } });
  }
  const app = await buildAdminTestApp({ db: t.db, clock: () => CLOCK });
  const b = new Browser(app);
  return { b, db: t.db };
}

/** The query a browser sends when the "where" form is submitted as shown. */
function formQuery(html: string): string {
  const form = /<form[^>]*id="where-form"[\s\S]*?<\/form>/.exec(html)?.[0] ?? "";
  const q = new URLSearchParams();
  for (const m of form.matchAll(/<select name="([^"]+)">([\s\S]*?)<\/select>/g)) {
    const selected = /<option value="([^"]*)" selected>/.exec(m[2]!);
    const first = /<option value="([^"]*)"/.exec(m[2]!);
    q.append(m[1]!, (selected ?? first)?.[1] ?? "");
  }
  for (const m of form.matchAll(/<input type="checkbox" name="([^"]+)" value="([^"]+)" checked>/g)) q.append(m[1]!, m[2]!);
  for (const m of form.matchAll(/<input type="datetime-local" name="([^"]+)" value="([^"]*)">/g)) q.append(m[1]!, m[2]!);
  return q.toString();
}

const chainOf = (html: string) => /<ol class="where-chain">([\s\S]*?)<\/ol>/.exec(html)?.[1] ?? "";

describe("where would it go, at night", () => {
  it("opens with an answered example and works when submitted as it opens", async () => {
    const { b } = await setup();
    await b.login("admin72@test.local");
    const first = await b.get("/admin/72/where");
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('id="where-result"');
    expect(first.body).toContain('value="2026-11-25T17:00"'); // now, in Tyumen time
    const query = formQuery(first.body);
    expect(query).toContain("categories=violence");
    expect(query).toContain("urgency=P0");
    const again = await b.get(`/admin/72/where?${query}`);
    expect(again.statusCode).toBe(200);
    expect(again.body).not.toContain("field-error");
    expect(again.body).toContain('id="where-result"');
    // Nothing chosen at all: a kind message, not «Заполните поле.»
    const none = await b.get("/admin/72/where?urgency=P0&time=2026-11-25T17:00");
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain("Выберите хотя бы одну тему.");
  });

  it("a Tyumen P0 at 02:00 shows the step to the federal 24/7 reserve; a P2 waits for 09:00", async () => {
    const { b } = await setup();
    await b.login("admin72@test.local");
    const night = await b.get("/admin/72/where?categories=violence&urgency=P0&time=2026-11-25T02:00");
    expect(night.statusCode).toBe(200);
    const chain = chainOf(night.body);
    expect(chain).toContain("Семейный центр: общая очередь");
    expect(chain).toContain("центр в это время закрыт");
    expect(chain).toContain('data-step="federal_24x7"');
    expect(chain).toContain("федеральный круглосуточный резерв");
    expect(night.body).toContain('class="where-queue">Резервная очередь 24/7');
    expect(night.body).toContain("Проверено на ср 02:00 по времени региона (Asia/Yekaterinburg)");
    expect(night.body).not.toContain("where-gap");
    expect(night.body).toContain("С вами свяжется дежурная служба до 03:00 по местному времени: Федеральная дежурная линия Опоры (резерв, круглосуточно).");

    const p2 = await b.get("/admin/72/where?categories=violence&urgency=P2&time=2026-11-25T02:00");
    expect(p2.body).toContain('class="where-queue">Семейный центр: общая очередь<');
    expect(chainOf(p2.body)).not.toContain("data-step");
    expect(p2.body).toContain("Центр откроется ср 09:00 по времени региона.");

    const day = await b.get("/admin/72/where?categories=violence&urgency=P0&time=2026-11-25T11:00");
    expect(day.body).toContain('class="where-queue">Семейный центр: общая очередь<');
    expect(chainOf(day.body)).toContain("центр в это время работает");
  });

  it("without a 24/7 federal reserve the same P0 is shown as a coverage gap", async () => {
    const { b } = await setup({ federal24x7: false });
    await b.login("admin72@test.local");
    const night = await b.get("/admin/72/where?categories=violence&urgency=P0&time=2026-11-25T02:00");
    expect(night.body).toContain('class="notice where-gap"');
    expect(night.body).toContain("Пробел в покрытии");
    expect(night.body).toContain("Центр откроется ср 09:00 по времени региона.");
  });
});

describe("coverage gaps", () => {
  it("a region without any 24/7 queue: the hours are marked, and the overview warns", async () => {
    const { b } = await setup({ federal24x7: false });
    await b.login("admin72@test.local");
    const cov = await b.get("/admin/72/coverage");
    expect(cov.statusCode).toBe(200);
    expect(cov.body).not.toMatch(/\sstyle="/); // the CSP forbids inline styles
    const grid = /<table class="gaps">([\s\S]*?)<\/table>/.exec(cov.body)?.[1] ?? "";
    const rows = [...grid.matchAll(/<tr><th>([^<]+)<\/th>([\s\S]*?)<\/tr>/g)].map((m) => ({
      day: m[1],
      cells: [...m[2]!.matchAll(/<td class="(gap|covered)"/g)].map((c) => c[1]),
    }));
    expect(rows.map((r) => r.day)).toEqual(["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"]);
    // Weekdays 09–18 are covered by the open centers; every other hour is a gap.
    expect(rows[2]!.cells.slice(0, 9).every((c) => c === "gap")).toBe(true);
    expect(rows[2]!.cells.slice(9, 18).every((c) => c === "covered")).toBe(true);
    expect(rows[2]!.cells.slice(18).every((c) => c === "gap")).toBe(true);
    expect(rows[6]!.cells.every((c) => c === "gap")).toBe(true);
    expect(cov.body).toContain("123 часа в неделю срочное обращение (P0 или P1) не найдёт открытой очереди");

    const home = await b.get("/admin/72");
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('id="coverage-gap-warning"');
    expect(home.body).toContain("123 часа в неделю");
    expect(home.body).toContain('href="/admin/72/coverage"');
  });

  it("with the demo's 24/7 federal reserve there is no gap and no warning", async () => {
    const { b } = await setup();
    await b.login("admin72@test.local");
    const cov = await b.get("/admin/72/coverage");
    expect(cov.body).not.toMatch(/<td class="gap"/);
    expect(cov.body).toContain("в любой час недели находят открытую очередь");
    const home = await b.get("/admin/72");
    expect(home.body).not.toContain("coverage-gap-warning");
  });
});
