// End to end: the real Telegram channel + the real dialog service + a temp SQLite database,
// against the fake Bot API over HTTP. Simulated families press and type like people do.
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createTelegramChannel,
  type TelegramChannel,
  type TelegramMode,
  telegramWebhookPlugin,
} from "../../src/channels/telegram/telegram-channel.ts";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import type { DialogService, InboundEvent } from "../../src/dialog/service-types.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { type FakeTelegramApi, type FakeUser, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { createInbox, DEFAULT_SCRIPT, type Inbox, runFamily } from "./family-driver.ts";
import { type CapturedLog, captureLog } from "./helpers.ts";

const i18n = createI18n();
const FAST_THROTTLE = { globalPerSecond: 1000, perChatPerSecond: 100, perChatBurst: 20 };
const SECRET = "wh-secret_123";

let api: FakeTelegramApi;
let temp: TempDb;
let captured: CapturedLog;
let service: DialogService;
let events: InboundEvent[];
let inbox: Inbox;
let channels: TelegramChannel[];
let apps: FastifyInstance[];

const parent: FakeUser = { id: 9001, language_code: "ru" };

function makeChannel(mode: TelegramMode = { type: "polling", timeoutSeconds: 1 }) {
  const channel = createTelegramChannel({ token: api.token, apiRoot: api.apiRoot, service, db: temp.db, log: captured.log, i18n, mode, throttle: FAST_THROTTLE });
  channels.push(channel);
  return channel;
}

beforeEach(async () => {
  api = await startFakeTelegramApi();
  temp = await createTempDb();
  captured = captureLog();
  await loadDemoRoutingIfEmpty(temp.db, captured.log);
  const real = createDialogService({
    db: temp.db,
    log: captured.log,
    i18n,
    clock: () => new Date(),
    config: { consentVersion: "test-1", publicBaseUrl: "https://opora.example", operatorName: "Opora test operator" },
  });
  events = [];
  // Spy on what the channel hands over, without changing the service.
  service = {
    handle: (ctx, event) => {
      events.push(event);
      return real.handle(ctx, event);
    },
  };
  inbox = createInbox(api);
  channels = [];
  apps = [];
});

afterEach(async () => {
  for (const c of channels) await c.stop();
  for (const a of apps) await a.close();
  await api.close();
  await temp.cleanup();
});

const requestsOf = () => temp.db.request.findMany({ where: { channel: "telegram" } });
const push = (u: Update) => {
  api.push(u);
};

