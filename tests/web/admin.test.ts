import { describe, expect, it } from "vitest";
import { createI18n } from "../../src/i18n/i18n.ts";
import { Browser, makeRequest, NOW } from "./helpers.ts";
import { webWorld } from "./web-world.ts";

const setup = webWorld();

describe("regional admin scope", () => {
  it("a regional admin of 67 cannot see or touch the rules of 63; operators get no admin pages", async () => {
    const { app, db } = await setup();
    const rule = await db.routingRule.findFirstOrThrow({ where: { regionCode: "63" } });
    const b = new Browser(app);
    await b.login("admin67@test.local");
    expect((await b.get("/admin")).headers.location).toBe("/admin/67");
    expect((await b.get("/admin/67/rules")).statusCode).toBe(200);
    for (const url of ["/admin/63", "/admin/63/rules", `/admin/63/rules/${rule.id}`, "/admin/63/stats.csv", "/admin/63/routing-file.json", "/admin/63/coverage"]) {
      expect((await b.get(url)).statusCode, url).toBe(404);
    }
    // Editing the 63 rule through the 67 URL is not possible either.
    expect((await b.get(`/admin/67/rules/${rule.id}`)).statusCode).toBe(404);
    const post = await b.postForm(`/admin/63/rules/${rule.id}/active`, { active: "false" }, "/admin/67/rules");
    expect(post.statusCode).toBe(404);
    const post2 = await b.postForm(`/admin/67/rules/${rule.id}/active`, { active: "false" }, "/admin/67/rules");
    expect(post2.statusCode).toBe(404);
    expect((await db.routingRule.findUniqueOrThrow({ where: { id: rule.id } })).active).toBe(true);
    const op = new Browser(app);
    await op.login("op63@test.local");
    expect((await op.get("/admin")).statusCode).toBe(404);
    expect((await op.get("/admin/63/rules")).statusCode).toBe(404);
    const root = new Browser(app);
    await root.login("root@test.local");
    expect((await root.get("/admin")).statusCode).toBe(200);
    expect((await root.get("/admin/63/rules")).statusCode).toBe(200);
  });
});

