// Admin pages for people (issue 16): the working-hours grid with breaks, closed days and public
// holidays as the routing engine sees them ("where would it go?"), phone validation, and bad input
// on the center and holiday forms — a Russian message next to the field, nothing saved, input kept.
import { describe, expect, it } from "vitest";
import { Browser } from "./helpers.ts";
import { webWorld } from "./web-world.ts";


const world = webWorld();

async function setup() {
  const { app, db } = await world();
  const b = new Browser(app);
  await b.login("admin63@test.local");
  const center = await db.center.findUniqueOrThrow({ where: { key: "samara-deti-v-seme" } });
  return { app, b, db, center };
}

/** "Where would it go?" for a P2 family conflict in Samara region at a local time: open or closed. */
async function openAt(b: Browser, local: string): Promise<boolean> {
  const res = await b.get(`/admin/63/where?categories=family_conflict&urgency=P2&time=${encodeURIComponent(local)}`);
  expect(res.statusCode).toBe(200);
  expect(res.body).toContain("Служба «Дети в семье» Самарской области");
  // "the center works / is closed at that time" (the wording of the where page).
  if (/центр (сейчас|в это время) работает/.test(res.body)) return true;
  expect(res.body).toMatch(/центр (сейчас|в это время) закрыт/);
  return false;
}

const base = {
  key: "samara-deti-v-seme",
  name: "Служба «Дети в семье» Самарской области",
  kind: "family_service",
  publicPhone: "+7 846 123-45-67",
};
const weekdays = (from: string, to: string) =>
  Object.fromEntries(["mon", "tue", "thu", "fri"].flatMap((d) => [[`h_${d}_0_from`, from], [`h_${d}_0_to`, to]]));

describe("working hours as a weekday grid", () => {
  it("saves a lunch break, closed dates and public holidays, and routing sees the center closed then", async () => {
    const { b, db, center } = await setup();
    const form = await b.get(`/admin/63/centers/${center.id}`);
    expect(form.body).toContain('name="h_mon_0_from" value="09:00"');
    expect(form.body).not.toContain("JSON");

    const url = `/admin/63/centers/${center.id}`;
    const res = await b.postForm(url, {
      ...base,
      ...weekdays("09:00", "18:00"),
      h_wed_0_from: "09:00",
      h_wed_0_to: "13:00",
      h_wed_1_from: "14:00",
      h_wed_1_to: "18:00",
      holidays: "on",
      closed: ["2027-03-15", ""],
    });
    expect(res.statusCode).toBe(303);
    const stored = JSON.parse((await db.center.findUniqueOrThrow({ where: { id: center.id } })).hours);
    expect(stored.wed).toEqual([
      ["09:00", "13:00"],
      ["14:00", "18:00"],
    ]);
    expect(stored.closed).toEqual(["2027-03-15"]);
    expect(stored.holidays).toContain("2027-01-07");
    // The phone is stored in one international format.
    expect((await db.center.findUniqueOrThrow({ where: { id: center.id } })).publicPhone).toBe("+7 846 123 45 67");

    // The form shows what was saved (round trip).
    const again = (await b.get(url)).body;
    expect(again).toContain('name="h_wed_1_from" value="14:00"');
    expect(again).toContain('value="2027-03-15"');
    expect(again).toMatch(/name="holidays" checked/);

    // 2027-01-13 is a Wednesday: open before lunch, closed during the break, open after.
    expect(await openAt(b, "2027-01-13T12:30")).toBe(true);
    expect(await openAt(b, "2027-01-13T13:30")).toBe(false);
    expect(await openAt(b, "2027-01-13T14:10")).toBe(true);
    // Thursday 7 January 2027 is Christmas (a public holiday); Thursday 14 January is an ordinary day.
    expect(await openAt(b, "2027-01-07T12:00")).toBe(false);
    expect(await openAt(b, "2027-01-14T12:00")).toBe(true);
    // Monday 15 March 2027 is the center's own closed day; Monday 22 March is not.
    expect(await openAt(b, "2027-03-15T12:00")).toBe(false);
    expect(await openAt(b, "2027-03-22T12:00")).toBe(true);
  });

  it("a center that works on holidays stays open on them; a new center keeps holidays by default", async () => {
    const { b, center } = await setup();
    const res = await b.postForm(`/admin/63/centers/${center.id}`, { ...base, ...weekdays("09:00", "18:00") });
    expect(res.statusCode).toBe(303);
    expect(await openAt(b, "2027-01-07T12:00")).toBe(true);
    expect((await b.get("/admin/63/centers/new")).body).toMatch(/name="holidays" checked/);
  });

  it("the region's holiday list is editable: a new day closes the centers that keep holidays", async () => {
    const { b, db, center } = await setup();
    await b.postForm(`/admin/63/centers/${center.id}`, { ...base, ...weekdays("09:00", "18:00"), holidays: "on" });
    const page = await b.get("/admin/63/holidays");
    expect(page.body).toContain("2027-06-12");
    expect(page.body).toContain("День России");
    // Monday 30 August 2027: not a federal holiday; the region adds it.
    expect(await openAt(b, "2027-08-30T12:00")).toBe(true);
    const dates = [...page.body.matchAll(/name="date" value="([^"]*)"/g)].map((m) => m[1] ?? "").filter(Boolean);
    const names = [...page.body.matchAll(/name="name" value="([^"]*)"/g)].map((m) => m[1] ?? "").filter(Boolean);
    expect(dates.length).toBe(names.length);
    const saved = await b.postForm("/admin/63/holidays", { date: [...dates, "2027-08-30"], name: [...names, "Региональный праздник"] });
    expect(saved.statusCode).toBe(200);
    expect(saved.body).toContain("Сохранено. Обновлены центры: 1.");
    expect(await openAt(b, "2027-08-30T12:00")).toBe(false);
    // Another region's list is untouched.
    expect((await db.region.findUniqueOrThrow({ where: { code: "67" } })).holidays).toBeNull();
    // Back to the standard list: the regional day is gone again.
    await b.postForm("/admin/63/holidays", { reset: "1" });
    expect(await openAt(b, "2027-08-30T12:00")).toBe(true);
  });
});

