// `npm run backup -- FILE` while the service runs and requests keep being written; then a fresh
// service started on the copy has the requests. Bad targets: one message, exit ≠ 0, live untouched.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../scripts/build.mjs";
import { createTempDb, SQLITE_FILE_ONLY, type TempDb, testEngine } from "../helpers/temp-db.ts";
import { makeRequest, seedWorld } from "../web/helpers.ts";
import { startBuilt } from "./service-process.ts";

const BACKUP = path.resolve("dist/cli/backup.js");
beforeAll(() => ensureBuilt({ log: () => undefined }), 180_000);

let t: TempDb;
beforeEach(async () => {
  t = await createTempDb();
});
afterEach(async () => {
  await t.cleanup();
});

function backup(file: string, target: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BACKUP, target], {
      env: { PATH: process.env.PATH ?? "", DATABASE_FILE: file },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("exit", (code) => resolve({ code: code ?? -1, out }));
  });
}

const numbers = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT number FROM Request ORDER BY number").all() as { number: string }[]).map((r) => r.number);
  } finally {
    db.close();
  }
};

describe.skipIf(testEngine() !== "sqlite")(`npm run backup (${SQLITE_FILE_ONLY})`, () => {
  it("copies the live database while the service runs and requests are written; a service started on the copy has them", async () => {
    const w = await seedWorld(t.db);
    const live = startBuilt({ DATABASE_FILE: t.file, PORT: "0" });
    await live.listening;

    // Requests keep arriving during the backup (through the database, as the service's own writes
    // do). The writer is BOUNDED — at most 3,000 inserts, at most 60 s — and always stopped in
    // `finally`, so a failing assertion or a slow machine can never leave it running.
    const deadline = Date.now() + 60_000;
    let stop = false;
    const committed: string[] = [];
    const writer = (async () => {
      for (let i = 1; i <= 3_000 && !stop && Date.now() < deadline; i++) {
        const number = `63-${String(i).padStart(5, "0")}`;
        try {
          await makeRequest(t.db, { queueId: w.queues.samara, regionCode: "63", number });
          committed.push(number);
        } catch {
          // The write lock was busy too long on this loaded machine: that row was not written.
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    let result: { code: number; out: string };
    let before: string[];
    const target = path.join(t.dir, "backup.db");
    try {
      while (committed.length < 30 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      before = [...committed]; // committed before the backup starts
      expect(before.length).toBeGreaterThanOrEqual(30);
      result = await backup(t.file, target);
      expect(committed.length).toBeGreaterThan(before.length); // the writer really wrote during the backup
    } finally {
      stop = true;
      await writer;
    }
    expect(result.out).toMatch(/backup written: .*backup\.db/);
    expect(result.code).toBe(0);

    const copied = numbers(target);
    const all = numbers(t.file);
    // Everything committed before the backup began is in the copy; nothing in it is invented; it
    // is a standalone file (no WAL beside it) that passes an integrity check.
    expect(copied).toEqual(expect.arrayContaining(before));
    expect(copied.every((n) => all.includes(n))).toBe(true);
    expect(existsSync(`${target}-wal`)).toBe(false);
    const check = new Database(target, { readonly: true });
    try {
      expect(check.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(check.pragma("journal_mode", { simple: true })).toBe("delete");
    } finally {
      check.close();
    }

    live.child.kill("SIGTERM");
    expect(await live.exited).toBe(0);

    // Restore: a fresh start on the copy (README "Backups").
    const restoredDir = path.join(t.dir, "restored");
    mkdirSync(restoredDir);
    const restoredFile = path.join(restoredDir, "opora.db");
    writeFileSync(restoredFile, readFileSync(target));
    const restored = startBuilt({ DATABASE_FILE: restoredFile, PORT: "0" });
    const port = await restored.listening;
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    expect(numbers(restoredFile)).toEqual(expect.arrayContaining(copied));
    restored.child.kill("SIGTERM");
    expect(await restored.exited).toBe(0);
  }, 180_000);

  it("refuses a target that exists or cannot be written, with one message and exit ≠ 0; the live database is untouched", async () => {
    const w = await seedWorld(t.db);
    await makeRequest(t.db, { queueId: w.queues.samara, regionCode: "63", number: "63-00001" });
    const liveBefore = readFileSync(t.file);

    const existing = path.join(t.dir, "exists.db");
    writeFileSync(existing, "not a backup");
    const r1 = await backup(t.file, existing);
    expect(r1.code).not.toBe(0);
    expect(r1.out.trim().split("\n")).toHaveLength(1);
    expect(r1.out).toMatch(/already exists/);
    expect(readFileSync(existing, "utf8")).toBe("not a backup");

    const r2 = await backup(t.file, path.join(t.dir, "no-such-folder", "b.db"));
    expect(r2.code).not.toBe(0);
    expect(r2.out).toMatch(/does not exist/);

    if (process.getuid?.() !== 0) {
      const ro = path.join(t.dir, "read-only");
      mkdirSync(ro);
      chmodSync(ro, 0o555);
      const r3 = await backup(t.file, path.join(ro, "b.db"));
      expect(r3.code).not.toBe(0);
      expect(r3.out).toMatch(/cannot write/);
    }
    const r4 = await backup(path.join(t.dir, "missing.db"), path.join(t.dir, "b.db"));
    expect(r4.code).not.toBe(0);
    expect(r4.out).toMatch(/does not exist/);
    expect(existsSync(path.join(t.dir, "missing.db"))).toBe(false);

    expect(readFileSync(t.file).equals(liveBefore)).toBe(true);
    expect(numbers(t.file)).toEqual(["63-00001"]);
    expect(spawnSync("ls", ["-a", t.dir], { encoding: "utf8" }).stdout).not.toMatch(/partial/);
  }, 60_000);
});
