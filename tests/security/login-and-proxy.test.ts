// The login limit and proxy trust as on the real server (createHttpServer + the web view), and the
// probe's web findings: no session row before login, open-redirect-proof next/back, HSTS, login
// behind an https proxy.
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { describe, expect, it } from "vitest";
import { createAdminPlugin } from "../../src/admin/admin-plugin.ts";
import { createHttpServer } from "../../src/http/server.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { NOW, PASSWORD } from "../web/helpers.ts";
import { seededDbPerTest } from "../web/seeded-db.ts";

const seeded = seededDbPerTest();

interface Setup {
  trustProxy?: false | number | string[];
  publicBaseUrl?: string;
}

async function setup(opts: Setup = {}) {
  const t = await seeded();
  let now = NOW.getTime();
  const clock = () => new Date(now);
  const publicBaseUrl = opts.publicBaseUrl ?? "http://127.0.0.1:3000";
  const log = createLogger({ level: "silent" });
  const app = createHttpServer({ db: t.db, log, trustProxy: opts.trustProxy ?? false, publicBaseUrl });
  await app.register(
    createAdminPlugin({
      db: t.db,
      log,
      i18n: createI18n(),
      clock,
      config: { publicBaseUrl, sessionSecret: "s".repeat(48), cookieSecure: publicBaseUrl.startsWith("https://") },
    }),
  );
  await app.ready();
  return { app, db: t.db, advance: (ms: number) => (now += ms) };
}

/** One browser behind one peer address, optionally sending headers of its own choosing. */
class Client {
  cookies = new Map<string, string>();
  constructor(
    readonly app: FastifyInstance,
    readonly peer: string,
    readonly headers: Record<string, string> = {},
  ) {}
  private absorb(res: LightMyRequestResponse) {
    for (const c of res.cookies) this.cookies.set(c.name, c.value);
    return res;
  }
  private cookie() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  async get(url: string, headers: Record<string, string> = {}) {
    return this.absorb(
      await this.app.inject({ method: "GET", url, remoteAddress: this.peer, headers: { ...this.headers, ...headers, cookie: this.cookie() } }),
    );
  }
  async token(url = "/login") {
    const m = /name="_csrf" value="([^"]+)"/.exec((await this.get(url)).body);
    if (!m?.[1]) throw new Error(`no token on ${url}`);
    return m[1];
  }
  async post(url: string, form: Record<string, string>, headers: Record<string, string> = {}) {
    return this.absorb(
      await this.app.inject({
        method: "POST",
        url,
        remoteAddress: this.peer,
        headers: { ...this.headers, ...headers, cookie: this.cookie(), "content-type": "application/x-www-form-urlencoded" },
        payload: new URLSearchParams(form).toString(),
      }),
    );
  }
  async login(email: string, password: string, headers: Record<string, string> = {}, next?: string) {
    const _csrf = await this.token();
    return this.post("/login", { email, password, _csrf, ...(next === undefined ? {} : { next }) }, headers);
  }
}