describe("bad input on the center form: a Russian message next to the field, nothing saved, the rest kept", () => {
  const cases: [string, Record<string, string | string[]>, string, string][] = [
    ["a phone «12345»", { publicPhone: "12345" }, "publicPhone", "Проверьте номер"],
    ["an empty name", { name: "  " }, "name", "Заполните поле."],
    ["an oversized address", { address: "д".repeat(301) }, "address", "Слишком длинно."],
    ["a script in the name", { name: "<script>alert(1)</script>" }, "name", "Без HTML-тегов"],
    ["a phone sent twice (wrong type)", { publicPhone: ["+7 846 123-45-67", "+7 846 123-45-68"] }, "publicPhone", "Проверьте номер"],
    ["a key another center has", { key: "samara-crisis-line" }, "key", "Такой ключ уже есть."],
    ["a time that does not exist", { h_mon_0_from: "25:00", h_mon_0_to: "18:00" }, "hours_mon", "Время в формате ЧЧ:ММ."],
    ["an interval that ends before it starts", { h_tue_0_from: "18:00", h_tue_0_to: "09:00" }, "hours_tue", "раньше конца"],
    ["overlapping intervals", { h_wed_0_from: "09:00", h_wed_0_to: "14:00", h_wed_1_from: "13:00", h_wed_1_to: "18:00" }, "hours_wed", "Интервалы пересекаются."],
    ["half an interval", { h_thu_0_from: "09:00", h_thu_0_to: "" }, "hours_thu", "и начало, и конец"],
    ["a closed date twice", { closed: ["2027-03-15", "2027-03-15"] }, "closed", "указана дважды"],
    ["a closed date that does not exist", { closed: ["2027-02-30"] }, "closed", "ГГГГ-ММ-ДД"],
  ];
  it.each(cases)("%s", async (_name, bad, _field, message) => {
    const { b, db, center } = await setup();
    const before = await db.center.findUniqueOrThrow({ where: { id: center.id } });
    const res = await b.postForm(`/admin/63/centers/${center.id}`, {
      ...base,
      address: "Самара, ул. Тестовая, 1",
      ...weekdays("09:00", "18:00"),
      ...bad,
    });
    expect(res.statusCode).toBe(400);
    // The message sits next to its field (inside its label or grid row) and is in Russian.
    const errorSpan = new RegExp(`<span class="field-error" role="alert">[^<]*${message.replace(/[.*+?^${}()|[\]\\«»]/g, "\\$&")}`);
    expect(res.body).toMatch(errorSpan);
    // Nothing saved.
    expect(await db.center.findUniqueOrThrow({ where: { id: center.id } })).toEqual(before);
    // The rest of the input is kept.
    if (!("address" in bad)) expect(res.body).toContain("Самара, ул. Тестовая, 1");
    if (!("h_mon_0_from" in bad)) expect(res.body).toContain('name="h_mon_0_from" value="09:00"');
  });

  it("a new center with a bad phone is not created, and the message is in Russian", async () => {
    const { b, db } = await setup();
    const res = await b.postForm("/admin/63/centers/new", { key: "new-one", name: "Новый центр", publicPhone: "12345", ...weekdays("09:00", "18:00") }, "/admin/63/centers/new");
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("Проверьте номер: нужен действующий российский номер");
    expect(res.body).toContain('value="Новый центр"');
    expect(res.body).toContain('value="12345"');
    expect(await db.center.findUnique({ where: { key: "new-one" } })).toBeNull();
  });
});