describe("telegram end to end (real dialog service, SQLite)", () => {
  it("polling: a whole triage from /start to a routed request in the database", async () => {
    const channel = makeChannel();
    await channel.start();
    const result = await runFamily({ api, inbox, user: parent, deliver: push, script: { ...DEFAULT_SCRIPT, startPayload: "63" } });
    expect(result.outcome, JSON.stringify(result.trail)).toBe("done");
    await channel.idle();
    const requests = await requestsOf();
    expect(requests).toHaveLength(1);
    const r = requests[0]!;
    expect(r.regionCode).toBe("63");
    expect(r.contactPhone).toBe("+79991234567");
    expect(r.queueId).toBeTruthy();
    expect(r.routingReason).toBeTruthy();
    expect(events[0]).toEqual({ type: "start", payload: "63" });
    expect(events).toContainEqual({ type: "contact", phone: "+79991234567", own: true });
    // Every press was answered; the contact keyboard was removed afterwards.
    expect(api.callsOf("answerCallbackQuery").length).toBe(events.filter((e) => e.type === "option").length);
    expect(api.sent.some((m) => m.reply_markup && "remove_keyboard" in m.reply_markup)).toBe(true);
    for (const m of api.sent) expect(m.text.length).toBeLessThanOrEqual(4096);
    expect(captured.problems()).toEqual([]);
  });

  it("webhook: a whole triage over a real HTTP listener, and a wrong secret changes nothing", async () => {
    const channel = makeChannel({ type: "webhook", secret: SECRET });
    await channel.start();
    const app = Fastify();
    apps.push(app);
    await app.register(telegramWebhookPlugin(channel, { secret: SECRET }));
    await app.listen({ host: "127.0.0.1", port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/webhooks/telegram`;
    const post = (update: Update, secret?: string) =>
      fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}) },
        body: JSON.stringify(update),
      });

    const forged = await post(api.stamp(api.text(parent, "/start")), "wrong");
    expect(forged.status).toBe(401);
    const unsigned = await post(api.stamp(api.text(parent, "/start")));
    expect(unsigned.status).toBe(401);
    await channel.idle();
    expect(events).toHaveLength(0);
    expect(await temp.db.processedUpdate.count()).toBe(0);
    expect(await temp.db.conversation.count()).toBe(0);

    const result = await runFamily({
      api,
      inbox,
      user: parent,
      deliver: async (u) => {
        const res = await post(u, SECRET);
        expect(res.status).toBe(200);
      },
    });
    expect(result.outcome, JSON.stringify(result.trail)).toBe("done");
    await channel.idle();
    expect(await requestsOf()).toHaveLength(1);
    expect(api.callsOf("getUpdates")).toHaveLength(0);
  });

  it("the P0 path: emergency numbers at once, and an urgent request", async () => {
    const channel = makeChannel();
    await channel.start();
    const result = await runFamily({ api, inbox, user: parent, deliver: push, script: { ...DEFAULT_SCRIPT, category: "suicide_crisis", description: "Не хочу жить, помогите" } });
    expect(result.outcome, JSON.stringify(result.trail)).toBe("done");
    expect(api.sentTo(parent.id).some((m) => m.text.includes("112"))).toBe(true);
    const requests = await requestsOf();
    expect(requests).toHaveLength(1);
    expect(requests[0]?.urgency).toBe("P0");
  });

  it("consent declined: no request and no personal data stored", async () => {
    const channel = makeChannel();
    await channel.start();
    const result = await runFamily({ api, inbox, user: parent, deliver: push, script: { ...DEFAULT_SCRIPT, consent: "decline" } });
    expect(result.outcome, JSON.stringify(result.trail)).toBe("info");
    await channel.idle();
    expect(await requestsOf()).toHaveLength(0);
    const conversation = await temp.db.conversation.findFirst({ where: { channel: "telegram", chatId: String(parent.id) } });
    expect(JSON.parse(conversation!.state).answers.consent).toBe("declined");
    // Nothing the family typed before declining stays anywhere, the dialog state included.
    expect(conversation!.state).not.toContain("ссоры");
    expect(await temp.db.consentRecord.count({ where: { decision: "given" } })).toBe(0);
    expect(await temp.db.transcriptMessage.count({ where: { text: { contains: "ссоры" } } })).toBe(0);
  });

  it("a stale button is answered, changes nothing, and the dialog goes on", async () => {
    const channel = makeChannel();
    await channel.start();
    let firstQuestion: { id: number; data: string } | undefined;
    let staleAnswered = false;
    const result = await runFamily({
      api,
      inbox,
      user: parent,
      deliver: push,
      beforeAction: async (step, action, question) => {
        if (step === 0 && action.type === "press") firstQuestion = { id: question.message_id, data: action.data };
        if (step === 3 && firstQuestion) {
          const before = await temp.db.conversation.findFirst({ where: { chatId: String(parent.id) } });
          const answers = api.callsOf("answerCallbackQuery").length;
          api.push(api.press(parent, firstQuestion.id, firstQuestion.data));
          await api.waitFor(() => api.callsOf("answerCallbackQuery").length > answers);
          await channel.idle();
          const after = await temp.db.conversation.findFirst({ where: { chatId: String(parent.id) } });
          // The step did not move back to where the stale button belonged.
          expect(JSON.parse(after!.state).step).toBe(JSON.parse(before!.state).step);
          expect(api.callsOf("editMessageReplyMarkup").some((c) => c.payload.message_id === firstQuestion!.id)).toBe(true);
          staleAnswered = true;
          // The bot repeated the current question: answer that one, not the one read before.
          return "reread";
        }
        return true;
      },
    });
    expect(staleAnswered).toBe(true);
    expect(result.outcome, JSON.stringify(result.trail)).toBe("done");
    expect(await requestsOf()).toHaveLength(1);
  });

  it("a contact of another person is not trusted: it is confirmed like a typed number", async () => {
    const channel = makeChannel();
    await channel.start();
    const result = await runFamily({ api, inbox, user: parent, deliver: push, script: { ...DEFAULT_SCRIPT, shareForeignContact: true, phone: "+79995550011" } });
    expect(result.outcome, JSON.stringify(result.trail)).toBe("done");
    expect(events).toContainEqual({ type: "contact", phone: "+79995550011", own: false });
    expect(result.trail.some((t) => t.endsWith(".use"))).toBe(true); // the confirmation step was shown
    const requests = await requestsOf();
    expect(requests[0]?.contactPhone).toBe("+79995550011");
  });

  it("every update delivered twice: applied once, answered once", async () => {
    const channel = makeChannel();
    await channel.start();
    const result = await runFamily({
      api,
      inbox,
      user: parent,
      deliver: (u) => {
        api.push(u);
        api.push(u); // Telegram re-delivers the same update_id
      },
    });
    expect(result.outcome, JSON.stringify(result.trail)).toBe("done");
    await channel.idle();
    expect(await requestsOf()).toHaveLength(1);
    const distinct = new Set(api.callsOf("sendMessage").map((c) => c.payload.text)).size;
    expect(distinct).toBeGreaterThan(5);
    // Each press is answered once: Telegram refuses a second answer of the same press.
    const presses = new Set(api.calls.filter((c) => c.method === "answerCallbackQuery").map((c) => c.payload.callback_query_id));
    expect(presses.size).toBeGreaterThan(3);
    expect(api.callsOf("answerCallbackQuery").length).toBe(presses.size);
    expect(api.rejected.filter((r) => r.method === "answerCallbackQuery")).toEqual([]);
    expect(await temp.db.processedUpdate.count()).toBe(events.length / 2);
    expect(captured.problems()).toEqual([]);
  });

  it("429 then success: replies arrive once, the dialog completes", async () => {
    const channel = makeChannel();
    await channel.start();
    let injected = false;
    const result = await runFamily({
      api,
      inbox,
      user: parent,
      deliver: push,
      beforeAction: (step) => {
        if (step === 2) {
          api.failNext("sendMessage", 1, { code: 429, retryAfter: 1 });
          api.failNext("editMessageReplyMarkup", 1, { code: 429, retryAfter: 1 });
          injected = true;
        }
        return true;
      },
    });
    expect(injected).toBe(true);
    expect(result.outcome, JSON.stringify(result.trail)).toBe("done");
    const texts = api.sentTo(parent.id).map((m) => m.message_id);
    expect(new Set(texts).size).toBe(texts.length);
    expect(await requestsOf()).toHaveLength(1);
  });

  it("restart of the bot mid-dialog: stop, a new channel on the same database, continue", async () => {
    let channel = makeChannel();
    await channel.start();
    const result = await runFamily({
      api,
      inbox,
      user: parent,
      deliver: push,
      beforeAction: async (step) => {
        if (step === 5) {
          await channel.stop();
          channel = makeChannel();
          await channel.start();
        }
        return true;
      },
    });
    expect(result.outcome, JSON.stringify(result.trail)).toBe("done");
    expect(await requestsOf()).toHaveLength(1);
  });

  it("/lang en: the channel's own words follow the chosen language, not the app's language_code", async () => {
    const channel = makeChannel();
    await channel.start();
    let shareLabel: string | undefined;
    const result = await runFamily({
      api,
      inbox,
      user: parent, // Telegram says language_code "ru"
      deliver: push,
      beforeAction: async (step, action, question) => {
        if (step === 0) {
          api.push(api.text(parent, "/lang en"));
          await api.waitFor(() => api.sentTo(parent.id).some((m) => m.text.includes("English")), 5000, "language switched");
          await channel.idle();
          return "reread";
        }
        if (action.type === "contact") {
          const keyboard = question.reply_markup?.keyboard as Array<Array<{ text: string; request_contact?: boolean }>>;
          shareLabel = keyboard.flat().find((b) => b.request_contact)?.text;
        }
        return true;
      },
    });
    expect(result.outcome, JSON.stringify(result.trail)).toBe("done");
    expect(shareLabel).toBe(i18n.t("en", "telegram-share-contact"));
    // The note that closes the share-my-number keyboard is the channel's own text.
    const texts = api.sentTo(parent.id).map((m) => m.text);
    expect(texts).toContain(i18n.t("en", "telegram-keyboard-closed"));
    expect(texts).not.toContain(i18n.t("ru", "telegram-keyboard-closed"));
  });

  it("a crash after Telegram was told we have an update loses nothing: the next start applies it", async () => {
    // The first process takes the update and dies while applying it (its service never returns).
    let unblock!: () => void;
    const stuck = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    const dying = createTelegramChannel({
      token: api.token,
      apiRoot: api.apiRoot,
      service: { handle: () => stuck.then(() => ({ type: "duplicate" }) as const) },
      db: temp.db,
      log: captured.log,
      i18n,
      mode: { type: "polling", timeoutSeconds: 1 },
      throttle: FAST_THROTTLE,
    });
    await dying.start();
    const update = api.push(api.text(parent, "/start"));
    // Its next getUpdates confirmed the update to Telegram, so Telegram will not send it again…
    await api.waitFor(() => api.confirmedUpTo >= update.update_id, 5000, "offset confirmed");
    const stopping = dying.stop(); // polling ends; the stuck update never finishes in this process
    // …but it is in the journal.
    expect(await temp.db.inboundUpdate.count()).toBe(1);

    const next = makeChannel();
    await next.start();
    await api.waitFor(() => api.sentTo(parent.id).length > 0, 5000, "the replayed /start answered");
    await next.idle();
    expect(events).toEqual([{ type: "start" }]);
    expect(await temp.db.conversation.count()).toBe(1);
    expect(await temp.db.inboundUpdate.count()).toBe(0);
    unblock();
    await stopping;
  });

  it("an update that was replayed at three starts without being applied is dropped, not replayed forever", async () => {
    const poison = api.stamp(api.text(parent, "/start"));
    const fresh = api.stamp(api.text({ id: 9002, language_code: "ru" }, "/start"));
    await temp.db.inboundUpdate.createMany({
      data: [
        { channel: "telegram", updateKey: String(poison.update_id), payload: JSON.stringify(poison), receivedAt: new Date(), replays: 3 },
        { channel: "telegram", updateKey: String(fresh.update_id), payload: JSON.stringify(fresh), receivedAt: new Date(), replays: 2 },
      ],
    });
    const channel = makeChannel();
    await channel.start();
    await channel.idle();
    expect(events).toEqual([{ type: "start" }]); // only the one with a replay left
    expect(api.sentTo(parent.id)).toHaveLength(0);
    expect(api.sentTo(9002).length).toBeGreaterThan(0);
    expect(await temp.db.inboundUpdate.count()).toBe(0);
  });

  it("webhook: an update that cannot be stored is refused with 503, so Telegram sends it again", async () => {
    const channel = makeChannel({ type: "webhook", secret: SECRET });
    await channel.start();
    const app = Fastify();
    apps.push(app);
    await app.register(telegramWebhookPlugin(channel, { secret: SECRET }));
    const update = api.stamp(api.text(parent, "/start"));
    await temp.db.$executeRawUnsafe('ALTER TABLE "InboundUpdate" RENAME TO "InboundUpdateGone"');
    const refused = await app.inject({ method: "POST", url: "/webhooks/telegram", headers: { "x-telegram-bot-api-secret-token": SECRET }, payload: update });
    expect(refused.statusCode).toBe(503);
    await channel.idle();
    expect(events).toHaveLength(0);
    await temp.db.$executeRawUnsafe('ALTER TABLE "InboundUpdateGone" RENAME TO "InboundUpdate"');
    const accepted = await app.inject({ method: "POST", url: "/webhooks/telegram", headers: { "x-telegram-bot-api-secret-token": SECRET }, payload: update });
    expect(accepted.statusCode).toBe(200);
    await channel.idle();
    expect(events).toEqual([{ type: "start" }]);
    expect(await temp.db.inboundUpdate.count()).toBe(0);
  });

  it("a sticker gets a kind reply and the question again; a group gets one notice", async () => {
    const channel = makeChannel();
    await channel.start();
    api.push(api.text(parent, "/start"));
    const q1 = await inbox.nextQuestion(parent.id, 5000);
    expect(q1).toBeDefined();
    const q1Markup = q1?.reply_markup; // the fake shows later edits on q1 (its buttons go)
    const before = await temp.db.conversation.findFirst({ where: { chatId: String(parent.id) } });
    api.push(api.message(parent, { sticker: { file_id: "STICKER-FILE", file_unique_id: "u", type: "regular", width: 1, height: 1, is_animated: false, is_video: false } }));
    const q2 = await inbox.nextQuestion(parent.id, 5000);
    expect(q2?.reply_markup).toEqual(q1Markup && expect.objectContaining({ inline_keyboard: expect.any(Array) }));
    expect(events.at(-1)).toEqual({ type: "unsupported", kind: "sticker" });
    const after = await temp.db.conversation.findFirst({ where: { chatId: String(parent.id) } });
    expect(JSON.parse(after!.state).step).toBe(JSON.parse(before!.state).step);
    expect(JSON.stringify(await temp.db.transcriptMessage.findMany())).not.toContain("STICKER-FILE");

    const group = { id: -4242, type: "supergroup", title: "Center operators" };
    for (const text of ["/start", "hello"]) {
      api.push({ message: { message_id: 1, date: 1, chat: group, from: { id: 77, is_bot: false, first_name: "x" }, text } } as never);
    }
    await api.waitFor(() => api.sentTo(-4242).length === 1);
    await channel.idle();
    expect(api.sentTo(-4242)).toHaveLength(1);
    expect(await temp.db.conversation.count({ where: { chatId: "-4242" } })).toBe(0);
  });
});