describe("rules", () => {
  it("creates a rule, and 'where would it go' then answers with its queue", async () => {
    const { app, db } = await setup();
    const tolyatti = await db.municipality.findFirstOrThrow({ where: { regionCode: "63", key: "tolyatti" } });
    const queue = await db.queue.findUniqueOrThrow({ where: { key: "samara-team-oktyabrsk" } });
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const before = await b.get(`/admin/63/where?municipalityId=${tolyatti.id}&categories=housing&urgency=P2`);
    expect(before.statusCode).toBe(200);
    expect(before.body).not.toContain(`class="where-queue">${queue.name}<`);
    const res = await b.postForm(
      "/admin/63/rules/new",
      { key: "tolyatti-housing", municipalityId: tolyatti.id, categories: ["housing"], urgency: "", queueId: queue.id, priority: "0", note: "" },
      "/admin/63/rules/new",
    );
    expect(res.statusCode).toBe(303);
    const rule = await db.routingRule.findFirstOrThrow({ where: { regionCode: "63", key: "tolyatti-housing" } });
    expect(JSON.parse(rule.categories)).toEqual(["housing"]);
    expect(await db.auditLog.count({ where: { action: "rule.create", regionCode: "63" } })).toBe(1);
    const after = await b.get(`/admin/63/where?municipalityId=${tolyatti.id}&categories=housing&urgency=P2&time=2025-03-12T12:00`);
    expect(after.body).toContain(`class="where-queue">${queue.name}<`);
    expect(after.body).toContain("tolyatti-housing");
  });

  it("shows validation messages next to the field at fault: key, missing queue, ambiguity", async () => {
    const { app, db } = await setup();
    const queue = await db.queue.findUniqueOrThrow({ where: { key: "samara-default" } });
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const badKey = await b.postForm("/admin/63/rules/new", { key: "Плохой ключ", queueId: queue.id }, "/admin/63/rules/new");
    expect(badKey.statusCode).toBe(400);
    expect(badKey.body).toMatch(/<span class="field-error" role="alert">Ключ: 1–64/);
    const missing = await b.postForm("/admin/63/rules/new", { key: "x1", queueId: "no-such-queue", categories: "housing" }, "/admin/63/rules/new");
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain("Такой очереди нет.");
    const smolensk = await db.queue.findUniqueOrThrow({ where: { key: "smolensk-default" } });
    const foreign = await b.postForm("/admin/63/rules/new", { key: "x2", queueId: smolensk.id, categories: "housing" }, "/admin/63/rules/new");
    expect(foreign.body).toContain("Очередь принадлежит центру другого региона.");
    await b.postForm("/admin/63/rules/new", { key: "a1", queueId: queue.id, categories: "legal_docs", priority: "5" }, "/admin/63/rules/new");
    const amb = await b.postForm("/admin/63/rules/new", { key: "a2", queueId: queue.id, categories: "legal_docs", priority: "5" }, "/admin/63/rules/new");
    expect(amb.statusCode).toBe(400);
    expect(amb.body).toContain("заявка может подойти под оба");
    const badPriority = await b.postForm("/admin/63/rules/new", { key: "a3", queueId: queue.id, priority: "abc" }, "/admin/63/rules/new");
    expect(badPriority.body).toContain("Приоритет — целое число");
    expect(await db.routingRule.count({ where: { key: { in: ["x1", "x2", "a2", "a3"] } } })).toBe(0);
  });

  it("shows the coverage matrix and validates the 'where' form", async () => {
    const { app } = await setup();
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const cov = await b.get("/admin/63/coverage?urgency=P1");
    expect(cov.statusCode).toBe(200);
    expect(cov.body).toContain("Сызрань");
    expect(cov.body).toContain('class="coverage"');
    const bad = await b.get("/admin/63/where?urgency=P7");
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("field-error");
  });

  it("downloads and re-uploads the routing file; a broken file changes nothing", async () => {
    const { app, db } = await setup();
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const file = await b.get("/admin/63/routing-file.json");
    expect(file.statusCode).toBe(200);
    const json = JSON.parse(file.body);
    expect(json.region).toBe("63");
    const rulesBefore = await db.routingRule.count({ where: { regionCode: "63", active: true } });
    const broken = { ...json, rules: [...json.rules, { key: "bad", queue: "no-such-queue" }] };
    const res = await b.postForm("/admin/63/routing-file", { json: JSON.stringify(broken) }, "/admin/63/routing-file");
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain("rules[");
    expect(await db.routingRule.count({ where: { regionCode: "63", active: true } })).toBe(rulesBefore);
    const other = await b.postForm("/admin/63/routing-file", { json: JSON.stringify({ ...json, region: "67" }) }, "/admin/63/routing-file");
    expect(other.statusCode).toBe(400);
    const notJson = await b.postForm("/admin/63/routing-file", { json: "{nope" }, "/admin/63/routing-file");
    expect(notJson.statusCode).toBe(400);
    const ok = await b.postForm("/admin/63/routing-file", { json: file.body }, "/admin/63/routing-file");
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain("Файл загружен");
  });
});

describe("centers, queues, municipalities", () => {
  it("creates and edits a center with field errors, and refuses to deactivate a queue with open requests", async () => {
    const { app, w, db } = await setup();
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const bad = await b.postForm("/admin/63/centers/new", { key: "new-center", name: "", publicPhone: "abc", h_mon_0_from: "18:00", h_mon_0_to: "09:00" }, "/admin/63/centers/new");
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain("Заполните поле.");
    expect(bad.body).toContain("Проверьте номер");
    expect(bad.body).toContain("Начало интервала должно быть раньше конца");
    const ok = await b.postForm(
      "/admin/63/centers/new",
      { key: "new-center", name: "Новый <центр>", publicPhone: "+7 846 000-00-00", h_mon_0_from: "09:00", h_mon_0_to: "18:00", is24x7: "on" },
      "/admin/63/centers/new",
    );
    expect(ok.statusCode).toBe(303);
    const center = await db.center.findUniqueOrThrow({ where: { key: "new-center" } });
    expect(center).toMatchObject({ regionCode: "63", is24x7: true, name: "Новый <центр>" });
    expect((await b.get("/admin/63/centers")).body).toContain("Новый &lt;центр&gt;");
    const q = await b.postForm("/admin/63/queues/new", { key: "new-queue", name: "Новая очередь", centerId: center.id }, "/admin/63/queues/new");
    expect(q.statusCode).toBe(303);

    await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
    const form = await b.get(`/admin/63/queues/${w.queues.samara}`);
    expect(form.body).toContain("Сначала передайте их в другую очередь");
    const deact = await b.postForm(`/admin/63/queues/${w.queues.samara}/active`, { active: "false" }, `/admin/63/queues/${w.queues.samara}`);
    expect(deact.statusCode).toBe(409);
    expect((await db.queue.findUniqueOrThrow({ where: { id: w.queues.samara } })).active).toBe(true);
    const m = await b.postForm("/admin/63/municipalities/new", { key: "novokuybyshevsk", name: "Новокуйбышевск", aliases: "Новокуйбышевске, Новокуйбышевска" }, "/admin/63/municipalities/new");
    expect(m.statusCode).toBe(303);
    expect(JSON.parse((await db.municipality.findFirstOrThrow({ where: { key: "novokuybyshevsk" } })).aliases)).toHaveLength(2);
    // 67's admin cannot open 63's queue through its own URL.
    const a67 = new Browser(app);
    await a67.login("admin67@test.local");
    expect((await a67.get(`/admin/67/queues/${w.queues.samara}`)).statusCode).toBe(404);
  });
});