describe("bad input on the holiday list", () => {
  const cases: [string, Record<string, string | string[]>, string][] = [
    ["a day without a name", { date: ["2027-08-30"], name: [""] }, "Заполните поле."],
    ["a date that does not exist", { date: ["2027-02-30"], name: ["Праздник"] }, "ГГГГ-ММ-ДД"],
    ["the same date twice", { date: ["2027-08-30", "2027-08-30"], name: ["Один", "Другой"] }, "указана дважды"],
    ["a script in the name", { date: ["2027-08-30"], name: ['<img src=x onerror="alert(1)">'] }, "Без HTML-тегов"],
    ["an oversized name", { date: ["2027-08-30"], name: ["я".repeat(201)] }, "Слишком длинно."],
  ];
  it.each(cases)("%s", async (_name, form, message) => {
    const { b, db } = await setup();
    const res = await b.postForm("/admin/63/holidays", form);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("ничего не сохранено");
    expect(res.body).toMatch(new RegExp(`<span class="field-error" role="alert">[^<]*${message.replace(/[.*+?^${}()|[\]\\«»]/g, "\\$&")}`));
    expect((await db.region.findUniqueOrThrow({ where: { code: "63" } })).holidays).toBeNull();
    // The rows as typed are kept (escaped).
    expect(res.body).toContain(`value="${(form.date as string[])[0]}"`);
    expect(res.body).not.toContain("<img src=x");
  });
});

describe("audit log in words", () => {
  it("names people and objects and links to them instead of showing ids", async () => {
    const { app, b, db, center } = await setup();
    await b.postForm(`/admin/63/centers/${center.id}`, { ...base, ...weekdays("09:00", "18:00") });
    const op = await db.staffUser.findUniqueOrThrow({ where: { email: "op63@test.local" } });
    await b.postForm(`/admin/63/users/${op.id}/active`, { active: "false" }, "/admin/63/users");
    const req = await db.request.create({
      data: {
        number: "63-00777",
        channel: "telegram",
        categories: "[]",
        urgency: "P2",
        regionCode: "63",
        queueId: (await db.queue.findUniqueOrThrow({ where: { key: "samara-default" } })).id,
        routingReason: "region_default",
        routingExplanation: "—",
        dueAt: new Date("2025-03-15T09:00:00Z"),
      },
    });
    await db.auditLog.create({
      data: { actorType: "system", action: "request.overflow_untaken", entityType: "request", entityId: String(req.id), regionCode: "63", requestId: req.id },
    });
    const res = await b.get("/admin/63/audit");
    expect(res.statusCode).toBe(200);
    const text = res.body.replace(/<[^>]+>/g, " ");
    expect(res.body).toContain(`<a href="/admin/63/centers/${center.id}">Служба «Дети в семье» Самарской области</a>`);
    expect(text).toContain("центр изменён");
    expect(text).toContain("сотрудник отключён");
    expect(text).toMatch(/Сотрудник:\s+op63/);
    expect(res.body).toContain('<a href="/requests/63-00777">63-00777</a>');
    expect(text).toContain("система");
    expect(text).toContain("не взята вовремя");
    // No ids or codes as visible text.
    for (const raw of [center.id, op.id, "samara-deti-v-seme", "center:", "staff_user", "request.overflow_untaken"]) expect(text).not.toContain(raw);
    void app;
  });
});

