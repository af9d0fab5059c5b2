// Safe upgrades: a database at EVERY earlier schema version (migrations 1..k applied, representative
// rows written in that version's own schema) is upgraded to the current one at start, and its data
// survives: the same request with its conversation, consent, center, operator, notes and transcript,
// the outbox and the logs; request numbers continue after the old ones; the current client writes.
// SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (its own migration line).
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { openDb, type DbTarget } from "../../src/db/client.ts";
import { checkForDataLoss } from "../../src/db/data-loss-check.ts";
import { MIGRATIONS_DIR, migrateDatabase } from "../../src/db/migrate.ts";
import { migratePostgres, POSTGRES_MIGRATIONS_DIR } from "../../src/db/migrate-postgres.ts";
import { shippedMigrationNames } from "../../src/db/migration-history.ts";
import { createPostgresDatabase, testEngine } from "../helpers/temp-db.ts";
import { makeRequest } from "../web/helpers.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "opora-upgrade-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A folder holding only the first k of an engine's migrations (byte-identical copies). */
function firstMigrations(source: string, k: number): string {
  const dir = tempDir();
  for (const name of shippedMigrationNames(source).slice(0, k)) cpSync(path.join(source, name), path.join(dir, name), { recursive: true });
  return dir;
}

/** Runs one statement on either engine: `?` placeholders, booleans and dates as the engine stores them. */
interface Raw {
  run(sql: string, params?: unknown[]): Promise<void>;
  one<T>(sql: string, params?: unknown[]): Promise<T | undefined>;
  hasTable(name: string): Promise<boolean>;
  close(): Promise<void>;
}

function sqliteRaw(file: string): Raw {
  const db = new Database(file);
  const conv = (params: unknown[]) => params.map((p) => (typeof p === "boolean" ? (p ? 1 : 0) : p instanceof Date ? p.toISOString().replace("Z", "+00:00") : p));
  return {
    run: async (sql, params = []) => void db.prepare(sql).run(...conv(params)),
    one: async <T>(sql: string, params: unknown[] = []) => db.prepare(sql).get(...conv(params)) as T | undefined,
    hasTable: async (name) => db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined,
    close: async () => void db.close(),
  };
}

async function postgresRaw(url: string): Promise<Raw> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  let n = 0;
  const numbered = (sql: string) => {
    n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    run: async (sql, params = []) => void (await c.query(numbered(sql), params)),
    one: async <T>(sql: string, params: unknown[] = []) => (await c.query(numbered(sql), params)).rows[0] as T | undefined,
    hasTable: async (name) => (await c.query(`SELECT to_regclass(quote_ident($1)) IS NOT NULL AS present`, [name])).rows[0]?.present === true,
    close: () => c.end(),
  };
}

const T0 = new Date("2026-11-20T09:00:00.000Z");
const DUE = new Date("2026-11-21T09:00:00.000Z");