describe("users, audit, statistics", () => {
  it("lists the region's staff and audit log, and exports statistics without personal data or test requests", async () => {
    const { app, w, db } = await setup();
    await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", categories: ["housing", "material_need"], urgency: "P1", description: "секрет семьи" });
    const r2 = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", categories: ["housing"] });
    await db.request.update({ where: { id: r2.id }, data: { firstContactAt: new Date(r2.createdAt.getTime() + 90 * 60_000) } });
    await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", categories: ["violence"], isTest: true });
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const users = await b.get("/admin/63/users");
    expect(users.body).toContain("op63@test.local");
    expect(users.body).not.toContain("op67@test.local");
    expect((await b.get("/admin/63/audit")).statusCode).toBe(200);
    const stats = await b.get("/admin/63/stats");
    expect(stats.body).toContain("Всего заявок: 2");
    const csv = await b.get("/admin/63/stats.csv");
    expect(csv.headers["content-type"]).toContain("text/csv");
    expect(csv.body).toContain('"63","category","housing","","2"');
    expect(csv.body).toContain('"63","category","violence","","0"');
    expect(csv.body).toContain('"63","first_contact_median_minutes","P2","","90"');
    expect(csv.body).not.toMatch(/секрет|Мария|\+7999/);
  });

  it("the try-the-dialog page says the dialog is missing when no service is wired", async () => {
    const { app } = await setup();
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const res = await b.get("/admin/63/try");
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain("Диалог недоступен");
  });
});

describe("texts", () => {
  it("has every web- text in both languages", () => {
    const i18n = createI18n();
    const ru = i18n.keys("ru").filter((k) => k.startsWith("web-"));
    const en = new Set(i18n.keys("en").filter((k) => k.startsWith("web-")));
    expect(ru.filter((k) => !en.has(k))).toEqual([]);
    expect(ru.length).toBe(en.size);
  });
});
void NOW;

describe("'where would it go?' as it first opens", () => {
  /** The query a browser sends for the form as it stands (selected options, ticked boxes, inputs). */
  function formQuery(html: string, formId: string): URLSearchParams {
    const form = new RegExp(`<form[^>]*id="${formId}"[\\s\\S]*?</form>`).exec(html)?.[0] ?? "";
    const q = new URLSearchParams();
    const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
    for (const [, open = "", body = ""] of form.matchAll(/(<select[^>]*>)([\s\S]*?)<\/select>/g)) {
      const chosen = [...body.matchAll(/<option[^>]*>/g)].map((m) => m[0]).find((o) => /\bselected\b/.test(o)) ?? /<option[^>]*>/.exec(body)?.[0];
      if (chosen) q.append(attr(open, "name") ?? "", attr(chosen, "value") ?? "");
    }
    for (const [tag] of form.matchAll(/<input[^>]*>/g)) {
      const type = attr(tag, "type") ?? "text";
      const name = attr(tag, "name");
      if (!name || type === "submit") continue;
      if ((type === "checkbox" || type === "radio") && !/\bchecked\b/.test(tag)) continue;
      q.append(name, attr(tag, "value") ?? (type === "checkbox" ? "on" : ""));
    }
    return q;
  }

  it("opens already answered, with nothing required left empty, and submitting it unchanged answers again", async () => {
    const { app } = await setup();
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const first = await b.get("/admin/63/where");
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('id="where-result"');
    expect(first.body).not.toContain("field-error");
    // No field the browser would stop on («Заполните поле»): nothing required and empty.
    const form = /<form[^>]*id="where-form"[\s\S]*?<\/form>/.exec(first.body)?.[0] ?? "";
    for (const [tag] of form.matchAll(/<(?:input|select|textarea)[^>]*\brequired\b[^>]*>/g)) expect(tag).toMatch(/\bvalue="[^"]+"/);
    const query = formQuery(first.body, "where-form");
    expect(query.getAll("categories").length).toBeGreaterThan(0);
    const again = await b.get(`/admin/63/where?${query}`);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('id="where-result"');
    expect(again.body).not.toContain("field-error");
  });
});
