// Bad input: oversized and nested bodies on every route (checked before parsing), forged session
// cookies, replayed CSRF tokens, a center website that is not http(s), a typed chat id, a
// read-only database. Each gets a clear 4xx (or one line), stores nothing, and the service stays up.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { describe, expect, it, vi } from "vitest";
import { createAdminPlugin } from "../../src/admin/admin-plugin.ts";
import { maxWebhookPlugin } from "../../src/channels/max/max-webhook.ts";
import { telegramWebhookPlugin } from "../../src/channels/telegram/telegram-webhook.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { createHttpServer } from "../../src/http/server.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import type { TempDb } from "../helpers/temp-db.ts";
import { Browser, NOW, PASSWORD } from "../web/helpers.ts";
import { seededDbPerTest } from "../web/seeded-db.ts";

const SECRET = "webhook-secret-0123456789";
const seeded = seededDbPerTest();

async function setup() {
  const t = await seeded();
  const log = createLogger({ level: "silent" });
  const app = createHttpServer({ db: t.db, log, trustProxy: false, publicBaseUrl: "http://127.0.0.1" });
  const accepted: unknown[] = [];
  const channel = { accepting: true, accept: async (u: unknown) => void accepted.push(u) };
  await app.register(telegramWebhookPlugin(channel as never, { secret: SECRET }));
  await app.register(maxWebhookPlugin(channel as never, { secret: SECRET }));
  await app.register(
    createAdminPlugin({
      db: t.db,
      log,
      i18n: createI18n(),
      clock: () => NOW,
      config: { publicBaseUrl: "http://127.0.0.1", sessionSecret: "s".repeat(48), cookieSecure: false },
    }),
  );
  await app.ready();
  return { app, db: t.db, accepted };
}

const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
const WEBHOOKS = [
  { url: "/webhooks/telegram", header: "x-telegram-bot-api-secret-token" },
  { url: "/webhooks/max", header: "x-max-bot-api-secret" },
];

async function tableCounts(db: TempDb["db"]) {
  return {
    sessions: await db.staffSession.count(),
    inbound: await db.inboundUpdate.count(),
    processed: await db.processedUpdate.count(),
    audit: await db.auditLog.count(),
  };
}

/** How often JSON.parse was handed a text this long (the nested bodies must never get there). */
function watchParse(minLength: number) {
  const original = JSON.parse;
  let calls = 0;
  const spy = vi.spyOn(JSON, "parse").mockImplementation((text: string, reviver?: Parameters<typeof JSON.parse>[1]) => {
    if (typeof text === "string" && text.length >= minLength) calls++;
    return original(text, reviver);
  });
  return { calls: () => calls, restore: () => spy.mockRestore() };
}

async function healthyQuickly(app: FastifyInstance) {
  const started = performance.now();
  const res = await app.inject({ url: "/healthz" });
  expect(res.statusCode).toBe(200);
  return performance.now() - started;
}

describe("bodies are limited before parsing", () => {
  it("webhooks: a nested or oversized body with the right secret is answered 200 (so the messenger stops re-sending) and dropped", async () => {
    const { app, db, accepted } = await setup();
    const before = await tableCounts(db);
    for (const w of WEBHOOKS) {
      const deep = nested(500_000);
      const parse = watchParse(deep.length);
      const res = await app.inject({ method: "POST", url: w.url, headers: { "content-type": "application/json", [w.header]: SECRET }, payload: deep });
      parse.restore();
      expect(parse.calls(), "the nested body reached JSON.parse").toBe(0);
      expect(res.statusCode, w.url).toBe(200);
      expect(res.json()).toMatchObject({ ok: false, dropped: true });
      const big = JSON.stringify({ update_id: 1, message: { text: "x".repeat(2 * 1024 * 1024) } });
      const huge = await app.inject({ method: "POST", url: w.url, headers: { "content-type": "application/json", [w.header]: SECRET }, payload: big });
      expect(huge.statusCode, w.url).toBe(200);
      const broken = await app.inject({ method: "POST", url: w.url, headers: { "content-type": "application/json", [w.header]: SECRET }, payload: '{"update_id":' });
      expect(broken.statusCode, w.url).toBe(200);
      // A normal update still goes through.
      const fine = await app.inject({ method: "POST", url: w.url, headers: { "content-type": "application/json", [w.header]: SECRET }, payload: { update_id: 7 } });
      expect(fine.statusCode).toBe(200);
      expect(fine.json()).toEqual({ ok: true });
    }
    expect(accepted).toHaveLength(2);
    expect(await tableCounts(db)).toEqual(before);
    expect(await healthyQuickly(app)).toBeLessThan(1000);
  });

  it("login and other pages: nested JSON gets a quick 400, oversized JSON and form bodies 413, nothing stored", async () => {
    const { app, db } = await setup();
    const before = await tableCounts(db);
    for (const url of ["/login", "/locale", "/logout", "/admin/63/centers/new", "/requests/1/take", "/healthz"]) {
      const parse = watchParse(1_000_000);
      const deep = await app.inject({ method: "POST", url, headers: { "content-type": "application/json" }, payload: nested(500_000) });
      parse.restore();
      expect(parse.calls(), url).toBe(0);
      expect([400, 404], url).toContain(deep.statusCode);
      const bigJson = await app.inject({ method: "POST", url, headers: { "content-type": "application/json" }, payload: `{"a":"${"x".repeat(1_100_000)}"}` });
      expect([413, 404], url).toContain(bigJson.statusCode);
      const bigForm = await app.inject({ method: "POST", url, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: `email=${"x".repeat(1_100_000)}` });
      expect([413, 404], url).toContain(bigForm.statusCode);
    }
    // A shallow-but-legal body still parses: the limit is on depth, not on JSON.
    const ok = await app.inject({ method: "POST", url: "/login", headers: { "content-type": "application/json" }, payload: { email: "a", password: "b" } });
    expect(ok.statusCode).toBe(403); // no CSRF token: refused, not a parse error
    expect(await tableCounts(db)).toEqual(before);
    expect(await healthyQuickly(app)).toBeLessThan(1000);
  });

  it("eight clients sending nested bodies at once do not stall /healthz", async () => {
    const { app } = await setup();
    const deep = nested(500_000);
    const flood = Array.from({ length: 8 }, () =>
      Promise.all(
        Array.from({ length: 5 }, () =>
          app.inject({ method: "POST", url: "/login", headers: { "content-type": "application/json" }, payload: deep }),
        ),
      ),
    );
    const during = healthyQuickly(app);
    await Promise.all(flood);
    expect(await during).toBeLessThan(1000);
  });
});

