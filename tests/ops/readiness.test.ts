// /readyz says "not ready" — and why — when the database cannot be written: read-only, a full disk
// (simulated, and a real small disk when this machine may mount one), another process holding the
// write lock. A long lock fails only the request that meets it (503, kind message, the cause in the
// log); health checks and reads are served meanwhile, and writes work again once the lock is gone.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import Database from "better-sqlite3";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDb } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { seedRegions } from "../../src/db/seed-regions.ts";
import { createHttpServer } from "../../src/http/server.ts";
import type { ReadinessOptions } from "../../src/http/readiness.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { testEngine } from "../helpers/temp-db.ts";

let dir: string;
let db: Db;
let app: FastifyInstance;
let logLines: string[];
const holders: Database.Database[] = [];

async function start(file: string, readiness: ReadinessOptions = {}) {
  const migrated = migrateDatabase(file);
  if (migrated.type !== "ok") throw new Error(migrated.message);
  // A short lock wait keeps the test quick; the service waits LOCK_WAIT_MS (10 s).
  db = await openDb({ file }, { lockWaitMs: 1_500 });
  await seedRegions(db);
  logLines = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  app = createHttpServer({ db, log: createLogger({ level: "info", destination }), readiness: { databaseFile: file, ...readiness } });
  // A route that writes, standing for a webhook or a form.
  app.post("/write", async () => {
    await db.region.update({ where: { code: "63" }, data: { name: `Самарская область ${Date.now()}` } });
    return { ok: true };
  });
  app.get("/read", async () => ({ regions: await db.region.count() }));
  await app.ready();
}

const readyz = async () => {
  const res = await app.inject({ method: "GET", url: "/readyz" });
  return { status: res.statusCode, body: res.json() as { status: string; database: string; reason?: string } };
};

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "opora-ready-"));
});
afterEach(async () => {
  for (const h of holders.splice(0)) if (h.open) h.close();
  await app?.close();
  await db?.$disconnect();
  try {
    execFileSync("umount", [path.join(dir, "disk")], { stdio: "ignore" });
  } catch {
    // not mounted
  }
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(testEngine() !== "sqlite")("/readyz tells whether the database can be written", () => {
  it("ready when writable; 503 with the reason when the database is read-only, ready again after", async () => {
    const file = path.join(dir, "opora.db");
    await start(file);
    expect(await readyz()).toMatchObject({ status: 200, body: { status: "ready", database: "ok" } });

    // The service's own connection can no longer write (as with a read-only file or folder).
    await db.$queryRawUnsafe("PRAGMA query_only = ON");
    const ro = await readyz();
    expect(ro.status).toBe(503);
    expect(ro.body).toMatchObject({ status: "database cannot be written", database: "unwritable" });
    expect(ro.body.reason).toMatch(/read-only/);
    expect(logLines.join("")).toMatch(/not ready: the database is read-only/);

    await db.$queryRawUnsafe("PRAGMA query_only = OFF");
    expect((await readyz()).status).toBe(200);
  });

  it("503 'disk full' when the database's disk has too little room (simulated)", async () => {
    let free = 10 * 1024 * 1024 * 1024;
    await start(path.join(dir, "opora.db"), { freeBytes: () => free });
    expect((await readyz()).status).toBe(200);
    free = 1024 * 1024;
    const full = await readyz();
    expect(full.status).toBe(503);
    expect(full.body).toMatchObject({ database: "disk_full" });
    expect(full.body.reason).toMatch(/disk holding the database is full \(1 MB free/);
    free = 10 * 1024 * 1024 * 1024;
    expect((await readyz()).status).toBe(200);
  });

  const canMount = (() => {
    if (process.getuid?.() !== 0) return false;
    const probe = mkdtempSync(path.join(tmpdir(), "opora-mnt-"));
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe], { stdio: "ignore" });
      execFileSync("umount", [probe], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    } finally {
      rmSync(probe, { recursive: true, force: true });
    }
  })();

  it.skipIf(!canMount)("a real disk filled up (a 48 MB tmpfs): 503 'disk full', ready again once room is made", async () => {
    const disk = path.join(dir, "disk");
    mkdirSync(disk);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=48m", "tmpfs", disk]);
    await start(path.join(disk, "opora.db"));
    expect((await readyz()).status).toBe(200);
    const filler = path.join(disk, "filler");
    try {
      execFileSync("dd", ["if=/dev/zero", `of=${filler}`, "bs=1M", "count=64"], { stdio: "ignore" });
    } catch {
      // dd stops at "No space left on device": the disk is full, which is the point.
    }
    const full = await readyz();
    expect(full.status).toBe(503);
    expect(full.body.database).toBe("disk_full");
    // And it is real: a write that needs room fails.
    await expect(db.$executeRawUnsafe(`CREATE TABLE Big AS SELECT randomblob(8000000) AS b`)).rejects.toThrow(/full/i);
    rmSync(filler);
    expect((await readyz()).status).toBe(200);
  });

  it("another process holds the write lock: /readyz 503 'locked' within its budget; the write fails kindly, health and reads are served meanwhile", async () => {
    const file = path.join(dir, "opora.db");
    await start(file, { budgetMs: 500 });
    expect((await readyz()).status).toBe(200);

    const other = new Database(file);
    holders.push(other);
    other.exec("BEGIN IMMEDIATE");

    const began = Date.now();
    const write = app.inject({ method: "POST", url: "/write" });
    // While the write waits for the lock, the service answers: health and a read, quickly.
    const health = await app.inject({ method: "GET", url: "/healthz" });
    const read = await app.inject({ method: "GET", url: "/read" });
    expect(health.statusCode).toBe(200);
    expect(read.json()).toEqual({ regions: 89 });
    expect(Date.now() - began).toBeLessThan(1_000);

    const locked = await readyz();
    expect(locked.status).toBe(503);
    expect(locked.body).toMatchObject({ database: "locked" });
    expect(locked.body.reason).toMatch(/write lock/);

    const failed = await write;
    expect(failed.statusCode).toBe(503);
    expect(failed.headers["retry-after"]).toBe("30");
    expect(failed.json()).toEqual({ error: "database_busy", message: "the service is busy; please try again in a minute" });
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_400);
    expect(logLines.join("")).toMatch(/database locked by another process/);

    other.exec("ROLLBACK");
    // Once the probe that was waiting has given up, the next one finds the lock free.
    let again = await readyz();
    for (let i = 0; i < 30 && again.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      again = await readyz();
    }
    expect(again.status).toBe(200);
    expect((await app.inject({ method: "POST", url: "/write" })).statusCode).toBe(200);
  }, 20_000);

  it("a lock held for a moment only delays the write, which then succeeds", async () => {
    const file = path.join(dir, "opora.db");
    await start(file);
    const other = new Database(file);
    holders.push(other);
    other.exec("BEGIN IMMEDIATE");
    const write = app.inject({ method: "POST", url: "/write" });
    setTimeout(() => other.exec("ROLLBACK"), 400);
    expect((await write).statusCode).toBe(200);
  });
});
