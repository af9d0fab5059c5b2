import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { engineOf, openDb } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { seedRegions } from "../../src/db/seed-regions.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createRequest } from "../../src/requests/create-request.ts";
import { loadDemoRoutingIfEmpty, loadRoutingSnapshot } from "../../src/routing/routing-store.ts";
import { createTempDb, type TempDb, testEngine } from "../helpers/temp-db.ts";

let t: TempDb | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

describe("database", () => {
  it.skipIf(testEngine() !== "sqlite")("is migrated once, seeded with 89 regions idempotently, with WAL, foreign keys and secure delete", async () => {
    t = await createTempDb();
    expect(await t.db.region.count()).toBe(89);
    expect(migrateDatabase(t.file)).toEqual({ type: "ok", applied: [] });
    const samara = await t.db.region.findUnique({ where: { code: "63" } });
    expect(samara).toMatchObject({ name: "Самарская область", timezone: "Europe/Samara" });
    const pragmas = {
      fk: await t.db.$queryRawUnsafe<{ foreign_keys: bigint }[]>("PRAGMA foreign_keys"),
      sd: await t.db.$queryRawUnsafe<{ secure_delete: bigint }[]>("PRAGMA secure_delete"),
      jm: await t.db.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode"),
    };
    expect(Number(pragmas.fk[0]?.foreign_keys)).toBe(1);
    expect(Number(pragmas.sd[0]?.secure_delete)).toBe(1);
    expect(pragmas.jm[0]?.journal_mode).toBe("wal");
  });

  it("refuses a foreign key to a missing region", async () => {
    t = await createTempDb();
    await expect(
      t.db.municipality.create({ data: { regionCode: "00", key: "x", name: "X" } }),
    ).rejects.toThrow();
  });

  it.skipIf(testEngine() !== "sqlite")("reports a database path that cannot be written", () => {
    const r = migrateDatabase("/etc/hostname/opora/x.db");
    expect(r.type).toBe("error");
    if (r.type === "error") expect(r.code).toBe("DB_NOT_WRITABLE");
  });
});

/** A temp dir holding a database migrated with only the first `count` migrations. */
function olderDatabase(count: number) {
  const dir = mkdtempSync(path.join(tmpdir(), "opora-mig-"));
  const all = readdirSync("prisma/migrations").filter((n) => /^\d/.test(n)).sort();
  const oldDir = path.join(dir, "migrations");
  for (const m of all.slice(0, count)) cpSync(path.join("prisma/migrations", m), path.join(oldDir, m), { recursive: true });
  const file = path.join(dir, "old.db");
  return { all, file, firstMigration: migrateDatabase(file, oldDir), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

// SQLite files; PostgreSQL's migrator has its own tests in tests/data/migrations.test.ts.
describe.skipIf(testEngine() !== "sqlite")("migrations on an older database", () => {
  it("applies only the migrations an older database lacks, keeping its data", async () => {
    const old = olderDatabase(1);
    try {
      expect(old.all.length).toBeGreaterThan(1);
      expect(old.firstMigration).toEqual({ type: "ok", applied: [old.all[0]] });
      expect(migrateDatabase(old.file)).toEqual({ type: "ok", applied: old.all.slice(1) });
      expect(migrateDatabase(old.file)).toEqual({ type: "ok", applied: [] });
    } finally {
      old.remove();
    }
  });
});

describe.skipIf(testEngine() !== "sqlite")("request numbers", () => {
  it("carry on from the numbers an older database gave out, per region, never reusing one", async () => {
    const names = readdirSync("prisma/migrations").sort();
    const counter = names.filter((n) => /^\d/.test(n)).findIndex((n) => n.endsWith("_request_number_counter"));
    expect(counter).toBeGreaterThan(0);
    const old = olderDatabase(counter);
    const { all, file } = old;
    expect(old.firstMigration.type).toBe("ok");
    const db = await openDb({ file });
    try {
      await seedRegions(db);
      // The old database's rows, written with its own columns (today's client would ask for newer ones).
      await db.$executeRawUnsafe(`INSERT INTO "Center" ("id", "key", "name", "publicPhone", "updatedAt") VALUES ('c-old', 'old', 'Old', '+70000000000', '2026-01-01T00:00:00.000+00:00')`);
      await db.$executeRawUnsafe(`INSERT INTO "Queue" ("id", "key", "centerId", "name", "updatedAt") VALUES ('q-old', 'old', 'c-old', 'Old', '2026-01-01T00:00:00.000+00:00')`);
      for (const number of ["63-00041", "63-00007"]) {
        await db.$executeRawUnsafe(
          `INSERT INTO "Request" ("number", "channel", "categories", "urgency", "regionCode", "queueId", "routingReason", "routingExplanation", "dueAt", "updatedAt") VALUES (?, 'telegram', '[]', 'P2', '63', 'q-old', 'rule', '', '2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00.000+00:00')`,
          number,
        );
      }
      expect(migrateDatabase(file)).toEqual({ type: "ok", applied: all.slice(counter) });
      // Even once those requests and their routing are gone, their numbers are not given again.
      await db.request.deleteMany();
      await db.queue.deleteMany();
      await db.center.deleteMany();
      await loadDemoRoutingIfEmpty(db, createLogger({ level: "silent" }));

      const snapshot = await loadRoutingSnapshot(db);
      const make = (regionCode: string) =>
        db.$transaction((tx) =>
          createRequest(tx, {
            request: { categories: ["family_conflict"], urgency: "P2", flags: [], answers: {}, regionCode, municipalityId: null, description: null, contactName: null, contactPhone: null, contactMethod: "message", contactTime: null },
            snapshot,
            now: new Date("2026-11-25T09:00:00Z"),
            channel: "telegram",
            conversationId: null,
            engine: engineOf(db),
            consentId: null,
            isTest: false,
          }),
        );
      expect((await make("63")).number).toBe("63-00042");
      expect((await make("54")).number).toBe("54-00001");
      // A purged newest request does not give its number out again.
      await db.request.delete({ where: { number: "63-00042" } });
      expect((await make("63")).number).toBe("63-00043");
    } finally {
      await db.$disconnect();
      old.remove();
    }
  });
});
