// Starts the real, compiled service (what `npm start` runs) as a child process on a temporary database.
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../scripts/build.mjs";
import { startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { startSlowSendProxy } from "../fakes/slow-send-proxy.ts";
import { spawnService, startBuilt, tempDir } from "../ops/service-process.ts";

beforeAll(() => ensureBuilt({ log: () => undefined }), 180_000);

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/**
 * The compiled service on a fresh database, its Bot API behind a proxy that holds each send for
 * `sendDelayMs` (-1: never answers); a parent's /start has reached the proxy as a send.
 */
async function replyOnItsWay(sendDelayMs: number, parentId: number) {
  const fake = await startFakeTelegramApi();
  closers.push(() => fake.close());
  const proxy = await startSlowSendProxy(fake, sendDelayMs);
  closers.push(() => proxy.close());
  const s = startBuilt({
    DATABASE_FILE: path.join(tempDir(), "opora.db"),
    PORT: "0",
    TELEGRAM_BOT_TOKEN: fake.token,
    TELEGRAM_API_ROOT: proxy.apiRoot,
  });
  await s.listening;
  fake.push(fake.text({ id: parentId, first_name: "Parent" }, "/start"));
  await proxy.sendArrived;
  return { fake, s };
}

describe("npm start (the compiled service)", () => {
  it("migrates, seeds, answers /healthz and /readyz, refuses a second start on the same port, stops on SIGTERM", async () => {
    const dir = tempDir();
    // One SESSION_SECRET for both: a second instance on the database needs the same (src/cluster/instances.ts).
    const SESSION_SECRET = "s".repeat(40);
    const first = startBuilt({ DATABASE_FILE: path.join(dir, "opora.db"), PORT: "0", SESSION_SECRET });
    const port = await first.listening;
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(first.output()).toMatch(/Telegram channel disabled: set TELEGRAM_BOT_TOKEN/);
    expect(first.output()).toMatch(/demo login:/);

    const second = startBuilt({ DATABASE_FILE: path.join(dir, "opora.db"), PORT: String(port), SESSION_SECRET });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/already in use/);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  }, 60_000);

  it("exits 1 with every configuration problem listed and starts nothing", async () => {
    const s = startBuilt({ PORT: "nope", LOG_LEVEL: "loud" });
    expect(await s.exited).toBe(1);
    expect(s.output()).toMatch(/configuration is invalid/);
    expect(s.output()).toMatch(/PORT/);
    expect(s.output()).toMatch(/LOG_LEVEL/);
  }, 30_000);

  it("exits 1 with a clear message when the database path cannot be written", async () => {
    const s = startBuilt({ DATABASE_FILE: "/etc/hostname/opora/x.db", PORT: "0" });
    expect(await s.exited).toBe(1);
    expect(s.output()).toMatch(/cannot open or create the database file/);
  }, 30_000);

  it("on a clone without dist/, `npm start` builds it and serves with plain node; SIGTERM to npm stops the service", async () => {
    // A clone: the sources and data files, node_modules shared by a link, no dist/.
    const root = tempDir("opora-clone-");
    for (const p of ["src", "scripts", "locales", "prisma", "package.json", "tsconfig.json", "tsconfig.build.json"]) {
      cpSync(p, path.join(root, p), { recursive: true });
    }
    symlinkSync(path.resolve("node_modules"), path.join(root, "node_modules"));
    mkdirSync(path.join(root, "data"));
    const npm = spawnService("npm", ["start", "--silent"], { DATABASE_FILE: path.join(root, "data/o.db"), PORT: "0" }, root);
    const port = await npm.listening;
    expect(npm.output()).toMatch(/building dist\/ \(dist\/ is missing\)/);
    expect(existsSync(path.join(root, "dist/main.js"))).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    // No tsx between npm and the service: the process that listens is node running the build.
    const ps = spawn("ps", ["-eo", "args"], { stdio: ["ignore", "pipe", "ignore"] });
    let list = "";
    for await (const c of ps.stdout) list += c;
    expect(list).not.toMatch(new RegExp(`tsx.*${root}`));

    npm.child.kill("SIGTERM");
    await npm.exited; // npm passes the signal on and ends by it
    await expect.poll(() => npm.output(), { timeout: 10_000 }).toMatch(/"msg":"stopped"/);
    // Nothing left behind holding the port.
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  }, 180_000);

  it("SIGTERM while a reply is on its way: the reply is delivered, then the service exits 0", async () => {
    const { fake, s } = await replyOnItsWay(1500, 501);
    const signalled = Date.now();
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(1000); // it waited for the reply…
    expect(fake.sentTo(501).length).toBeGreaterThan(0); // …which reached the family
    expect(s.output()).toMatch(/"msg":"stopped"/);
  }, 60_000);

  it("SIGTERM while the Bot API never answers: the service still exits within the stop bound", async () => {
    const { s } = await replyOnItsWay(-1, 502);
    const signalled = Date.now();
    s.child.kill("SIGTERM");
    const code = await s.exited;
    expect(Date.now() - signalled).toBeLessThan(12_000);
    // Either the channel gave up on the call itself (0) or the stop bound cut it short (1, logged).
    if (code !== 0) {
      expect(code).toBe(1);
      expect(s.output()).toMatch(/stop did not finish in time/);
    }
  }, 60_000);
});
