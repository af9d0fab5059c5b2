// The first reply to /start leaves within 2 s of the update reaching the service (issue 15.9), in
// both messengers: a webhook POST over loopback to the service's HTTP server, the real dialog
// service on a fresh database, and the fake API's own receive time of the first message. Timestamps
// are compared, nothing is benchmarked.
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel, telegramWebhookPlugin } from "../../src/channels/telegram/telegram-channel.ts";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { type FakeTelegramApi, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { type Harness, SECRET as MAX_SECRET, startHarness } from "../max/harness.ts";

const FIRST_REPLY_MS = 2000;
const i18n = createI18n();
const log = createLogger({ level: "silent" });
let temp: TempDb;
let service: DialogService;

beforeEach(async () => {
  temp = await createTempDb();
  await loadDemoRoutingIfEmpty(temp.db, log);
  service = createDialogService({
    db: temp.db,
    log,
    i18n,
    clock: () => new Date(),
    config: { consentVersion: "t", publicBaseUrl: "https://opora.example", operatorName: "Opora test operator" },
  });
});

describe("first reply to /start", () => {
  let app: FastifyInstance | undefined;
  let api: FakeTelegramApi | undefined;
  let channel: TelegramChannel | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await channel?.stop();
    await app?.close();
    await api?.close();
    await h?.close();
    await temp.cleanup();
    app = undefined;
    api = undefined;
    channel = undefined;
    h = undefined;
  });

  it(`Telegram: within ${FIRST_REPLY_MS} ms of the webhook POST`, async () => {
    const fake = await startFakeTelegramApi();
    api = fake;
    const tg = createTelegramChannel({ token: fake.token, apiRoot: fake.apiRoot, service, db: temp.db, log, i18n, mode: { type: "webhook", secret: "first-reply-1" } });
    channel = tg;
    await tg.start();
    const server = Fastify();
    app = server;
    await server.register(telegramWebhookPlugin(tg, { secret: "first-reply-1" }));
    const address = await server.listen({ port: 0, host: "127.0.0.1" });
    const update = fake.stamp(fake.text({ id: 631, language_code: "ru" }, "/start"));
    const postedAt = Date.now();
    const res = await fetch(`${address}/webhooks/telegram`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": "first-reply-1" },
      body: JSON.stringify(update),
    });
    expect(res.status).toBe(200);
    await fake.waitFor(() => fake.callsOf("sendMessage").length > 0, 10_000, "the first reply");
    const first = fake.callsOf("sendMessage")[0]!;
    expect(String(first.payload.chat_id)).toBe("631");
    expect(first.at - postedAt).toBeLessThan(FIRST_REPLY_MS);
  });

  it(`MAX: within ${FIRST_REPLY_MS} ms of the webhook POST`, async () => {
    const harness = await startHarness({ service, db: temp.db, mode: "webhook" });
    h = harness;
    const address = await harness.app!.listen({ port: 0, host: "127.0.0.1" });
    const postedAt = Date.now();
    const res = await fetch(`${address}/webhooks/max`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-max-bot-api-secret": MAX_SECRET },
      body: JSON.stringify(harness.api.botStarted({ userId: 741, chatId: 8741 })),
    });
    expect(res.status).toBe(200);
    const sent = () => harness.api.callsTo("POST", "/messages").filter((c) => c.query.chat_id === "8741");
    const start = Date.now();
    while (sent().length === 0 && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 5));
    expect(sent().length).toBeGreaterThan(0);
    expect(sent()[0]!.at - postedAt).toBeLessThan(FIRST_REPLY_MS);
  });
});
