// The web view when another process holds the database's write lock too long: the page that needed
// to write says kindly that nothing was saved (503, Retry-After), instead of "something went wrong".
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type Db, openDb } from "../../src/db/client.ts";
import { createTempDb, type TempDb, testEngine } from "../helpers/temp-db.ts";
import { Browser, buildAdminTestApp, PASSWORD, seedWorld } from "../web/helpers.ts";

let t: TempDb | undefined;
let db: Db | undefined;
let holder: Database.Database | undefined;
afterEach(async () => {
  if (holder?.open) holder.close();
  await db?.$disconnect();
  await t?.cleanup();
});

describe.skipIf(testEngine() !== "sqlite")("web view under a long lock", () => {
  it("a login while another process holds the write lock: 503 'busy' page, then it works once the lock is gone", async () => {
    t = await createTempDb();
    await seedWorld(t.db);
    db = await openDb({ file: t.file }, { lockWaitMs: 800 });
    const app = await buildAdminTestApp({ db });
    const b = new Browser(app);
    const token = await b.csrf("/login");
    holder = new Database(t.file);
    holder.exec("BEGIN IMMEDIATE");
    const res = await b.post("/login", { email: "admin63@test.local", password: PASSWORD, _csrf: token });
    expect(res.statusCode).toBe(503);
    expect(res.headers["retry-after"]).toBe("30");
    expect(res.body).toContain("Сервис сейчас занят");
    holder.exec("ROLLBACK");
    await b.login("admin63@test.local");
    expect((await b.get("/admin/63")).statusCode).toBe(200);
  }, 60_000);
});
