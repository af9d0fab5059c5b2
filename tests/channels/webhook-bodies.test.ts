// Webhook answers, both messengers: a well-formed JSON body that is not an update we can use (no
// `update_id`, an unknown update type, an array) is acknowledged with 200 and ignored — any other
// status makes the messenger deliver it again forever. A wrong secret stays 401, and an update that
// cannot be stored stays 503 (so the messenger retries it and nothing is lost).
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type TelegramChannel, telegramWebhookPlugin } from "../../src/channels/telegram/telegram-channel.ts";
import type { FakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { type Harness, SECRET as MAX_SECRET } from "../max/harness.ts";
import { maxWorld } from "../max/max-world.ts";
import { captureLog } from "../telegram/helpers.ts";
import { createScriptedService, type ScriptedService } from "../telegram/scripted-service.ts";
import { telegramWorld } from "../telegram/telegram-world.ts";

const TG_SECRET = "tg-webhook-secret-42";
let service: ScriptedService;

describe("Telegram webhook bodies", () => {
  const world = telegramWorld({ demoRouting: false });
  let api: FakeTelegramApi;
  let channel: TelegramChannel;
  let app: FastifyInstance;

  beforeEach(async () => {
    service = createScriptedService(world.db);
    ({ api, channel } = await world.start({ service, channel: { log: captureLog().log, mode: { type: "webhook", secret: TG_SECRET }, throttle: false } }));
    app = Fastify();
    await app.register(telegramWebhookPlugin(channel, { secret: TG_SECRET }));
  });
  afterEach(async () => {
    await app.close();
  });

  const post = (payload: unknown, secret = TG_SECRET) =>
    app.inject({ method: "POST", url: "/webhooks/telegram", headers: { "x-telegram-bot-api-secret-token": secret, "content-type": "application/json" }, payload: JSON.stringify(payload) });

  it("a body without update_id, an array or an unknown update type is answered 200 and changes nothing", async () => {
    for (const body of [{ nope: 1 }, { message: { text: "hi" } }, [1, 2], { update_id: -5 }, { update_id: 77, business_connection: { id: "x" } }]) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(200);
    }
    await channel.idle();
    expect(service.calls).toHaveLength(0);
    expect(await world.db.inboundUpdate.count()).toBe(0);
    expect(api.sent).toHaveLength(0);
  });

  it("a wrong secret stays 401; an update that cannot be stored stays 503 and is taken when re-sent", async () => {
    const update = api.stamp(api.text({ id: 601 }, "/start"));
    expect((await post(update, "wrong-secret")).statusCode).toBe(401);
    await world.db.$executeRawUnsafe('ALTER TABLE "InboundUpdate" RENAME TO "InboundUpdateGone"');
    expect((await post(update)).statusCode).toBe(503);
    await world.db.$executeRawUnsafe('ALTER TABLE "InboundUpdateGone" RENAME TO "InboundUpdate"');
    await channel.idle();
    expect(service.calls).toHaveLength(0);
    expect((await post(update)).statusCode).toBe(200);
    await channel.idle();
    expect(service.calls.map((c) => c.event)).toEqual([{ type: "start" }]);
  });
});

describe("MAX webhook bodies", () => {
  const world = maxWorld({ demoRouting: false });
  let h: Harness;
  beforeEach(async () => {
    service = createScriptedService(world.db);
    h = await world.start("webhook", { service });
  });

  const post = (payload: unknown, secret = MAX_SECRET) =>
    h.app!.inject({ method: "POST", url: "/webhooks/max", headers: { "x-max-bot-api-secret": secret, "content-type": "application/json" }, payload: JSON.stringify(payload) });

  it("an unknown update type, a malformed known one, an array or a bare value is answered 200 and changes nothing", async () => {
    const bodies = [
      { update_type: "message_chat_created", timestamp: 1, chat: { chat_id: 5 } },
      { update_type: "future_update", timestamp: 1 },
      { update_type: "message_created", timestamp: 1 },
      { nope: 1 },
      [1, 2],
      42,
      null,
    ];
    for (const body of bodies) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(200);
    }
    await h.settle();
    expect(service.calls).toHaveLength(0);
    expect(await world.db.inboundUpdate.count()).toBe(0);
    expect(h.api.callsTo("POST", "/messages")).toHaveLength(0);
  });

  it("a wrong secret stays 401; an update that cannot be stored stays 503 and is taken when re-sent", async () => {
    const update = h.api.botStarted({ userId: 701, chatId: 7701 });
    expect((await post(update, "wrong-secret")).statusCode).toBe(401);
    await world.db.$executeRawUnsafe('ALTER TABLE "InboundUpdate" RENAME TO "InboundUpdateGone"');
    expect((await post(update)).statusCode).toBe(503);
    await world.db.$executeRawUnsafe('ALTER TABLE "InboundUpdateGone" RENAME TO "InboundUpdate"');
    await h.settle();
    expect(service.calls).toHaveLength(0);
    expect((await post(update)).statusCode).toBe(200);
    await h.settle();
    expect(service.calls.map((c) => c.event)).toEqual([{ type: "start" }]);
  });
});
