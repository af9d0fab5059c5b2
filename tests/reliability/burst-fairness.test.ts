// One family's burst of hundreds of messages does not hold up another family: each chat has its own
// queue, and the other family's answer goes out while the burst is still being worked through.
import { afterEach, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { FAKE_BOT, type FakeTelegramApi, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

const log = createLogger({ level: "silent" });
let temp: TempDb | undefined;
let api: FakeTelegramApi | undefined;
let channel: TelegramChannel | undefined;
afterEach(async () => {
  await channel?.stop();
  await api?.close();
  await temp?.cleanup();
  channel = undefined;
  api = undefined;
  temp = undefined;
});

describe("fair service across chats", () => {
  it("a burst of 300 messages from one family: another family's answer comes while the burst is still being answered", async () => {
    temp = await createTempDb();
    await loadDemoRoutingIfEmpty(temp.db, log);
    api = await startFakeTelegramApi();
    const i18n = createI18n();
    const service = createDialogService({
      db: temp.db,
      log,
      i18n,
      clock: () => new Date(),
      config: { consentVersion: "t-1", publicBaseUrl: "http://127.0.0.1", operatorName: "Opora test" },
    });
    channel = createTelegramChannel({
      token: api.token,
      apiRoot: api.apiRoot,
      service,
      db: temp.db,
      log,
      i18n,
      mode: { type: "polling", timeoutSeconds: 1 },
      throttle: false,
      botInfo: { ...FAKE_BOT } as never,
    });
    await channel.start();
    const burst = { id: 901, first_name: "Burst", language_code: "ru" };
    const other = { id: 902, first_name: "Other", language_code: "ru" };
    api.push(api.text(burst, "/start"));
    for (let i = 0; i < 300; i++) api.push(api.text(burst, `сообщение ${i}`));
    await api.waitFor(() => api!.sentTo(burst.id).length > 5, 20_000, "the burst under way");

    const asked = Date.now();
    api.push(api.text(other, "/start"));
    await api.waitFor(() => api!.sentTo(other.id).length > 0, 20_000, "the other family's answer");
    const waited = Date.now() - asked;
    const burstAnswered = await temp.db.processedUpdate.count({ where: { channel: "telegram" } });
    // Not after the burst: most of it was still waiting when the other family was answered.
    expect(burstAnswered).toBeLessThan(200);
    expect(waited).toBeLessThan(5_000);
    await channel.idle();
  }, 120_000);
});
