// Transactions are isolated from everything else the process does: a top-level write made while
// an unrelated transaction is open commits on its own, and nobody reads uncommitted rows. On SQLite
// Prisma runs everything on one connection, so this is what `isolatedSqlite` is for.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.ts";
import { migrateDatabase } from "../../src/db/migrate.ts";
import { PrismaClient } from "../../src/generated/prisma/client.ts";
import { createTempDb, type TempDb, testEngine } from "../helpers/temp-db.ts";

let t: TempDb | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const conversation = (chatId: string) => ({ channel: "telegram", chatId, userId: "u", state: "", stateVersion: 1 });

/** A transaction that writes a row, waits for `gate`, then fails (rolls back). */
function failingTransaction(db: Db, gate: Promise<void>) {
  let wrote!: () => void;
  const written = new Promise<void>((r) => {
    wrote = r;
  });
  const done = db
    .$transaction(async (tx) => {
      await tx.conversation.create({ data: conversation("in-tx") });
      wrote();
      await gate;
      throw new Error("rolled back on purpose");
    })
    .then(
      () => "committed",
      (err: Error) => err.message,
    );
  return { written, done };
}

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { opened, open };
}

/** The leak, reproduced on any client: a top-level write and read while a transaction is open. */
async function writeAndReadDuringRollback(db: Db) {
  const g = gate();
  const tx = failingTransaction(db, g.opened);
  await tx.written;
  // Prisma's promises are lazy: `.then` sends the queries now, while the transaction is open.
  const write = db.conversation.create({ data: conversation("top-level") }).then((c) => c.chatId);
  const read = db.conversation.findMany({ select: { chatId: true } }).then((rows) => rows);
  // Let the top-level statements run (or queue) while the transaction is still open.
  await new Promise((r) => setTimeout(r, 50));
  g.open();
  const [outcome, , seen] = await Promise.all([tx.done, write, read]);
  const after = (await db.conversation.findMany({ select: { chatId: true }, orderBy: { chatId: "asc" } })).map((c) => c.chatId);
  return { outcome, seenDuring: seen.map((c) => c.chatId), after };
}

describe("transactions", () => {
  it("a top-level write during an unrelated rollback commits, and a read never sees uncommitted rows", async () => {
    t = await createTempDb();
    const r = await writeAndReadDuringRollback(t.db);
    expect(r.outcome).toBe("rolled back on purpose");
    expect(r.seenDuring).not.toContain("in-tx");
    expect(r.after).toEqual(["top-level"]);
  });

  it("a transaction sees its own writes, and rolls back as a whole", async () => {
    t = await createTempDb();
    await expect(
      t.db.$transaction(async (tx) => {
        await tx.conversation.create({ data: conversation("a") });
        expect(await tx.conversation.count()).toBe(1);
        await tx.conversation.create({ data: conversation("a") }); // unique (channel, chatId)
      }),
    ).rejects.toMatchObject({ code: "P2002" });
    expect(await t.db.conversation.count()).toBe(0);
  });

  it("many concurrent transactions and top-level writes all land, none inside another", async () => {
    t = await createTempDb();
    const db = t.db;
    const work = Array.from({ length: 40 }, (_, i) =>
      i % 2 === 0
        ? db.$transaction(async (tx) => {
            await tx.conversation.create({ data: conversation(`tx-${i}`) });
            await new Promise((r) => setTimeout(r, 1));
            if (i % 4 === 0) throw new Error("undo");
          })
        : db.conversation.create({ data: conversation(`top-${i}`) }),
    );
    const results = await Promise.allSettled(work);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(10);
    const rows = (await db.conversation.findMany({ select: { chatId: true } })).map((c) => c.chatId);
    expect(rows.filter((c) => c.startsWith("top-"))).toHaveLength(20);
    expect(rows.filter((c) => c.startsWith("tx-")).sort()).toEqual(
      Array.from({ length: 40 }, (_, i) => i)
        .filter((i) => i % 2 === 0 && i % 4 !== 0)
        .map((i) => `tx-${i}`)
        .sort(),
    );
  });
});

describe.skipIf(testEngine() !== "sqlite")("Prisma's SQLite adapter on its own", () => {
  it("leaks: a top-level write joins the open transaction (why isolatedSqlite exists)", async () => {
    // If this ever fails, Prisma isolates by itself and src/db/sqlite-isolation.ts can go.
    const dir = mkdtempSync(path.join(tmpdir(), "opora-leak-"));
    const file = path.join(dir, "leak.db");
    expect(migrateDatabase(file).type).toBe("ok");
    const bare = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${file}` }) });
    try {
      const r = await writeAndReadDuringRollback(bare);
      expect(r.seenDuring).toContain("in-tx");
      expect(r.after).toEqual([]);
    } finally {
      await bare.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
