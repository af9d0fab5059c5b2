// The admin overview shows each messenger's state and its last error in the reader's language;
// the centers page tells a MAX admin that the bot must be an administrator of the operators' chat.
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { createAdminPlugin } from "../../src/admin/admin-plugin.ts";
import { createChannelStatusBoard } from "../../src/channels/channel-status.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { Browser, NOW } from "../web/helpers.ts";
import { seededDbPerTest } from "../web/seeded-db.ts";

const seeded = seededDbPerTest();

async function setup() {
  const t = await seeded();
  const board = createChannelStatusBoard(() => NOW);
  board.register("telegram", "webhook");
  board.register("max", "polling");
  board.set("telegram", "up");
  board.set("max", "down", Object.assign(new Error("x"), { status: 401, code: "verify.token" }));
  const app = Fastify({ logger: false, trustProxy: true });
  await app.register(
    createAdminPlugin({
      db: t.db,
      log: createLogger({ level: "silent" }),
      i18n: createI18n(),
      clock: () => NOW,
      channels: () => board.list(),
      config: { publicBaseUrl: "http://127.0.0.1", sessionSecret: "x".repeat(48), cookieSecure: false },
    }),
  );
  await app.ready();
  return { app, board };
}

describe("admin overview: messenger states", () => {
  it("a superadmin and a regional admin see MAX down with the refused token, Telegram working", async () => {
    const { app } = await setup();
    for (const [email, url] of [["root@test.local", "/admin"], ["admin63@test.local", "/admin/63"]] as const) {
      const b = new Browser(app);
      await b.login(email);
      const page = await b.get(url);
      expect(page.statusCode).toBe(200);
      const section = /<section id="channel-states"[\s\S]*?<\/section>/.exec(page.body)?.[0] ?? "";
      expect(section).toMatch(/class="channel-max channel-down"/);
      expect(section).toMatch(/class="channel-telegram channel-up"/);
      // The reader's language (Russian by default), with the status the API gave.
      expect(section).toContain("не работает");
      expect(section).toContain("отклонил токен бота (401)");
    }
  });

  it("the centers page says the bot must be an admin of a MAX operators' chat", async () => {
    const { app } = await setup();
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const page = await b.get("/admin/63/centers");
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/id="max-chat-admin-note"[^>]*>MAX: сделайте бота администратором чата операторов/);
  });
});
