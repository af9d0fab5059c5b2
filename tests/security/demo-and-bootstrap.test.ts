// Demo only on purpose: no public password, no demo on a public bind unless asked for, the first
// superadmin through a one-time link. Starts the real service as a child process.
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../scripts/build.mjs";
import { loadConfig } from "../../src/config.ts";
import { startBuilt, tempDir } from "../ops/service-process.ts";

beforeAll(() => ensureBuilt({ log: () => undefined }), 180_000);

const start = (env: Record<string, string>) => startBuilt({ PORT: "0", ...env });

/** Cookie-carrying fetch against the running service. */
class Session {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}
  async fetch(url: string, init: RequestInit = {}) {
    const res = await fetch(this.base + url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair?.indexOf("=") ?? -1;
      if (pair && i > 0) this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }
  async postForm(url: string, form: Record<string, string>, tokenFrom = url) {
    const page = await (await this.fetch(tokenFrom)).text();
    const _csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1] ?? "";
    return this.fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ ...form, _csrf }).toString(),
    });
  }
  login(email: string, password: string) {
    return this.postForm("/login", { email, password });
  }
}

describe("configuration", () => {
  it("runs the demo on a loopback bind by default, and never on a public one unless DEMO=true", () => {
    expect(loadConfig({})).toMatchObject({ type: "ok", config: { demo: true, trustProxy: false } });
    expect(loadConfig({ HOST: "::1" })).toMatchObject({ type: "ok", config: { demo: true } });
    const pub = loadConfig({ HOST: "0.0.0.0" });
    expect(pub.type).toBe("invalid");
    expect(pub.type === "invalid" && pub.problems.join("\n")).toMatch(/SESSION_SECRET: required when DEMO is off.*DEMO=true/);
    expect(loadConfig({ HOST: "0.0.0.0", SESSION_SECRET: "k".repeat(40) })).toMatchObject({ type: "ok", config: { demo: false } });
    expect(loadConfig({ HOST: "0.0.0.0", DEMO: "true" })).toMatchObject({ type: "ok", config: { demo: true } });
    expect(loadConfig({ DEMO: "false" }).type).toBe("invalid");
  });

  it("reads TRUST_PROXY as a hop count or a list of addresses/CIDRs, and refuses anything else", () => {
    const tp = (v: string) => {
      const r = loadConfig({ TRUST_PROXY: v });
      return r.type === "ok" ? r.config.trustProxy : "invalid";
    };
    expect(tp("")).toBe(false);
    expect(tp("false")).toBe(false);
    expect(tp("1")).toBe(1);
    expect(tp("10.0.0.1, 10.0.0.0/8,::1")).toEqual(["10.0.0.1", "10.0.0.0/8", "::1"]);
    expect(tp("true")).toBe("invalid");
    expect(tp("10.0.0.0/40")).toBe("invalid");
    expect(tp("proxy.local")).toBe("invalid");
  });

  it("the Docker image turns the demo off (so it needs SESSION_SECRET)", () => {
    const env = readFileSync("Dockerfile", "utf8").match(/^ENV .*$/m)?.[0] ?? "";
    expect(env).toMatch(/\bDEMO=false\b/);
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
  });
});

describe("npm start", () => {
  it("a production-like start (HOST=0.0.0.0, no DEMO) without SESSION_SECRET refuses to start", async () => {
    const s = start({ HOST: "0.0.0.0", NODE_ENV: "production", DATABASE_FILE: path.join(tempDir(), "o.db") });
    expect(await s.exited).toBe(1);
    expect(s.output()).toMatch(/SESSION_SECRET: required/);
  }, 30_000);

  it("a production-like start creates no demo account, refuses the old demo password, and prints a one-time superadmin link", async () => {
    const dir = tempDir();
    const s = start({
      HOST: "0.0.0.0",
      NODE_ENV: "production",
      SESSION_SECRET: "p".repeat(40),
      DATABASE_FILE: path.join(dir, "o.db"),
      PUBLIC_BASE_URL: "http://127.0.0.1:1",
    });
    const port = await s.listening;
    const base = `http://127.0.0.1:${port}`;
    expect(s.output()).not.toMatch(/demo login/);
    const web = new Session(base);
    const demo = await web.login("admin.63@demo.opora.local", "opora-demo-password");
    expect(demo.status).toBe(401);

    const link = s.output().match(/http:\/\/127\.0\.0\.1:1(\/bootstrap\/[\w-]+)/)?.[1];
    expect(link).toBeDefined();
    const path_ = link ?? "";
    expect((await web.fetch(path_)).status).toBe(200);
    const weak = await web.postForm(path_, { email: "root@example.org", name: "Root", password: "short" });
    expect(weak.status).toBe(400);
    const made = await web.postForm(path_, { email: "root@example.org", name: "Root", password: "a-long-enough-password" });
    expect(made.status).toBe(303);
    expect(made.headers.get("location")).toBe("/admin");
    expect((await web.fetch("/admin")).status).toBe(200);
    // One time only.
    expect((await new Session(base).fetch(path_)).status).toBe(404);
    await s.stop();

    // The next start has a superadmin: no new link.
    const again = start({ HOST: "0.0.0.0", SESSION_SECRET: "p".repeat(40), DATABASE_FILE: path.join(dir, "o.db") });
    await again.listening;
    expect(again.output()).not.toMatch(/bootstrap/);
    await again.stop();
  }, 90_000);

  it("the demo prints a random password per account once; the printed one works, the old public one does not; a later public start switches them off", async () => {
    const dir = tempDir();
    const db = path.join(dir, "o.db");
    const s = start({ DATABASE_FILE: db });
    const port = await s.listening;
    const logins = [...s.output().matchAll(/demo login: \S+\s+(\S+)\s+password: (\S+)/g)].map((m) => ({ email: m[1] ?? "", password: m[2] ?? "" }));
    expect(logins.length).toBeGreaterThan(5);
    expect(new Set(logins.map((l) => l.password)).size).toBe(logins.length);
    const admin = logins.find((l) => l.email === "admin.63@demo.opora.local");
    expect(admin?.password).toMatch(/^[a-z2-9]{16}$/);
    const base = `http://127.0.0.1:${port}`;
    expect((await new Session(base).login("admin.63@demo.opora.local", "opora-demo-password")).status).toBe(401);
    expect((await new Session(base).login("admin.63@demo.opora.local", admin?.password ?? "")).status).toBe(303);
    await s.stop();

    const second = start({ DATABASE_FILE: db });
    await second.listening;
    expect(second.output()).not.toMatch(/demo login/); // printed only once
    await second.stop();

    const pub = start({ DATABASE_FILE: db, HOST: "0.0.0.0", SESSION_SECRET: "p".repeat(40) });
    const pubPort = await pub.listening;
    expect(pub.output()).toMatch(/demo accounts deactivated/);
    expect((await new Session(`http://127.0.0.1:${pubPort}`).login("admin.63@demo.opora.local", admin?.password ?? "")).status).toBe(401);
    await pub.stop();
  }, 120_000);
});
