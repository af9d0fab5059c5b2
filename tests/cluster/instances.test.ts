// Several instances on one database must agree: the same SESSION_SECRET (a login made on one must
// hold on the others) and the same schema version. A second instance that disagrees refuses to
// start with one clear line; one that agrees joins. Constructed in-process, and once as processes.
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../scripts/build.mjs";
import { joinInstances, liveInstanceMismatch, schemaVersionOf, secretCheckOf } from "../../src/cluster/instances.ts";
import { openDb } from "../../src/db/client.ts";
import { MIGRATIONS_DIR, migrateDatabase } from "../../src/db/migrate.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createTempDb, testEngine, type TempDb } from "../helpers/temp-db.ts";
import { startBuilt } from "../ops/service-process.ts";

const log = createLogger({ level: "silent" });
const SECRET_A = "a".repeat(40);
const SECRET_B = "b".repeat(40);
let t: TempDb | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const join = (id: string, sessionSecret: string | undefined, schemaVersion?: string) =>
  joinInstances({ db: t!.db, id, sessionSecret, log, ...(schemaVersion ? { schemaVersion } : {}) });

describe("instances on one database", () => {
  it("a second instance with the same secret and schema joins", async () => {
    t = await createTempDb();
    const a = await join("host-a:1", SECRET_A);
    expect(a).toMatchObject({ type: "joined", others: 0 });
    const b = await join("host-b:2", SECRET_A);
    expect(b).toMatchObject({ type: "joined", others: 1 });
    // Only an HMAC of the secret is stored.
    const rows = await t.db.instance.findMany();
    expect(rows.map((r) => r.secretCheck)).toEqual([secretCheckOf(SECRET_A), secretCheckOf(SECRET_A)]);
    expect(JSON.stringify(rows)).not.toContain(SECRET_A);
    if (b.type === "joined") await b.registration.leave();
    expect(await t.db.instance.count()).toBe(1);
  });

  it("a different SESSION_SECRET is refused with a clear line, and leaves no row behind", async () => {
    t = await createTempDb();
    await join("host-a:1", SECRET_A);
    const b = await join("host-b:2", SECRET_B);
    expect(b.type).toBe("refused");
    if (b.type === "refused") {
      expect(b.message).toContain("host-a:1");
      expect(b.message).toContain("different SESSION_SECRET");
      expect(b.message).not.toContain(SECRET_A);
      expect(b.message).not.toContain(SECRET_B);
    }
    expect((await t.db.instance.findMany()).map((r) => r.id)).toEqual(["host-a:1"]);
  });

  it("no SESSION_SECRET (a demo's random one) next to another instance is refused, either way round", async () => {
    t = await createTempDb();
    await join("host-a:1", SECRET_A);
    expect(await join("demo:2", undefined)).toMatchObject({ type: "refused", message: expect.stringMatching(/one shared SESSION_SECRET/) });
    await t.db.instance.deleteMany();
    await join("demo:1", undefined);
    expect(await join("host-b:2", SECRET_A)).toMatchObject({ type: "refused", message: expect.stringMatching(/without SESSION_SECRET/) });
  });

  it("two that disagree starting at the same moment: exactly one (the later) refuses, the other runs", async () => {
    t = await createTempDb();
    const dbB = await openDb(t.target);
    try {
      for (let round = 0; round < 5; round++) {
        await t.db.instance.deleteMany();
        const [a, b] = await Promise.all([
          join(`a:${round}`, SECRET_A),
          joinInstances({ db: dbB, id: `b:${round}`, sessionSecret: SECRET_B, log }),
        ]);
        for (const r of [a, b]) if (r.type === "joined") r.registration.kill();
        expect([a.type, b.type].sort(), `round ${round}`).toEqual(["joined", "refused"]);
        const left = await t.db.instance.findMany();
        expect(left.map((r) => r.id)).toEqual([a.type === "joined" ? `a:${round}` : `b:${round}`]);
        const refused = a.type === "refused" ? a : b;
        expect(refused).toMatchObject({ message: expect.stringMatching(/different SESSION_SECRET/) });
      }
    } finally {
      await dbB.$disconnect();
    }
  });

  it("a different schema version is refused", async () => {
    t = await createTempDb();
    await join("old:1", SECRET_A, "20261125000000_init");
    const r = await join("new:2", SECRET_A);
    expect(r).toMatchObject({ type: "refused", message: expect.stringMatching(/schema version 20261125000000_init, this one has 2026/) });
    // Either way round: an older build started next to a newer one is refused too.
    await t.db.instance.deleteMany();
    await join("new:3", SECRET_A);
    expect(await join("old:4", SECRET_A, "20261125000000_init")).toMatchObject({
      type: "refused",
      message: expect.stringMatching(/run the same Opora version on every instance/),
    });
  });

  it("before migrating: a live instance of another version or secret is found without registering anything", async () => {
    t = await createTempDb();
    expect(await liveInstanceMismatch(t.target, SECRET_A)).toBeUndefined(); // nobody runs
    await join("old:1", SECRET_A, "20261125000000_init");
    expect(await liveInstanceMismatch(t.target, SECRET_A)).toMatch(/schema version 20261125000000_init, this one has .*run the same Opora version/);
    await t.db.instance.deleteMany();
    await join("a:1", SECRET_A);
    expect(await liveInstanceMismatch(t.target, SECRET_B)).toMatch(/different SESSION_SECRET/);
    expect(await liveInstanceMismatch(t.target, SECRET_A)).toBeUndefined();
    expect((await t.db.instance.findMany()).map((r) => r.id)).toEqual(["a:1"]);
    // A killed instance (no heartbeat for 30 s) is not in the way.
    await t.db.instance.update({ where: { id: "a:1" }, data: { heartbeatAt: new Date(Date.now() - 31_000) } });
    expect(await liveInstanceMismatch(t.target, SECRET_B)).toBeUndefined();
  });

  it("an instance that stopped beating (killed) is not in the way after 30 s", async () => {
    t = await createTempDb();
    const a = await join("killed:1", SECRET_A);
    if (a.type === "joined") a.registration.kill();
    await t.db.instance.update({ where: { id: "killed:1" }, data: { heartbeatAt: new Date(Date.now() - 31_000) } });
    expect(await join("demo:2", undefined)).toMatchObject({ type: "joined", others: 0 });
  });

  it("a process of this machine that was killed (its row still fresh) does not block a restart", async () => {
    t = await createTempDb();
    // A pid that is not running here (beyond Linux's pid_max).
    const a = await join(`${hostname().slice(0, 60)}:99999999:abcdef`, undefined);
    if (a.type === "joined") a.registration.kill();
    expect(await join("demo:2", undefined)).toMatchObject({ type: "joined", others: 0 });
    // One on another machine with the same shape is still counted.
    await join("other-host:4242:abcdef", SECRET_A);
    expect(await join("demo:3", undefined)).toMatchObject({ type: "refused" });
  });

  it("the heartbeat keeps an instance visible", async () => {
    t = await createTempDb();
    const a = await joinInstances({ db: t.db, id: "a:1", sessionSecret: SECRET_A, log, heartbeatMs: 100 });
    const before = (await t.db.instance.findUniqueOrThrow({ where: { id: "a:1" } })).heartbeatAt;
    await new Promise((r) => setTimeout(r, 400));
    const after = (await t.db.instance.findUniqueOrThrow({ where: { id: "a:1" } })).heartbeatAt;
    expect(after.getTime()).toBeGreaterThan(before.getTime());
    if (a.type === "joined") a.registration.kill();
  });
});