describe("routing-file upload and rules speak Russian", () => {
  const english = /\b(unknown|invalid|expected|must|required|duplicate|belongs|points at|is inactive|Unexpected token|JSON at position)\b/;
  type Entry = Record<string, unknown>;
  type FileJson = { centers: { 0: Entry & { hours: Entry } }; queues: { 0: Entry; 1: Entry }; rules: { 0: Entry } };
  async function upload(b: Browser, mutate: (f: FileJson) => void) {
    const file = JSON.parse((await b.get("/admin/63/routing-file.json")).body);
    mutate(file);
    return b.postForm("/admin/63/routing-file", { json: JSON.stringify(file) }, "/admin/63/routing-file");
  }
  const errorsOf = (html: string) => /<div class="error" role="alert">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? "";

  it.each([
    ["a bad key", (f: FileJson) => { f.centers[0].key = "Плохой ключ"; }, "Ключ «Плохой ключ»: 1–64 строчные латинские буквы"],
    ["an unknown field", (f: FileJson) => { f.centers[0].colour = "red"; }, "Неизвестное поле «colour»"],
    ["a time that does not exist", (f: FileJson) => { f.centers[0].hours.mon = [["9:00", "18:00"]]; }, "Время «9:00» — нужно ЧЧ:ММ"],
    ["night hours in one interval", (f: FileJson) => { f.centers[0].hours.mon = [["20:00", "08:00"]]; }, "начало должно быть раньше конца"],
    ["an unknown queue", (f: FileJson) => { f.rules[0].queue = "no-such-queue"; }, "Нет очереди «no-such-queue»"],
    ["a repeated key", (f: FileJson) => { f.queues[1].key = f.queues[0].key; }, "повторяется"],
    ["an unknown urgency", (f: FileJson) => { f.rules[0].urgency = "P9"; }, "Неизвестная срочность «P9»"],
    ["a missing name", (f: FileJson) => { delete f.centers[0].name; }, "Обязательное поле не заполнено."],
    ["a phone «12345»", (f: FileJson) => { f.centers[0].publicPhone = "12345"; }, "Телефон «12345» не похож на номер."],
  ])("%s", async (_name, mutate, message) => {
    const { b, db } = await setup();
    const before = await db.center.findMany({ orderBy: { key: "asc" } });
    const res = await upload(b, mutate);
    expect(res.statusCode).toBe(400);
    const errors = errorsOf(res.body);
    expect(errors).toContain(message);
    expect(errors).not.toMatch(english);
    expect(await db.center.findMany({ orderBy: { key: "asc" } })).toEqual(before);
  });

  it("a broken JSON says where, in Russian, and keeps the text", async () => {
    const { b } = await setup();
    const res = await b.postForm("/admin/63/routing-file", { json: '{\n  "version": 1,\n  "region": "63"\n  "centers": []\n}' }, "/admin/63/routing-file");
    expect(res.statusCode).toBe(400);
    expect(errorsOf(res.body)).toMatch(/Это не JSON: ошибка в строке 4/);
    expect(errorsOf(res.body)).not.toMatch(english);
    expect(res.body).toContain("&quot;centers&quot;: []");
  });

  it("problems under rules are in Russian too", async () => {
    const { b, db } = await setup();
    // Two equally specific rules with the same priority: ambiguous.
    const rule = await db.routingRule.findFirstOrThrow({ where: { regionCode: "63", key: "acute-crisis-line" } });
    await db.routingRule.create({ data: { key: "acute-twin", regionCode: "63", categories: rule.categories, queueId: rule.queueId, priority: rule.priority } });
    const res = await b.get("/admin/63/rules");
    const errors = errorsOf(res.body);
    expect(errors).toContain("так же конкретно и с тем же приоритетом");
    expect(errors).not.toMatch(english);
  });
});