describe("forged cookies and replayed tokens", () => {
  it("a forged or tampered session cookie is a visitor, not a user, and stores nothing", async () => {
    const { app, db } = await setup();
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const real = b.cookies.get("opora_sid") ?? "";
    const sessions = await db.staffSession.count();
    for (const forged of ["x", "a".repeat(32), `${real.slice(0, -3)}abc`, `${real.split(".")[0]}.${"A".repeat(43)}`, "%00%0d%0a"]) {
      const res = await app.inject({ url: "/admin", headers: { cookie: `opora_sid=${forged}` } });
      expect(res.statusCode, forged).toBe(302);
      expect(res.headers.location).toBe("/login?next=%2Fadmin");
    }
    expect(await db.staffSession.count()).toBe(sessions);
  });

  it("a CSRF token from another account, from before login, or with another's cookie is refused", async () => {
    const { app, db } = await setup();
    const anon = new Browser(app);
    const anonToken = await anon.csrf("/login");
    const a = new Browser(app);
    await a.login("admin63@test.local");
    const aToken = await a.csrf("/admin/63/centers/new");
    const b = new Browser(app);
    await b.login("admin67@test.local");
    const form = { key: "replayed", name: "Replayed", publicPhone: "+7 846 000-00-00", hours: "{}" };
    const centers = await db.center.count();
    // A's token with B's cookies.
    expect((await b.post("/admin/63/centers/new", { ...form, _csrf: aToken })).statusCode).toBe(403);
    // A token minted before login, replayed after it.
    const c = new Browser(app);
    const before = await c.csrf("/login");
    await c.post("/login", { email: "admin63@test.local", password: PASSWORD, _csrf: before });
    expect((await c.post("/admin/63/centers/new", { ...form, _csrf: before })).statusCode).toBe(403);
    // An anonymous visitor's token and cookie pasted into A's request.
    const mixed = await app.inject({
      method: "POST",
      url: "/admin/63/centers/new",
      headers: { cookie: `opora_sid=${a.cookies.get("opora_sid")}; opora_csrf=${anon.cookies.get("opora_csrf")}`, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ ...form, _csrf: anonToken }).toString(),
    });
    expect(mixed.statusCode).toBe(403);
    expect(await db.center.count()).toBe(centers);
    // A's own token works.
    expect((await a.post("/admin/63/centers/new", { ...form, _csrf: aToken })).statusCode).toBe(303);
  });
});

describe("center form", () => {
  it("accepts only an http(s) website and never a typed chat id", async () => {
    const { app, db } = await setup();
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const base = { key: "safe-center", name: "Центр", publicPhone: "+7 846 000-00-00", hours: "{}" };
    for (const website of ["javascript:alert(1)", "data:text/html,<b>x</b>", "ftp://files.example", "vbscript:x"]) {
      const res = await b.postForm("/admin/63/centers/new", { ...base, website }, "/admin/63/centers/new");
      expect(res.statusCode, website).toBe(400);
    }
    expect(await db.center.count({ where: { key: "safe-center" } })).toBe(0);
    const ok = await b.postForm(
      "/admin/63/centers/new",
      { ...base, website: "https://center.example/help", notifyTelegramChatId: "-100123", notifyMaxChatId: "555" },
      "/admin/63/centers/new",
    );
    expect(ok.statusCode).toBe(303);
    const saved = await db.center.findUniqueOrThrow({ where: { key: "safe-center" } });
    expect(saved.website).toBe("https://center.example/help");
    expect(saved.notifyTelegramChatId).toBeNull();
    expect(saved.notifyMaxChatId).toBeNull();
    const form = await b.get(`/admin/63/centers/${saved.id}`);
    expect(form.body).not.toContain('name="notifyTelegramChatId"');
  });
});

describe("read-only database", () => {
  const root = process.getuid?.() === 0;
  it.skipIf(!root)("prints one clear line, not a stack trace", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "opora-ro-"));
    try {
      const file = path.join(dir, "opora.db");
      expect(migrateDatabase(file).type).toBe("ok");
      chmodSync(dir, 0o755);
      chmodSync(file, 0o644);
      // Another user than the file's owner: the file and its folder are read-only to it.
      const r = spawnSync(
        "setpriv",
        ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, path.resolve("node_modules/tsx/dist/cli.mjs"), "src/main.ts"],
        { env: { PATH: process.env.PATH ?? "", HOME: dir, DATABASE_FILE: file, PORT: "0" }, encoding: "utf8", timeout: 60_000 },
      );
      const out = `${r.stdout}${r.stderr}`;
      expect(r.status).toBe(1);
      expect(out).toMatch(/read-only|readonly|cannot open or create the database/i);
      expect(out).toContain(file);
      expect(out).not.toMatch(/\n\s+at /);
      expect(out).not.toMatch(/PrismaClient/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