describe("login limit and proxy trust", () => {
  it("TRUST_PROXY off: a new X-Forwarded-For per try does not escape the limit, and the right password waits too", async () => {
    const { app } = await setup();
    const c = new Client(app, "203.0.113.7");
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await c.login("op63@test.local", "wrong-password", { "x-forwarded-for": `198.51.100.${i}` });
      codes.push(r.statusCode);
    }
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes.slice(5)).toEqual([429, 429, 429, 429, 429]);
    const right = await c.login("op63@test.local", PASSWORD, { "x-forwarded-for": "198.51.100.200" });
    expect(right.statusCode).toBe(429);
    expect(right.headers["retry-after"]).toBeDefined();
    expect(right.body).toContain("Слишком много попыток входа");
  });

  it("TRUST_PROXY set: clients behind the trusted proxy are told apart; an untrusted peer's header is ignored", async () => {
    const { app } = await setup({ trustProxy: ["10.0.0.1"] });
    const attacker = new Client(app, "10.0.0.1", { "x-forwarded-for": "198.51.100.66" });
    for (let i = 0; i < 6; i++) await attacker.login("op63@test.local", "wrong-password");
    expect((await attacker.login("op63@test.local", PASSWORD)).statusCode).toBe(429);
    // The real user comes through the same proxy from another address: not held up.
    const user = new Client(app, "10.0.0.1", { "x-forwarded-for": "198.51.100.10" });
    expect((await user.login("op63@test.local", PASSWORD)).statusCode).toBe(303);
    // A peer that is not the proxy cannot pick its address with the header.
    const direct = new Client(app, "203.0.113.9");
    for (let i = 0; i < 6; i++) {
      await direct.login("op63@test.local", "wrong-password", { "x-forwarded-for": `198.51.100.${100 + i}` });
    }
    expect((await direct.login("op63@test.local", PASSWORD, { "x-forwarded-for": "198.51.100.200" })).statusCode).toBe(429);
  });

  it("a per-account delay, not a lock: it grows, stays capped at a minute, and a success clears it", async () => {
    const { app, advance } = await setup();
    const c = new Client(app, "203.0.113.8");
    for (let i = 0; i < 5; i++) expect((await c.login("op63@test.local", "wrong-password")).statusCode).toBe(401);
    const waiting = await c.login("op63@test.local", PASSWORD);
    expect(waiting.statusCode).toBe(429);
    expect(Number(waiting.headers["retry-after"])).toBeLessThanOrEqual(2);
    // Keep failing after each delay: the wait never exceeds a minute.
    for (let i = 0; i < 12; i++) {
      advance(60_000);
      expect((await c.login("op63@test.local", "wrong-password")).statusCode).toBe(401);
    }
    const capped = await c.login("op63@test.local", PASSWORD);
    expect(capped.statusCode).toBe(429);
    expect(Number(capped.headers["retry-after"])).toBeLessThanOrEqual(60);
    advance(60_000);
    expect((await c.login("op63@test.local", PASSWORD)).statusCode).toBe(303);
    // The success cleared the streak: one typo is just a typo again.
    const fresh = new Client(app, "203.0.113.8");
    expect((await fresh.login("op63@test.local", "wrong-password")).statusCode).toBe(401);
    expect((await fresh.login("op63@test.local", PASSWORD)).statusCode).toBe(303);
  });

  it("successful logins do not count, and one address cannot spray passwords over many accounts", async () => {
    const { app } = await setup();
    for (let i = 0; i < 8; i++) {
      expect((await new Client(app, "203.0.113.20").login("op63@test.local", PASSWORD)).statusCode).toBe(303);
    }
    const sprayer = new Client(app, "203.0.113.21");
    const codes: number[] = [];
    for (let i = 0; i < 55; i++) codes.push((await sprayer.login(`user${i}@test.local`, "guess-guess-1")).statusCode);
    expect(codes.slice(0, 50).every((c) => c === 401)).toBe(true);
    expect(codes.slice(50)).toEqual([429, 429, 429, 429, 429]);
    // Other addresses are unaffected.
    expect((await new Client(app, "203.0.113.22").login("op67@test.local", PASSWORD)).statusCode).toBe(303);
  });

  it("parallel attempts cannot overshoot the limits: checks running at once are counted", async () => {
    const { app } = await setup();
    const ready = [];
    for (let i = 0; i < 80; i++) {
      const c = new Client(app, "203.0.113.50");
      ready.push({ c, token: await c.token() });
    }
    const codes = await Promise.all(
      ready.map(({ c, token }, i) => c.post("/login", { email: i % 2 ? `user${i}@test.local` : "op63@test.local", password: "guess-guess-1", _csrf: token })),
    ).then((rs) => rs.map((r) => r.statusCode));
    const checked = codes.filter((c) => c === 401).length;
    expect(checked).toBeGreaterThan(0);
    expect(codes.every((c) => c === 401 || c === 429)).toBe(true);
    // Never more checks on one account than one at a time, never more than the address limit.
    expect(checked).toBeLessThanOrEqual(50);
  });

  it("behind an https proxy named in TRUST_PROXY, login works without X-Forwarded-Proto; HSTS is sent", async () => {
    const { app } = await setup({ trustProxy: 1, publicBaseUrl: "https://opora.example" });
    const c = new Client(app, "10.0.0.1", { "x-forwarded-for": "198.51.100.10" });
    const res = await c.login("op63@test.local", PASSWORD);
    expect(res.statusCode).toBe(303);
    expect(res.cookies.find((k) => k.name === "opora_sid")?.secure).toBe(true);
    expect((await c.get("/queue")).statusCode).toBe(200);
    expect(res.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
    expect((await app.inject({ url: "/healthz" })).headers["strict-transport-security"]).toMatch(/max-age/);
  });

  it("no HSTS on a plain-http public URL", async () => {
    const { app } = await setup();
    expect((await app.inject({ url: "/login" })).headers["strict-transport-security"]).toBeUndefined();
  });
});

describe("sessions and redirects", () => {
  it("stores no session row for anonymous visitors, even after a language switch", async () => {
    const { app, db } = await setup();
    for (let i = 0; i < 30; i++) expect((await app.inject({ url: "/login" })).statusCode).toBe(200);
    const c = new Client(app, "203.0.113.30");
    const token = await c.token();
    const sw = await c.post("/locale", { locale: "en", back: "/login", _csrf: token });
    expect(sw.statusCode).toBe(303);
    expect((await c.get("/login")).body).toContain("Staff sign-in");
    expect(await db.staffSession.count()).toBe(0);
    expect((await c.login("op63@test.local", PASSWORD)).statusCode).toBe(303);
    expect(await db.staffSession.count()).toBe(1);
  });

  const evil = [
    "//evil.example/",
    "/\t/evil.example/",
    "/\r\n/evil.example/",
    "/\n/evil.example/",
    "/\\evil.example/",
    "/\\/evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    " /queue",
    "/\u0000/evil.example",
  ];

  it("next after login and back after a language switch stay on this site, with no 500", async () => {
    const { app } = await setup();
    for (const next of evil) {
      const c = new Client(app, "203.0.113.40");
      const res = await c.login("op63@test.local", PASSWORD, {}, next);
      expect(res.statusCode, JSON.stringify(next)).toBe(303);
      expect(res.headers.location, JSON.stringify(next)).toBe("/queue");
      const token = await c.token("/queue");
      const back = await c.post("/locale", { locale: "en", back: next, _csrf: token });
      expect(back.statusCode, JSON.stringify(next)).toBe(303);
      expect(back.headers.location, JSON.stringify(next)).toBe("/queue");
      const page = await c.get(`/login?next=${encodeURIComponent(next)}`);
      expect(page.statusCode).toBeLessThan(500);
    }
    const ok = new Client(app, "203.0.113.41");
    expect((await ok.login("op63@test.local", PASSWORD, {}, "/requests/5?tab=notes")).headers.location).toBe("/requests/5?tab=notes");
  });
});
