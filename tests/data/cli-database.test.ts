// `npm run user` and `npm run chat` open the database the way the service does: the SQLite file of
// DATABASE_FILE, or PostgreSQL when DATABASE_URL is set (migrated at first use, regions seeded).
// The PostgreSQL cases run only with TEST_DATABASE_URL (see .ci/postgres-setup.sh).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type DbTarget, openDb } from "../../src/db/client.ts";
import { createPostgresDatabase, testEngine } from "../helpers/temp-db.ts";

const TSX = path.resolve("node_modules/tsx/dist/cli.mjs");
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function run(script: string, args: string[], env: Record<string, string>, stdin = ""): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TSX, script, ...args], {
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", LOG_LEVEL: "warn", ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? -1, out, err }));
    child.stdin.end(stdin);
  });
}

/** A fresh, empty database of each engine, and the environment that points a CLI at it. */
async function emptyDatabase(engine: "sqlite" | "postgresql"): Promise<{ env: Record<string, string>; target: DbTarget }> {
  if (engine === "postgresql") {
    const created = await createPostgresDatabase({ empty: true });
    cleanups.push(() => created.drop());
    return { env: { DATABASE_URL: created.url }, target: { engine: "postgresql", url: created.url } };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "opora-cli-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "opora.db");
  return { env: { DATABASE_FILE: file }, target: { engine: "sqlite", file } };
}

async function withDb<T>(target: DbTarget, read: (db: Awaited<ReturnType<typeof openDb>>) => Promise<T>): Promise<T> {
  const db = await openDb(target);
  try {
    return await read(db);
  } finally {
    await db.$disconnect();
  }
}

// CI runs the suite once per engine: each run checks the tools on its own.
describe.each([testEngine()])("command-line tools on %s", (engine) => {
  it("npm run user: migrates an empty database and creates the account there", async () => {
    const { env, target } = await emptyDatabase(engine);
    const args = ["create", "--email", "Chief@Example.org", "--password", "long-enough-pass-42", "--name", "Chief", "--role", "superadmin"];
    const r = await run("src/cli/user.ts", args, env);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^created superadmin chief@example\.org \(id \S+\)/);
    expect(r.out + r.err).not.toContain("long-enough-pass-42");
    const user = await withDb(target, (db) => db.staffUser.findUniqueOrThrow({ where: { email: "chief@example.org" } }));
    expect(user).toMatchObject({ role: "superadmin", name: "Chief", active: true });
    expect(user.passwordHash).not.toContain("long-enough-pass-42");
    // The same address again is refused, and the first account stays.
    const again = await run("src/cli/user.ts", args, env);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists/);
  }, 90_000);

  it("npm run chat: a family's request made in the terminal lands in that database", async () => {
    const { env, target } = await emptyDatabase(engine);
    // The shortest path through today's dialog; every answer is also checked by the dialog's own tests.
    const lines = [
      "/start 63",
      "4", // Риск изъятия ребёнка
      "нет", // danger now
      "Другое / не знаю", // municipality
      "Даю согласие",
      "Боимся, что заберут ребёнка из-за долгов за квартиру",
      "/phone +7 (912) 345-67-89",
      "Отправить",
      "/quit",
    ];
    const r = await run("src/cli/chat.ts", [], { ...env, CHAT_ID: "cli-test", CHAT_LANG: "ru" }, `${lines.join("\n")}\n`);
    expect(r.code, r.err).toBe(0);
    const number = /\b63-\d{5}\b/.exec(r.out)?.[0];
    expect(number, r.out.slice(-1500)).toBeDefined();
    const req = await withDb(target, (db) => db.request.findUniqueOrThrow({ where: { number: number ?? "" }, include: { conversation: true } }));
    expect(req).toMatchObject({ channel: "console", regionCode: "63", contactPhone: "+79123456789", description: expect.stringContaining("долгов за квартиру") });
    expect(req.conversation?.chatId).toBe("cli-test");
  }, 90_000);
});

describe("command-line tools with a DATABASE_URL they cannot use", () => {
  it("a URL that is not PostgreSQL's: one clear line, exit 1, nothing created", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "opora-cli-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const env = { DATABASE_URL: "mysql://u:p@127.0.0.1/x", DATABASE_FILE: path.join(dir, "opora.db") };
    const r = await run("src/cli/user.ts", ["create", "--email", "a@b.org", "--password", "long-enough-pass-42", "--name", "A", "--role", "superadmin"], env);
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe("DATABASE_URL must be a postgresql:// URL (SQLite is chosen with DATABASE_FILE)");
    const chat = await run("src/cli/chat.ts", [], env, "/quit\n");
    expect(chat.code).toBe(1);
    expect(chat.err.trim()).toBe("chat: DATABASE_URL must be a postgresql:// URL (SQLite is chosen with DATABASE_FILE)");
    expect(existsSync(env.DATABASE_FILE)).toBe(false);
  }, 60_000);
});
