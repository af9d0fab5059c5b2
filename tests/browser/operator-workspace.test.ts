// The operator's workspace in real headless Chromium: safe contact, live queue over Server-Sent
// Events with a desktop notification for a new P0, keyboard shortcuts; and every page at 390 px
// without sideways scroll and with no critical or serious axe-core violation.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { FastifyInstance } from "fastify";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import { createFamilyMessenger } from "../../src/handoff/family-messages.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { buildAdminTestApp, makeRequest, PASSWORD, seedWorld } from "../web/helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const hour = 3600_000;

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

/** axe-core in the page (evaluated over CDP, so the page's CSP does not block it). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate(
    "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => ({ target: n.target })) })))",
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === "critical" || v.impact === "serious")
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
}

async function overflow(page: Page): Promise<number> {
  return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") as Promise<number>;
}

describe.skipIf(!hasChromium)("operator's workspace in Chromium", () => {
  let t: TempDb;
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  let w: Awaited<ReturnType<typeof seedWorld>>;
  const at = (ms: number) => new Date(Date.now() + ms);

  beforeAll(async () => {
    t = await createTempDb();
    w = await seedWorld(t.db);
    await makeRequest(t.db, { number: "63-00201", queueId: w.queues.samara, regionCode: "63", urgency: "P2", createdAt: at(-26 * hour), dueAt: at(46 * hour), description: "Сын-подросток не ходит в школу\nподробности" });
    await makeRequest(t.db, { number: "63-00202", queueId: w.queues.samara, regionCode: "63", urgency: "P1", categories: ["housing"], createdAt: at(-28 * hour), dueAt: at(-4 * hour) });
    const unsafe = await makeRequest(t.db, {
      number: "63-00203",
      queueId: w.queues.samara,
      regionCode: "63",
      urgency: "P0",
      categories: ["violence"],
      createdAt: at(-5 * 60_000),
      dueAt: at(55 * 60_000),
      description: "Муж угрожает, пишу из ванной",
      answers: { dangerNow: true, safeNow: "unsafe" },
    });
    await t.db.request.update({ where: { id: unsafe.id }, data: { contactMethod: "message" } });
    await makeRequest(t.db, { number: "63-00204", queueId: w.queues.samara, regionCode: "63", urgency: "P2", status: "closed", createdAt: at(-50 * hour) });
    await makeRequest(t.db, { number: "67-00201", queueId: w.queues.smolensk, regionCode: "67", urgency: "P0", createdAt: at(-60_000) });
    // 63-00201 came from Telegram: the operator can write to the family, with a canned reply.
    const conv = await t.db.conversation.create({ data: { channel: "telegram", chatId: "9001", userId: "9001", state: "{}", stateVersion: 1, locale: "ru" } });
    await t.db.request.update({ where: { number: "63-00201" }, data: { conversationId: conv.id } });
    const samara = await t.db.center.findUniqueOrThrow({ where: { key: "samara-deti-v-seme" } });
    await t.db.cannedReply.create({ data: { centerId: samara.id, title: "Когда позвонить", text: "Здравствуйте! Это {operator}. Когда вам удобно поговорить?" } });
    // The dialog service too, so that "try the dialog" is among the pages checked.
    const service = createDialogService({
      db: t.db,
      log: createLogger({ level: "silent" }),
      i18n: createI18n(),
      clock: () => new Date(),
      config: { consentVersion: "test-1", publicBaseUrl: "http://127.0.0.1", operatorName: "Test operator" },
    });
    app = await buildAdminTestApp({ db: t.db, clock: () => new Date(), family: createFamilyMessenger({ i18n: createI18n() }), service });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.cleanup();
  });

  async function login(ctx: BrowserContext, email: string): Promise<Page> {
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL((u) => !u.pathname.startsWith("/login"));
    return page;
  }

  it("an 'unsafe, write only' family: marked in the queue, warned on the page, and the call needs 'call anyway'", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: "ru-RU" });
    const page = await login(ctx, "op63@test.local");
    await page.goto(`${base}/queue`);
    const row = page.locator('tr[data-number="63-00203"]');
    expect(await row.locator(".caution").allTextContents()).toEqual(["⚠ Небезопасно", "✉ Только писать"]);
    await page.goto(`${base}/requests/63-00203`);
    expect(await page.locator("#contact-caution").isVisible()).toBe(true);
    expect(await page.locator("#contact-caution").textContent()).toContain("Мне небезопасно");
    // No call link a thumb can hit: the only tel: link is hidden until "call anyway" is opened.
    const tel = page.locator('a[href^="tel:"]');
    expect(await tel.count()).toBe(1);
    expect(await tel.isVisible()).toBe(false);
    await page.click("details.call-anyway summary");
    expect(await tel.isVisible()).toBe(true);
    expect(await page.locator("details.call-anyway .caution-text").isVisible()).toBe(true);
    // An ordinary request keeps its one-tap link.
    await page.goto(`${base}/requests/63-00201`);
    expect(await page.locator('a[href^="tel:"]').isVisible()).toBe(true);
    // A canned reply goes into the message box, with the operator's name filled in.
    await page.selectOption("#canned-reply", { label: "Когда позвонить" });
    expect(await page.inputValue("#message-text")).toBe("Здравствуйте! Это op63. Когда вам удобно поговорить?");
    await ctx.close();
  });

  it("a new P0 arrives over Server-Sent Events without a reload, with a desktop notification the operator turned on", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: "ru-RU" });
    await ctx.grantPermissions(["notifications"], { origin: base });
    // Record notifications the page shows (headless Chromium shows none on screen).
    await ctx.addInitScript(`
      window.__shown = [];
      const Real = window.Notification;
      class Recording extends Real {
        constructor(title, opts) { super(title, opts); window.__shown.push(title); }
        static get permission() { return Real.permission; }
        static requestPermission() { return Real.requestPermission(); }
      }
      window.Notification = Recording;
      window.__beeps = 0;
      const realStart = OscillatorNode.prototype.start;
      OscillatorNode.prototype.start = function (...args) { window.__beeps += 1; return realStart.apply(this, args); };
    `);
    const page = await login(ctx, "op63@test.local");
    await page.goto(`${base}/queue`);
    await page.waitForSelector('#queue-live[data-live="stream"]');
    await page.evaluate("window.__sameDocument = true");
    await page.click("#p0-notify");
    await expect.poll(() => page.locator("#p0-notify-state").textContent()).toContain("включены");
    const beepsBefore = (await page.evaluate("window.__beeps")) as number;
    const updated = page.evaluate("new Promise((resolve) => document.addEventListener('opora:queue-updated', () => resolve(true), { once: true }))");
    await page.waitForTimeout(300);
    const started = Date.now();
    await makeRequest(t.db, { number: "63-00299", queueId: w.queues.samara, regionCode: "63", urgency: "P0", categories: ["suicide_crisis"], createdAt: new Date(), dueAt: at(hour) });
    await page.waitForSelector('tr[data-number="63-00299"]', { timeout: 8000 });
    await updated;
    // Faster than the 10 s polling fallback: the stream told the page.
    expect(Date.now() - started).toBeLessThan(6000);
    expect(await page.evaluate("window.__sameDocument")).toBe(true);
    await expect.poll(() => page.evaluate("window.__shown")).toEqual(["Новая заявка P0: 63-00299"]);
    expect(await page.locator(".banner-p0.fresh").count()).toBe(1);
    // The sound: two short tones.
    expect(((await page.evaluate("window.__beeps")) as number) - beepsBefore).toBe(2);
    // The page is on the stream, not on the polling fallback.
    expect(await page.locator("#queue-live").getAttribute("data-live")).toBe("stream");
    // Another center's P0 never reaches this operator.
    expect(await page.locator('tr[data-number="67-00201"]').count()).toBe(0);
    await t.db.request.update({ where: { number: "63-00299" }, data: { status: "closed", closedAt: new Date() } });
    await ctx.close();
  }, 30_000);

  it("j/k move through the queue, Enter opens, t takes; the keys are listed on the page", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: "ru-RU" });
    const page = await login(ctx, "op63@test.local");
    await page.goto(`${base}/queue`);
    expect(await page.locator("dl.shortcuts").textContent()).toContain("взять выбранную в работу");
    const order = await page.locator("table.queue tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-number")));
    expect(order[0]).toBe("63-00203");
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    await page.keyboard.press("k");
    expect(await page.locator("tr.selected").getAttribute("data-number")).toBe(order[1]);
    await page.keyboard.press("Enter");
    await page.waitForURL(new RegExp(`/requests/${order[1]}$`));
    await page.goBack();
    await page.waitForURL(/\/queue/);
    await page.keyboard.press("j");
    await page.keyboard.press("t");
    await page.waitForURL(new RegExp(`/requests/${order[0]}$`));
    const taken = await t.db.request.findUniqueOrThrow({ where: { number: order[0] ?? "" } });
    expect(taken.assigneeId).toBe(w.ids.opSamara);
    // Typing in the search box is not a shortcut.
    await page.goto(`${base}/queue`);
    await page.fill('input[name="q"]', "jjt");
    expect(await page.locator("tr.selected").count()).toBe(0);
    await t.db.request.update({ where: { number: order[0] ?? "" }, data: { assigneeId: null, status: "new" } });
    await ctx.close();
  }, 30_000);

  // Every page a person opens, at phone width: no sideways scroll, no critical/serious axe finding.
  const operatorPages = ["/queue", "/queue?view=closed", "/queue?q=нет-такого", "/requests/63-00203", "/requests/63-00201", "/requests/63-00204", "/account"];
  const adminPages = [
    "/admin",
    "/admin/63",
    "/admin/63/centers",
    "/admin/63/centers/new",
    "/admin/63/queues",
    "/admin/63/queues/new",
    "/admin/63/municipalities",
    "/admin/63/municipalities/new",
    "/admin/63/rules",
    "/admin/63/rules/new",
    "/admin/63/where",
    "/admin/63/coverage",
    "/admin/63/routing-file",
    "/admin/63/users",
    "/admin/63/replies",
    "/admin/63/audit",
    "/admin/63/stats",
    "/admin/63/try",
  ];

  /** Pages of one object each (the center's hours grid, a queue, a rule…), known once the world is seeded. */
  async function detailPages(who: string): Promise<string[]> {
    if (who !== "admin63@test.local") return [];
    const center = await t.db.center.findUniqueOrThrow({ where: { key: "samara-deti-v-seme" } });
    const queue = await t.db.queue.findFirstOrThrow({ where: { centerId: center.id } });
    const municipality = await t.db.municipality.findFirstOrThrow({ where: { regionCode: "63" } });
    const rule = await t.db.routingRule.findFirstOrThrow({ where: { regionCode: "63" } });
    return [
      `/admin/63/centers/${center.id}`,
      `/admin/63/queues/${queue.id}`,
      `/admin/63/municipalities/${municipality.id}`,
      `/admin/63/rules/${rule.id}`,
      "/admin/63/holidays",
      "/admin/63/where?categories=family_conflict&urgency=P2",
      "/admin/63/stats?weeks=52",
    ];
  }

  it("the login page at 390 px: no sideways scroll, no serious axe violation", async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "ru-RU" });
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page)).toEqual([]);
    await ctx.close();
  });

  const superadminPages = ["/admin", "/admin/54", "/admin/54/coverage", "/admin/54/where", "/admin/72/rules", "/queue"];

  it("an error page at 390 px: no sideways scroll, no serious axe violation", async () => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "ru-RU" });
    const page = await login(ctx, "op63@test.local");
    const res = await page.goto(`${base}/requests/67-00201`);
    expect(res?.status()).toBe(404);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(await seriousViolations(page)).toEqual([]);
    await ctx.close();
  });

  for (const [who, pages] of [
    ["op63@test.local", operatorPages],
    ["admin63@test.local", adminPages],
    ["root@test.local", superadminPages],
  ] as const) {
    it(`${who}: every page at 390 px without sideways scroll and without critical or serious axe violations`, async () => {
      const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "ru-RU" });
      const page = await login(ctx, who);
      const problems: Record<string, unknown> = {};
      for (const path of [...pages, ...(await detailPages(who))]) {
        const res = await page.goto(`${base}${path}`);
        if (res?.status() !== 200) {
          problems[path] = { status: res?.status() };
          continue;
        }
        const wide = await overflow(page);
        const axe = await seriousViolations(page);
        if (wide > 0 || axe.length > 0) problems[path] = { overflowPx: wide, axe };
      }
      expect(problems).toEqual({});
      await ctx.close();
    }, 120_000);
  }
});