/** Representative rows in the columns of the FIRST schema (later migrations only add). */
async function writeRows(raw: Raw): Promise<void> {
  const ins = (table: string, row: Record<string, unknown>) =>
    raw.run(`INSERT INTO "${table}" (${Object.keys(row).map((k) => `"${k}"`).join(", ")}) VALUES (${Object.keys(row).map(() => "?").join(", ")})`, Object.values(row));
  if (!(await raw.one(`SELECT 1 AS x FROM "Region" WHERE "code" = '63'`))) {
    await ins("Region", { code: "63", name: "Самарская область", timezone: "Europe/Samara", plateCodes: '["63","163","763"]' });
  }
  await ins("Municipality", { id: "mun-tlt", regionCode: "63", key: "togliatti", name: "Тольятти", aliases: '["Тольятти"]', active: true });
  await ins("Center", {
    id: "c-1", key: "samara-crisis", regionCode: "63", municipalityId: "mun-tlt", name: "Кризисный центр", publicPhone: "+78460000000",
    hours: "{}", is24x7: true, active: true, isDemo: false, notifyTelegramChatId: "-1001234", createdAt: T0, updatedAt: T0,
  });
  await ins("Queue", { id: "q-1", key: "samara-main", centerId: "c-1", name: "Основная", isDefault: true, isFallback: false, active: true, createdAt: T0, updatedAt: T0 });
  await ins("RoutingRule", { id: "r-1", key: "samara-all", regionCode: "63", categories: "[]", flags: "[]", queueId: "q-1", priority: 1, active: true, createdAt: T0, updatedAt: T0 });
  await ins("Conversation", { id: "conv-1", channel: "telegram", chatId: "5550001", userId: "5550001", locale: "ru", state: '{"step":"done"}', stateVersion: 1, seq: 7, isTest: false, channelData: "{}", lastActivityAt: T0, createdAt: T0, updatedAt: T0 });
  await ins("ConsentRecord", {
    id: "cons-1", channel: "telegram", userId: "5550001", decision: "given", textVersion: "2026-11-01", textHash: "ab".repeat(32), operatorName: "ГБУ Опора",
    purposes: "[]", dataList: "[]", recipients: "[]", term: "30", withdrawalMethod: "/forget", sourceUpdateId: "u-1", givenAt: T0,
  });
  await ins("StaffUser", { id: "u-1", email: "operator@example.org", passwordHash: "x", name: "Оператор", role: "operator", regionCode: "63", locale: "ru", active: true, createdAt: T0, updatedAt: T0 });
  await ins("CenterMembership", { userId: "u-1", centerId: "c-1" });
  const request = (number: string, extra: Record<string, unknown>) =>
    ins("Request", {
      number, channel: "telegram", isTest: false, categories: '["family_conflict"]', urgency: "P1", flags: "[]", answers: '{"age":"34"}', regionCode: "63",
      municipalityId: "mun-tlt", queueId: "q-1", ruleId: "r-1", routingReason: "rule", routingExplanation: "правило samara-all", dueAt: DUE, createdAt: T0, updatedAt: T0,
      ...extra,
    });
  await request("63-00001", {
    conversationId: "conv-1", description: "Сын перестал ходить в школу", contactName: "Анна", contactPhone: "+79270000001", contactMethod: "call",
    status: "in_progress", assigneeId: "u-1", consentId: "cons-1", takenAt: T0,
  });
  await request("63-00002", { urgency: "P0", status: "new" });
  const first = await raw.one<{ id: number }>(`SELECT "id" FROM "Request" WHERE "number" = '63-00001'`);
  await ins("TranscriptMessage", { id: "t-1", conversationId: "conv-1", requestId: first?.id, direction: "in", text: "Здравствуйте", createdAt: T0 });
  await ins("Note", { id: "n-1", requestId: first?.id, authorId: "u-1", text: "Позвонить вечером", createdAt: T0 });
  await ins("AuditLog", { at: T0, actorType: "staff", actorId: "u-1", action: "request.take", entityType: "request", entityId: String(first?.id), regionCode: "63", requestId: first?.id, details: "{}" });
  await ins("Outbox", { idempotencyKey: "notify-63-00002", kind: "center_notice", channel: "telegram", target: "-1001234", payload: "{}", requestId: first?.id, status: "pending", attempts: 0, nextAttemptAt: T0, createdAt: T0 });
  await ins("DestructionLog", { at: T0, reason: "retention", subject: "request", requestId: null, fields: '["description"]', byWhom: "system" });
  // Where this version has the counter, the service kept it in step with the numbers.
  if (await raw.hasTable("RequestNumberCounter")) await ins("RequestNumberCounter", { regionCode: "63", last: 2 });
}

const TABLES = ["Municipality", "Center", "Queue", "RoutingRule", "Conversation", "ConsentRecord", "StaffUser", "CenterMembership", "Request", "TranscriptMessage", "Note", "AuditLog", "Outbox", "DestructionLog"];

async function counts(raw: Raw): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await raw.one<{ n: number | bigint }>(`SELECT count(*) AS n FROM "${t}"`))?.n);
  return out;
}

