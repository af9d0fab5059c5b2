import { describe, expect, it } from "vitest";
import { Browser, buildAdminTestApp, PASSWORD } from "./helpers.ts";
import { seededDbPerTest } from "./seeded-db.ts";

const seeded = seededDbPerTest();

async function setup(opts: { cookieSecure?: boolean } = {}) {
  const t = await seeded();
  const w = t.w;
  const app = await buildAdminTestApp({ db: t.db, ...opts });
  return { app, w, db: t.db };
}

describe("login and sessions", () => {
  it("sends anonymous visitors to the login page and keeps the target", async () => {
    const { app } = await setup();
    const res = await app.inject({ method: "GET", url: "/queue" });
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe("/login?next=%2Fqueue");
    const login = await app.inject({ method: "GET", url: "/login" });
    expect(login.statusCode).toBe(200);
    expect(login.body).toContain("Вход для сотрудников");
    expect(login.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(login.headers["cache-control"]).toBe("no-store");
  });

  it("logs in with an httpOnly SameSite=Lax session cookie, stored in StaffSession, and logs out", async () => {
    const { app, db } = await setup();
    const b = new Browser(app);
    const res = await b.login("op63@test.local");
    expect(res.headers.location).toBe("/queue");
    const cookie = res.cookies.find((c) => c.name === "opora_sid");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Lax" });
    expect(cookie?.secure).toBeFalsy();
    expect(await db.staffSession.count()).toBeGreaterThan(0);
    expect((await b.get("/queue")).statusCode).toBe(200);
    const out = await b.postForm("/logout", {}, "/queue");
    expect(out.statusCode).toBe(303);
    expect((await b.get("/queue")).statusCode).toBe(302);
  });

  it("marks the cookie Secure when the public URL is https", async () => {
    const { app } = await setup({ cookieSecure: true });
    // Behind the TLS-terminating proxy (a trusted one, as TRUST_PROXY makes it on the main server).
    const page = await app.inject({ method: "GET", url: "/login", headers: { "x-forwarded-proto": "https" } });
    const csrfCookie = page.cookies.find((c) => c.name === "opora_csrf");
    expect(csrfCookie?.secure).toBe(true);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const res = await app.inject({
      method: "POST",
      url: "/login",
      headers: { "x-forwarded-proto": "https", cookie: `opora_csrf=${csrfCookie?.value}`, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ email: "op63@test.local", password: PASSWORD, _csrf: token }).toString(),
    });
    expect(res.statusCode).toBe(303);
    expect(res.cookies.find((c) => c.name === "opora_sid")?.secure).toBe(true);
  });

  it("rejects a wrong password with one message for unknown email and wrong password", async () => {
    const { app } = await setup();
    const b = new Browser(app);
    const wrong = await b.postForm("/login", { email: "op63@test.local", password: "nope-nope-nope" }, "/login");
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain("Неверная почта или пароль.");
    const unknown = await b.postForm("/login", { email: "nobody@test.local", password: PASSWORD }, "/login");
    expect(unknown.statusCode).toBe(401);
    expect(unknown.body).toContain("Неверная почта или пароль.");
    const empty = await b.postForm("/login", { email: "", password: "" }, "/login");
    expect(empty.statusCode).toBe(400);
  });

  it("refuses a POST without a CSRF token with a kind 403 page", async () => {
    const { app } = await setup();
    const b = new Browser(app);
    await b.get("/login");
    const res = await b.post("/login", { email: "op63@test.local", password: PASSWORD });
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain("Форма устарела");
    const forged = await b.post("/login", { email: "op63@test.local", password: PASSWORD, _csrf: "forged" });
    expect(forged.statusCode).toBe(403);
    await b.login("op63@test.local");
    const logout = await b.post("/logout", {});
    expect(logout.statusCode).toBe(403);
  });

  it("rate-limits login attempts per IP and email with a clear message", async () => {
    const { app } = await setup();
    const b = new Browser(app);
    const token = await b.csrf();
    for (let i = 0; i < 5; i++) {
      const r = await b.post("/login", { email: "op63@test.local", password: "wrong-password", _csrf: token });
      expect(r.statusCode).toBe(401);
    }
    const limited = await b.post("/login", { email: "op63@test.local", password: PASSWORD, _csrf: token });
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toContain("Слишком много попыток входа");
    // Another account from the same address is not locked out by someone else's typos.
    const other = await b.post("/login", { email: "op67@test.local", password: PASSWORD, _csrf: token });
    expect(other.statusCode).toBe(303);
  });

  it("does not redirect outside the site after login", async () => {
    const { app } = await setup();
    const b = new Browser(app);
    const token = await b.csrf();
    const res = await b.post("/login", { email: "op63@test.local", password: PASSWORD, _csrf: token, next: "//evil.example/x" });
    expect(res.headers.location).toBe("/queue");
  });

  it("switches the interface to English", async () => {
    const { app } = await setup();
    const b = new Browser(app);
    await b.login("op63@test.local");
    const res = await b.postForm("/locale", { locale: "en", back: "/queue" }, "/queue");
    expect(res.headers.location).toBe("/queue");
    expect((await b.get("/queue")).body).toContain("Request queue");
  });

  it("serves its stylesheet and script", async () => {
    const { app } = await setup();
    expect((await app.inject({ url: "/admin-assets/admin.css" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/admin-assets/admin.js" })).statusCode).toBe(200);
    expect((await app.inject({ url: "/admin-assets/nope.js" })).statusCode).toBe(404);
  });
});
