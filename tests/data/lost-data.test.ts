// A database that has lost data is refused at start with one clear line — never repaired, never
// re-seeded with the demo, never handing out a request number twice. Shown on a real data file:
// requests given out, then the file made to go back in time for part of its content (the region's
// counter behind the numbers; the migration history behind the schema), then the service started.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../scripts/build.mjs";
import { openDb } from "../../src/db/client.ts";
import { prepareDatabase } from "../../src/db/open-database.ts";
import { MIGRATIONS_DIR, migrateDatabase } from "../../src/db/migrate.ts";
import { seedRegions } from "../../src/db/seed-regions.ts";
import { testEngine } from "../helpers/temp-db.ts";
import { startBuilt, tempDir } from "../ops/service-process.ts";
import { makeRequest, seedWorld } from "../web/helpers.ts";


/** A data file with three requests of region 63, numbered by the counter as the service does. */
async function dataFile(): Promise<string> {
  const dir = tempDir("opora-lost-");
  const file = path.join(dir, "opora.db");
  const migrated = migrateDatabase(file);
  if (migrated.type !== "ok") throw new Error(migrated.message);
  const db = await openDb({ file });
  await seedRegions(db);
  const w = await seedWorld(db);
  for (const n of [1, 2, 3]) await makeRequest(db, { queueId: w.queues.samara, regionCode: "63", number: `63-0000${n}` });
  await db.requestNumberCounter.create({ data: { regionCode: "63", last: 3 } });
  await db.$disconnect();
  return file;
}

function sql(file: string, statement: string): void {
  const db = new Database(file);
  try {
    db.exec(statement);
  } finally {
    db.close();
  }
}

/** The compiled service on FILE; resolves when it exits (one that starts listening instead is stopped). */
async function startService(file: string): Promise<{ code: number; out: string }> {
  const s = startBuilt({ PORT: "0", HOST: "127.0.0.1", DATABASE_FILE: file });
  return { code: await s.exitedWithoutListening(), out: s.output() };
}

const plainLines = (out: string) => out.split("\n").filter((l) => l.startsWith("Opora cannot start"));
const countOf = (file: string, table: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe.skipIf(testEngine() !== "sqlite")("a database that has lost data is refused at start", () => {
  beforeAll(() => ensureBuilt({ log: () => undefined }), 180_000);

  it("an intact file starts (the check is not a false alarm)", async () => {
    const file = await dataFile();
    const r = await prepareDatabase({ engine: "sqlite", file });
    expect(r.type).toBe("ok");
    if (r.type === "ok") await r.db.$disconnect();
  });

  it("a region's counter behind its highest request number: one clear line, exit 1, nothing seeded or changed", async () => {
    const file = await dataFile();
    // As after a lost -wal file whose checkpointed part held the requests but not the counter.
    sql(file, `UPDATE RequestNumberCounter SET last = 1 WHERE regionCode = '63'`);
    const prepared = await prepareDatabase({ engine: "sqlite", file });
    expect(prepared).toMatchObject({ type: "error", code: "DATA_LOST" });

    const staffBefore = countOf(file, "StaffUser");
    const centersBefore = countOf(file, "Center");
    const bytes = readFileSync(file);
    const s = await startService(file);
    expect(s.code).toBe(1);
    expect(plainLines(s.out)).toEqual([
      expect.stringMatching(
        /^Opora cannot start: the database has lost data: region 63's request-number counter is at 1 but request number 3 was already given out .*restore the latest backup/,
      ),
    ]);
    // Not re-seeded: no demo logins printed, no staff or centers added, the file's content unchanged.
    expect(s.out).not.toMatch(/demo login|Opora is listening/);
    expect(countOf(file, "StaffUser")).toBe(staffBefore);
    expect(countOf(file, "Center")).toBe(centersBefore);
    const after = new Database(file, { readonly: true });
    try {
      expect(after.prepare(`SELECT last FROM RequestNumberCounter WHERE regionCode = '63'`).get()).toEqual({ last: 1 });
    } finally {
      after.close();
    }
    expect(readFileSync(file).length).toBe(bytes.length);
  }, 90_000);

  it("the migration history behind the schema (a migration's record lost, its table there): refused, nothing applied", async () => {
    const file = await dataFile();
    const history = new Database(file);
    const last = (history.prepare(`SELECT migration_name AS name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1`).get() as { name: string }).name;
    history.prepare(`DELETE FROM _prisma_migrations WHERE migration_name = ?`).run(last);
    history.close();

    const r = migrateDatabase(file);
    expect(r).toMatchObject({ type: "error", code: "HISTORY_BEHIND" });
    if (r.type === "error") expect(r.message).toContain(`does not record ${last}`);

    const s = await startService(file);
    expect(s.code).toBe(1);
    expect(plainLines(s.out)).toEqual([expect.stringMatching(/^Opora cannot start: the database has lost data: its (table|index|column) .* exists but its migration history does not record/)]);
    expect(s.out).not.toMatch(/demo login|Opora is listening/);
    expect(countOf(file, "_prisma_migrations")).toBe(shippedCount() - 1);
  }, 90_000);
});

/** How many migrations this version ships. */
function shippedCount(): number {
  return readdirSync(MIGRATIONS_DIR).filter((n) => existsSync(path.join(MIGRATIONS_DIR, n, "migration.sql"))).length;
}