/** The data after the upgrade, read with the CURRENT client; then a write with it. */
async function expectSurvived(target: DbTarget, before: Record<string, number>, raw: Raw): Promise<void> {
  expect(await counts(raw)).toEqual(before);
  const db = await openDb(target);
  try {
    const r = await db.request.findUniqueOrThrow({
      where: { number: "63-00001" },
      include: { conversation: true, consent: true, queue: { include: { center: true } }, assignee: true, notes: true, messages: true },
    });
    expect(r).toMatchObject({
      status: "in_progress", urgency: "P1", description: "Сын перестал ходить в школу", contactName: "Анна", contactPhone: "+79270000001",
      answers: '{"age":"34"}', createdAt: T0, dueAt: DUE, takenAt: T0,
      conversation: { chatId: "5550001", seq: 7 },
      consent: { textVersion: "2026-11-01", givenAt: T0 },
      queue: { key: "samara-main", center: { key: "samara-crisis", is24x7: true, notifyTelegramChatId: "-1001234" } },
      assignee: { email: "operator@example.org" },
      notes: [{ text: "Позвонить вечером" }],
      messages: [{ text: "Здравствуйте" }],
    });
    // Columns added later got their defaults on old rows.
    expect(r.urgencyReasons).toBe("[]");
    expect(await db.request.findUniqueOrThrow({ where: { number: "63-00002" } })).toMatchObject({ urgency: "P0", status: "new" });
    expect(await db.outbox.findFirstOrThrow({ where: { idempotencyKey: "notify-63-00002" } })).toMatchObject({ status: "pending", target: "-1001234" });
    // Numbering continues after the old numbers (the counter migration read them), nothing lost.
    expect(await db.requestNumberCounter.findUnique({ where: { regionCode: "63" } })).toEqual({ regionCode: "63", last: 2 });
    expect(await checkForDataLoss(db)).toEqual({ type: "ok" });
    // The current client writes to the upgraded schema.
    await makeRequest(db, { queueId: "q-1", regionCode: "63", number: "63-00003" });
    expect(await db.request.count()).toBe(3);
  } finally {
    await db.$disconnect();
  }
}

describe.skipIf(testEngine() !== "sqlite")("SQLite: upgrade from every earlier schema version", () => {
  const names = shippedMigrationNames(MIGRATIONS_DIR);
  it("ships more than one migration (otherwise there is nothing to upgrade from)", () => {
    expect(names.length).toBeGreaterThan(1);
  });
  for (let k = 1; k < names.length; k++) {
    it(`from version ${k} (${names[k - 1]}) to ${names.length}`, async () => {
      const file = path.join(tempDir(), "old.db");
      expect(migrateDatabase(file, firstMigrations(MIGRATIONS_DIR, k))).toMatchObject({ type: "ok" });
      const raw = sqliteRaw(file);
      cleanups.push(() => raw.close());
      await writeRows(raw);
      const before = await counts(raw);
      const upgraded = migrateDatabase(file);
      expect(upgraded).toEqual({ type: "ok", applied: names.slice(k) });
      await expectSurvived({ engine: "sqlite", file }, before, raw);
      // Started again: nothing more to apply, history and checksums agree.
      expect(migrateDatabase(file)).toEqual({ type: "ok", applied: [] });
      expect(existsSync(file)).toBe(true);
    });
  }
});

describe.skipIf(testEngine() !== "postgresql")("PostgreSQL: upgrade from every earlier schema version", () => {
  const names = shippedMigrationNames(POSTGRES_MIGRATIONS_DIR);
  for (let k = 1; k < names.length; k++) {
    it(`from version ${k} (${names[k - 1]}) to ${names.length}`, async () => {
      const created = await createPostgresDatabase({ empty: true });
      cleanups.push(() => created.drop());
      expect(await migratePostgres(created.url, firstMigrations(POSTGRES_MIGRATIONS_DIR, k))).toMatchObject({ type: "ok" });
      const raw = await postgresRaw(created.url);
      cleanups.push(() => raw.close());
      await writeRows(raw);
      const before = await counts(raw);
      expect(await migratePostgres(created.url)).toEqual({ type: "ok", applied: names.slice(k) });
      await expectSurvived({ engine: "postgresql", url: created.url }, before, raw);
      expect(await migratePostgres(created.url)).toEqual({ type: "ok", applied: [] });
    }, 30_000);
  }
});

// Keeps the folder listing honest: every shipped migration has its SQL.
it("every migration folder has a migration.sql", () => {
  for (const dir of [MIGRATIONS_DIR, POSTGRES_MIGRATIONS_DIR]) {
    for (const d of readdirSync(dir, { withFileTypes: true }).filter((x) => x.isDirectory())) expect(existsSync(path.join(dir, d.name, "migration.sql"))).toBe(true);
  }
});
