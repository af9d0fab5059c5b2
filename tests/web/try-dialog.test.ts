import { describe, expect, it } from "vitest";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { Browser, buildAdminTestApp, NOW } from "./helpers.ts";
import { seededDbPerTest } from "./seeded-db.ts";

const seeded = seededDbPerTest();

describe("try the dialog", () => {
  it("chats with the real dialog service over the web channel, as a test conversation", async () => {
    const t = await seeded();
    const service = createDialogService({
      db: t.db,
      log: createLogger({ level: "silent" }),
      i18n: createI18n(),
      clock: () => NOW,
      config: { consentVersion: "test-1", publicBaseUrl: "http://127.0.0.1", operatorName: "Test operator" },
    });
    const app = await buildAdminTestApp({ db: t.db, service });
    const b = new Browser(app);
    await b.login("admin63@test.local");
    const page = await b.get("/admin/63/try");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('class="msg dir-out"');
    const sent = await b.postForm("/admin/63/try", { kind: "text", text: "<b>нужна помощь</b>" }, "/admin/63/try");
    expect(sent.statusCode).toBe(303);
    const after = await b.get("/admin/63/try");
    expect(after.body).toContain("&lt;b&gt;нужна помощь&lt;/b&gt;");
    const conv = await t.db.conversation.findFirstOrThrow({ where: { channel: "web" } });
    expect(conv.isTest).toBe(true);
    // Operators cannot open it.
    const op = new Browser(app);
    await op.login("op63@test.local");
    expect((await op.get("/admin/63/try")).statusCode).toBe(404);
  });
});
