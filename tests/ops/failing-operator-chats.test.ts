// The admin overview lists the centers whose operators' chat is not receiving notices (given up on
// or being retried since the last one that got through), with what to do: the regional admin sees
// their region's centers, the superadmin every region's; a chat that works again drops off.
import { describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.ts";
import { failingOperatorChats } from "../../src/handoff/operator-chat-health.ts";
import { Browser, buildAdminTestApp, NOW } from "../web/helpers.ts";
import { seededDbPerTest } from "../web/seeded-db.ts";

const seeded = seededDbPerTest();

const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
let n = 0;
async function notice(db: Db, channel: "telegram" | "max", target: string, status: string, createdAt: Date, extra: { attempts?: number; lastError?: string } = {}) {
  n += 1;
  await db.outbox.create({
    data: {
      idempotencyKey: `test-${n}`, kind: "center_new_request", channel, target, payload: "{}", status, createdAt,
      attempts: extra.attempts ?? (status === "sent" ? 1 : 3), lastError: extra.lastError ?? null, ...(status === "sent" ? { sentAt: createdAt } : {}),
    },
  });
}

async function setup() {
  const { db } = await seeded();
  const chat = (key: string, data: { notifyTelegramChatId?: string; notifyMaxChatId?: string }) => db.center.update({ where: { key }, data });
  await chat("samara-deti-v-seme", { notifyTelegramChatId: "-1001" }); // bot removed from the chat: failing
  await chat("samara-crisis-line", { notifyTelegramChatId: "-1003" }); // failed once, works again
  await chat("smolensk-vyhod-est", { notifyMaxChatId: "-2002" }); // MAX chat failing (region 67)

  await notice(db, "telegram", "-1001", "sent", minutesAgo(300));
  await notice(db, "telegram", "-1001", "dead", minutesAgo(120), { lastError: "FORBIDDEN" });
  await notice(db, "telegram", "-1001", "dead", minutesAgo(60), { lastError: "FORBIDDEN" });
  await notice(db, "telegram", "-1001", "pending", minutesAgo(5), { attempts: 2, lastError: "FORBIDDEN" });
  await notice(db, "telegram", "-1003", "dead", minutesAgo(200), { lastError: "NETWORK" });
  await notice(db, "telegram", "-1003", "sent", minutesAgo(100));
  await notice(db, "max", "-2002", "dead", minutesAgo(30), { lastError: "SEND_ERROR" });
  // A notice queued and not yet tried is not a failure.
  await notice(db, "telegram", "-1003", "pending", minutesAgo(1), { attempts: 0 });
  const app = await buildAdminTestApp({ db });
  return { app, db };
}

const listed = (html: string) => [...html.matchAll(/data-center="([^"]+)"/g)].map((m) => m[1]);

describe("failing operators' chats on the admin overview", () => {
  it("the repository: counts since the last delivered notice, recovered chats left out, per region", async () => {
    const { db } = await setup();
    expect(await failingOperatorChats(db, { regionCode: "63", now: NOW })).toEqual([
      expect.objectContaining({ centerKey: "samara-deti-v-seme", channel: "telegram", dead: 2, retrying: 1, lastError: "FORBIDDEN", since: minutesAgo(120) }),
    ]);
    const all = await failingOperatorChats(db, { now: NOW });
    expect(all.map((f) => [f.centerKey, f.channel, f.dead, f.retrying])).toEqual([
      ["samara-deti-v-seme", "telegram", 2, 1],
      ["smolensk-vyhod-est", "max", 1, 0],
    ]);
    // Failures older than a week with nothing since are not "failing now".
    expect(await failingOperatorChats(db, { now: new Date(NOW.getTime() + 8 * 86_400_000) })).toEqual([]);
  });

  it("the regional admin sees their region's failing chat with the advice; the superadmin sees all regions; gone once a notice gets through", async () => {
    const { app, db } = await setup();
    const a63 = new Browser(app);
    await a63.login("admin63@test.local");
    const home = await a63.get("/admin/63");
    expect(home.statusCode).toBe(200);
    expect(listed(home.body)).toEqual(["samara-deti-v-seme"]);
    expect(home.body).toContain("Чаты операторов не получают уведомления");
    expect(home.body).toContain("2 не доставлено, 1 повторяется");
    expect(home.body).toContain("последняя ошибка: FORBIDDEN");
    expect(home.body).toContain("привяжите новый на странице «Центры»");

    const a67 = new Browser(app);
    await a67.login("admin67@test.local");
    expect(listed((await a67.get("/admin/67")).body)).toEqual(["smolensk-vyhod-est"]);

    const root = new Browser(app);
    await root.login("root@test.local");
    const overview = await root.get("/admin");
    expect(overview.statusCode).toBe(200);
    expect(listed(overview.body)).toEqual(["samara-deti-v-seme", "smolensk-vyhod-est"]);

    // The chat works again: a later notice is delivered, the center drops off the list.
    await notice(db, "telegram", "-1001", "sent", minutesAgo(1));
    const after = await a63.get("/admin/63");
    expect(listed(after.body)).toEqual([]);
    expect(after.body).not.toContain("Чаты операторов не получают уведомления");
  });
});
