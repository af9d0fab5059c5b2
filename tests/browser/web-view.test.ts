// The web view in real headless Chromium: an operator works a P0, a regional admin adds a rule.
import { existsSync, mkdirSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { buildAdminTestApp, makeRequest, NOW, PASSWORD, seedWorld } from "../web/helpers.ts";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser tests skipped: ${CHROMIUM} is not installed (apt-get install -y chromium)`);
const ARTIFACTS = "test-artifacts";

describe.skipIf(!hasChromium)("web view in Chromium", () => {
  let t: TempDb;
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  let w: Awaited<ReturnType<typeof seedWorld>>;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await createTempDb();
    w = await seedWorld(t.db);
    const hour = 3600_000;
    // Real wall clock here: the page's own timers and the session cookie use it too.
    const now = () => new Date();
    const at = (ms: number) => new Date(Date.now() + ms);
    await makeRequest(t.db, { number: "63-00101", queueId: w.queues.samara, regionCode: "63", urgency: "P2", categories: ["family_conflict"], createdAt: at(-26 * hour), dueAt: at(46 * hour) });
    await makeRequest(t.db, { number: "63-00102", queueId: w.queues.samara, regionCode: "63", urgency: "P1", categories: ["housing", "material_need"], createdAt: at(-28 * hour), dueAt: at(-4 * hour) });
    await makeRequest(t.db, {
      number: "63-00103",
      queueId: w.queues.samara,
      regionCode: "63",
      urgency: "P0",
      categories: ["child_danger"],
      createdAt: at(-10 * 60_000),
      dueAt: at(50 * 60_000),
      description: "Ребёнок один дома второй день. <script>alert('x')</script>",
    });
    app = await buildAdminTestApp({ db: t.db, clock: now });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    void NOW;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await t?.cleanup();
  });

  it("an operator logs in, sees the P0 at the top, takes it, adds a note and closes it", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: "ru-RU" });
    const page = await ctx.newPage();
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${base}/queue`);
    expect(page.url()).toContain("/login");
    await page.fill('input[name="email"]', "op63@test.local");
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/queue$/);
    await expect.poll(() => page.locator("table.queue tbody tr").count()).toBe(3);
    const first = page.locator("table.queue tbody tr").first();
    expect(await first.getAttribute("data-number")).toBe("63-00103");
    expect(await first.getAttribute("class")).toContain("p0");
    expect(await page.locator(".banner-p0").isVisible()).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/queue.png`, fullPage: true });

    await first.locator("a").first().click();
    await page.waitForURL(/\/requests\/63-00103$/);
    expect(await page.locator("p.pre").first().textContent()).toContain("<script>alert('x')</script>");
    await page.click('button[name="take"]');
    await page.waitForURL(/\/requests\/63-00103$/);
    expect(await page.locator("body").textContent()).toContain("в работе");
    await page.fill('textarea[name="text"]', "Позвонили, ребёнок у соседки, мама едет.");
    await page.click('button[name="add-note"]');
    await page.waitForURL(/\/requests\/63-00103$/);
    expect(await page.locator(".note").first().textContent()).toContain("ребёнок у соседки");
    await page.click('button[name="status"][value="contacted"]');
    await page.waitForURL(/\/requests\/63-00103$/);
    await page.screenshot({ path: `${ARTIFACTS}/request.png`, fullPage: true });
    await page.click("details.close-request summary");
    await page.check('input[name="outcome"][value="helped_phone"]');
    await page.check('input[name="confirm"]');
    await page.click('button[name="close"]');
    await page.waitForURL(/\/requests\/63-00103$/);
    const row = await t.db.request.findUniqueOrThrow({ where: { number: "63-00103" } });
    expect(row.status).toBe("resolved");
    expect(row.firstContactAt).not.toBeNull();
    expect(dialogs).toEqual([]);

    await page.goto(`${base}/queue`);
    expect(await page.locator("table.queue tbody tr").count()).toBe(2);
    await ctx.close();
  });

  it("the queue refreshes itself and a new P0 appears with the banner", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name="email"]', "op63@test.local");
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForURL(/\/queue$/);
    expect(await page.locator(".banner-p0").count()).toBe(0);
    await makeRequest(t.db, { number: "63-00104", queueId: w.queues.samara, regionCode: "63", urgency: "P0", categories: ["suicide_crisis"], createdAt: new Date(), dueAt: new Date(Date.now() + 3600_000) });
    await page.waitForSelector('.banner-p0.fresh', { timeout: 15_000 });
    expect(await page.locator("table.queue tbody tr").first().getAttribute("data-number")).toBe("63-00104");
    await ctx.close();
  }, 30_000);

  it("a regional admin adds a rule and 'where would it go' shows the new queue", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    const page = await ctx.newPage();
    await page.goto(`${base}/login`);
    await page.fill('input[name="email"]', "admin63@test.local");
    await page.fill('input[name="password"]', PASSWORD);
    await page.click('button[type="submit"]');
    await page.goto(`${base}/admin/63/rules/new`);
    await page.fill('input[name="key"]', "tolyatti-legal");
    await page.selectOption('select[name="municipalityId"]', { label: "Тольятти" });
    await page.check('input[name="categories"][value="legal_docs"]');
    const target = await t.db.queue.findUniqueOrThrow({ where: { key: "samara-team-oktyabrsk" } });
    await page.selectOption('select[name="queueId"]', target.id);
    const chosen = await page.locator('select[name="queueId"] option:checked').textContent();
    await page.click('button[type="submit"].primary');
    await page.waitForURL(/\/admin\/63\/rules$/);
    expect(await page.locator("body").textContent()).toContain("tolyatti-legal");

    await page.goto(`${base}/admin/63/where`);
    await page.selectOption('select[name="municipalityId"]', { label: "Тольятти" });
    await page.check('input[name="categories"][value="legal_docs"]');
    await page.selectOption('select[name="urgency"]', "P2");
    await page.click("#where-form button[type=submit]");
    await page.waitForSelector("#where-result");
    const queueName = (await page.locator(".where-queue").textContent()) ?? "";
    expect(chosen).toContain(queueName);
    expect(await page.locator("#where-result").textContent()).toContain("tolyatti-legal");
    await page.screenshot({ path: `${ARTIFACTS}/where.png`, fullPage: true });
    await page.goto(`${base}/admin/63/coverage`);
    await page.screenshot({ path: `${ARTIFACTS}/coverage.png`, fullPage: true });
    await ctx.close();
  });
});