const service = (env: Record<string, string>) => startBuilt({ PORT: "0", ...env });

describe("two service processes", () => {
  beforeAll(() => ensureBuilt({ log: () => undefined }), 180_000);

  it("the second, started with another SESSION_SECRET, refuses to start with one line; the first serves on", { timeout: 120_000 }, async () => {
    t = await createTempDb();
    const db: Record<string, string> = testEngine() === "postgresql" ? { DATABASE_URL: (t.target as { url: string }).url } : { DATABASE_FILE: t.file };
    await t.db.$disconnect();
    const first = service({ ...db, SESSION_SECRET: SECRET_A });
    await first.listening;
    const second = service({ ...db, SESSION_SECRET: SECRET_B });
    expect(await second.exited).toBe(1);
    const lines = second.output().split("\n").filter((l) => l.startsWith("Opora cannot start"));
    expect(lines).toEqual([expect.stringMatching(/another Opora instance \(.+\) runs on this database with a different SESSION_SECRET/)]);
    expect(second.output()).not.toContain(SECRET_B);
    // A third with the same secret joins.
    const third = service({ ...db, SESSION_SECRET: SECRET_A });
    await third.listening;
    expect(first.output()).not.toContain("cannot start");
    // t.cleanup() disconnects again: reopen so it has a client to close.
    t.db = await openDb(t.target);
  });

  // SQLite: the older database is made here from all migrations but the last.
  it.skipIf(testEngine() !== "sqlite")(
    "a newer build started next to a running older one refuses before it migrates the database",
    { timeout: 120_000 },
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "opora-old-build-"));
      try {
        const older = path.join(dir, "migrations");
        cpSync(MIGRATIONS_DIR, older, { recursive: true });
        const names = readdirSync(older).filter((n) => /^\d{14}_/.test(n)).sort();
        const newest = names.at(-1) as string;
        rmSync(path.join(older, newest), { recursive: true });
        const file = path.join(dir, "opora.db");
        expect(migrateDatabase(file, older)).toMatchObject({ type: "ok" });
        // The older build's instance is running (its heartbeat is fresh).
        const sqlite = new Database(file);
        const now = new Date().toISOString().replace("Z", "+00:00");
        sqlite
          .prepare(`INSERT INTO "Instance" ("id", "startedAt", "heartbeatAt", "schemaVersion", "secretCheck") VALUES (?, ?, ?, ?, ?)`)
          .run("old-host:1:abcdef", now, now, names.at(-2), secretCheckOf(SECRET_A));
        sqlite.close();
        expect(schemaVersionOf("sqlite")).toBe(newest);

        const newer = service({ DATABASE_FILE: file, SESSION_SECRET: SECRET_A });
        expect(await newer.exited).toBe(1);
        const lines = newer.output().split("\n").filter((l) => l.startsWith("Opora cannot start"));
        expect(lines).toEqual([expect.stringMatching(/another Opora instance \(old-host:1:abcdef\) runs on this database with schema version .*run the same Opora version/)]);
        // Nothing was migrated under the running instance.
        const check = new Database(file, { readonly: true });
        const applied = check.prepare(`SELECT "migration_name" AS name FROM "_prisma_migrations"`).all() as { name: string }[];
        check.close();
        expect(applied.map((r) => r.name)).not.toContain(newest);
        expect(applied).toHaveLength(names.length - 1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
