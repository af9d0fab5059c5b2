// The Telegram channel against a fake Bot API over HTTP, with a scripted dialog service:
// translation, rendering, keyboards, reliability and bad input.
import Fastify from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createTelegramChannel,
  type TelegramChannel,
  type TelegramMode,
  telegramWebhookPlugin,
} from "../../src/channels/telegram/telegram-channel.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { type FakeTelegramApi, type FakeUser, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { type CapturedLog, captureLog } from "./helpers.ts";
import { createScriptedService, type ScriptedService } from "./scripted-service.ts";

const i18n = createI18n();
const FAST_THROTTLE = { globalPerSecond: 1000, perChatPerSecond: 100, perChatBurst: 20 };

let api: FakeTelegramApi;
let temp: TempDb;
let service: ScriptedService;
let captured: CapturedLog;
let channels: TelegramChannel[];

const anna: FakeUser = { id: 501, language_code: "ru" };
const bob: FakeUser = { id: 502, language_code: "en" };

function makeChannel(mode: TelegramMode = { type: "polling", timeoutSeconds: 1 }, extra: Partial<Parameters<typeof createTelegramChannel>[0]> = {}) {
  const channel = createTelegramChannel({
    token: api.token,
    apiRoot: api.apiRoot,
    service,
    db: temp.db,
    log: captured.log,
    i18n,
    mode,
    throttle: FAST_THROTTLE,
    ...extra,
  });
  channels.push(channel);
  return channel;
}

beforeEach(async () => {
  api = await startFakeTelegramApi();
  temp = await createTempDb();
  service = createScriptedService(temp.db);
  captured = captureLog();
  channels = [];
});

afterEach(async () => {
  for (const c of channels) await c.stop();
  await api.close();
  await temp.cleanup();
});

const received = (n: number) => api.waitFor(() => service.calls.length >= n, 10_000, `${n} service calls`);

describe("telegram channel (polling, scripted service)", () => {
  it("starts: getMe, command menu for ru and en, deleteWebhook; /start payload reaches the service", async () => {
    service.respond(() => [{ type: "text", text: "Здравствуйте", options: [[{ label: "Дальше", token: "s1:next" }]] }]);
    const channel = makeChannel();
    await channel.start();
    expect(api.callsOf("getMe")).toHaveLength(1);
    const menus = api.callsOf("setMyCommands").map((c) => c.payload.language_code ?? "default");
    expect(menus).toEqual(expect.arrayContaining(["default", "ru", "en"]));
    expect(api.callsOf("deleteWebhook")).toHaveLength(1);

    api.push(api.text(anna, "/start 63"));
    await api.waitFor(() => api.sentTo(anna.id).length === 1);
    expect(service.calls[0]?.event).toEqual({ type: "start", payload: "63" });
    expect(service.calls[0]?.ctx).toMatchObject({ channel: "telegram", chatId: "501", userId: "501", locale: "ru" });
    const msg = api.sentTo(anna.id)[0];
    expect(msg?.reply_markup).toEqual({ inline_keyboard: [[{ text: "Дальше", callback_data: "s1:next" }]] });
  });

  it("a press is answered, passed as an option, and the pressed message loses its buttons", async () => {
    let step = 0;
    service.respond(() => {
      step += 1;
      return [{ type: "text", text: `q${step}`, options: [[{ label: "A", token: `s${step}:a` }]] }];
    });
    const channel = makeChannel();
    await channel.start();
    api.push(api.text(anna, "/start"));
    await api.waitFor(() => api.sentTo(anna.id).length === 1);
    const first = api.sentTo(anna.id)[0]!;
    api.push(api.press(anna, first.message_id, "s1:a"));
    // The next question goes first, the old buttons are removed after it (issue 15.7).
    await api.waitFor(() => api.sentTo(anna.id).length === 2 && api.callsOf("editMessageReplyMarkup").length === 1);
    expect(service.calls[1]?.event).toEqual({ type: "option", token: "s1:a" });
    expect(api.callsOf("answerCallbackQuery")).toHaveLength(1);
    const edits = api.callsOf("editMessageReplyMarkup");
    expect(edits.map((e) => e.payload.message_id)).toEqual([first.message_id]);
    expect(edits[0]?.payload.reply_markup).toEqual({ inline_keyboard: [] });

    // A typed answer also removes the buttons of the question it answers.
    const second = api.sentTo(anna.id)[1]!;
    api.push(api.text(anna, "typed answer"));
    await api.waitFor(() => api.callsOf("editMessageReplyMarkup").some((e) => e.payload.message_id === second.message_id));
    expect(api.sentTo(anna.id)).toHaveLength(3);
  });

  it("forged, oversized and foreign callback data are answered with a notice and never reach the service", async () => {
    const channel = makeChannel();
    await channel.start();
    api.push(api.press(anna, 7, "x".repeat(65)));
    api.push(api.press(anna, 7, "кнопка"));
    api.push(api.press(anna, 7, "s1:a", 999_999)); // message of another chat
    await api.waitFor(() => api.callsOf("answerCallbackQuery").length === 3);
    expect(service.calls).toHaveLength(0);
    for (const c of api.callsOf("answerCallbackQuery")) expect(c.payload.text).toBe(i18n.t("ru", "telegram-button-inactive"));
    expect(captured.problems()).toEqual([]);
  });

  it("a contact is trusted as own only when contact.user_id equals the sender", async () => {
    const channel = makeChannel();
    await channel.start();
    api.push(api.contact(anna, "+79991234567", anna.id));
    api.push(api.contact(anna, "+79997654321", 777));
    api.push(api.contact(anna, "+79990000000")); // no user_id: not a Telegram user, not own
    await received(3);
    expect(service.calls.map((c) => c.event)).toEqual([
      { type: "contact", phone: "+79991234567", own: true },
      { type: "contact", phone: "+79997654321", own: false },
      { type: "contact", phone: "+79990000000", own: false },
    ]);
  });

  it("media become `unsupported` with their kind; only a caption is passed (it is screened for danger)", async () => {
    const channel = makeChannel();
    await channel.start();
    api.push(api.message(anna, { sticker: { file_id: "f", file_unique_id: "u", type: "regular", width: 1, height: 1, is_animated: false, is_video: false } }));
    api.push(api.message(anna, { photo: [{ file_id: "f", file_unique_id: "u", width: 1, height: 1 }], caption: "secret caption" }));
    api.push(api.message(anna, { voice: { file_id: "f", file_unique_id: "u", duration: 1 } }));
    api.push(api.message(anna, { location: { latitude: 1, longitude: 2 } }));
    await received(4);
    expect(service.calls.map((c) => c.event)).toEqual([
      { type: "unsupported", kind: "sticker" },
      // A photo names its file (kept only with an open request, src/dialog/sent-files.ts).
      { type: "unsupported", kind: "photo", caption: "secret caption", file: { kind: "photo", ref: "f", mime: "image/jpeg" } },
      { type: "unsupported", kind: "voice" },
      { type: "unsupported", kind: "location" },
    ]);
  });

  it("edited messages become `edited` events; edited commands, channel posts and unused update types are ignored", async () => {
    const channel = makeChannel();
    await channel.start();
    const edited = api.text(anna, "edited");
    api.push({ edited_message: { ...(edited.message as object), edit_date: 1 } } as never);
    const editedCommand = api.text(anna, "/start");
    api.push({ edited_message: { ...(editedCommand.message as object), edit_date: 1 } } as never);
    // Types the bot did not subscribe to: Telegram (and the fake) do not deliver them by polling, but
    // a webhook set up elsewhere might, so they go straight to the channel here.
    void channel.handleUpdate(api.stamp({ channel_post: { message_id: 1, date: 1, chat: { id: -100, type: "channel", title: "c" }, text: "post" } } as never));
    void channel.handleUpdate(api.stamp({ inline_query: { id: "i", from: { id: 501, is_bot: false, first_name: "x" }, query: "q", offset: "" } } as never));
    api.push(api.text(anna, "real"));
    await received(2);
    await channel.idle();
    expect(service.calls.map((c) => c.event)).toEqual([{ type: "edited", text: "edited" }, { type: "text", text: "real" }]);
    expect(captured.lines.filter((l) => l.msg === "telegram: update ignored")).toHaveLength(3);
    expect(captured.problems()).toEqual([]);
  });

  it("in a group the bot says once that it works in private messages, and does nothing else", async () => {
    const channel = makeChannel();
    await channel.start();
    const group = { id: -200, type: "group", title: "Parents" };
    const groupMsg = (text: string) =>
      ({ message: { message_id: 1, date: 1, chat: group, from: { id: 501, is_bot: false, first_name: "A", language_code: "ru" }, text } }) as never;
    api.push(groupMsg("/start"));
    api.push(groupMsg("hello"));
    await api.waitFor(() => api.sentTo(-200).length === 1);
    await channel.idle();
    await new Promise((r) => setTimeout(r, 50));
    expect(api.sentTo(-200)).toHaveLength(1);
    expect(api.sentTo(-200)[0]?.text).toBe(i18n.t("ru", "telegram-group-notice"));
    expect(service.calls).toHaveLength(0);
  });

  it("forwarded texts are treated as typed text; huge texts are cut to Telegram's 4096 limit", async () => {
    const channel = makeChannel();
    await channel.start();
    api.push(api.text(anna, "forwarded words", { forward_origin: { type: "hidden_user", date: 1, sender_user_name: "x" } }));
    api.push(api.text(anna, "я".repeat(10_000)));
    await received(2);
    expect(service.calls[0]?.event).toEqual({ type: "text", text: "forwarded words" });
    const huge = service.calls[1]?.event;
    expect(huge?.type === "text" && huge.text.length).toBe(4096);
  });

  it("long replies are split at line boundaries within 4096 chars; buttons go on the last piece", async () => {
    const line = "строка ответа ".repeat(20).trim();
    const long = Array.from({ length: 60 }, (_, i) => `${i}: ${line}`).join("\n");
    service.respond(() => [{ type: "text", text: long, options: [[{ label: "OK", token: "s1:ok" }]] }]);
    const channel = makeChannel();
    await channel.start();
    api.push(api.text(anna, "hi"));
    await api.waitFor(() => api.sentTo(anna.id).length >= 2);
    await channel.idle();
    const pieces = api.sentTo(anna.id);
    expect(pieces.length).toBeGreaterThanOrEqual(5);
    for (const p of pieces) expect(p.text.length).toBeLessThanOrEqual(4096);
    expect(pieces.map((p) => p.text).join("\n")).toBe(long);
    expect(pieces.slice(0, -1).every((p) => !p.reply_markup)).toBe(true);
    expect(pieces.at(-1)?.reply_markup).toBeDefined();
  });

  it("the phone step: request_contact keyboard, option labels typed as text become options, then the keyboard is removed", async () => {
    let n = 0;
    service.respond((_ctx, event) => {
      n += 1;
      if (n === 1)
        return [{ type: "requestContact", text: "Ваш номер?", shareLabel: "Поделиться номером", options: [[{ label: "Написать номер", token: "s5:type" }]] }];
      if (event.type === "option") return [{ type: "text", text: "Напишите номер" }];
      return [{ type: "removeKeyboard" }, { type: "text", text: "Спасибо" }];
    });
    const channel = makeChannel();
    await channel.start();
    api.push(api.text(anna, "go"));
    await api.waitFor(() => api.sentTo(anna.id).length === 1);
    expect(api.sentTo(anna.id)[0]?.reply_markup).toEqual({
      keyboard: [[{ text: "Поделиться номером", request_contact: true }], [{ text: "Написать номер" }]],
      one_time_keyboard: true,
      resize_keyboard: true,
    });
    api.push(api.text(anna, "Написать номер"));
    await received(2);
    expect(service.calls[1]?.event).toEqual({ type: "option", token: "s5:type" });
    await api.waitFor(() => api.sentTo(anna.id).length === 2);
    api.push(api.contact(anna, "+79991234567", anna.id));
    await api.waitFor(() => api.sentTo(anna.id).length === 3);
    expect(api.sentTo(anna.id)[2]).toMatchObject({ text: "Спасибо", reply_markup: { remove_keyboard: true } });
    // The reply-keyboard labels are forgotten once the keyboard is gone: the same words are text now.
    api.push(api.text(anna, "Написать номер"));
    await received(4);
    expect(service.calls[3]?.event).toEqual({ type: "text", text: "Написать номер" });
  });

  it("a link becomes an inline URL button", async () => {
    service.respond(() => [{ type: "text", text: "Согласие", link: { label: "Полный текст", url: "https://example.org/consent" } }]);
    const channel = makeChannel();
    await channel.start();
    api.push(api.text(anna, "x"));
    await api.waitFor(() => api.sentTo(anna.id).length === 1);
    expect(api.sentTo(anna.id)[0]?.reply_markup).toEqual({ inline_keyboard: [[{ text: "Полный текст", url: "https://example.org/consent" }]] });
  });

  it("an option token over 64 bytes is never sent as callback data (logged as a service bug)", async () => {
    service.respond(() => [{ type: "text", text: "q", options: [[{ label: "bad", token: "t".repeat(65) }, { label: "good", token: "s1:g" }]] }]);
    const channel = makeChannel();
    await channel.start();
    api.push(api.text(anna, "x"));
    await api.waitFor(() => api.sentTo(anna.id).length === 1);
    expect(api.sentTo(anna.id)[0]?.reply_markup).toEqual({ inline_keyboard: [[{ text: "good", callback_data: "s1:g" }]] });
  });

  it("a 429 is retried after retry_after and the message is delivered once", async () => {
    const channel = makeChannel();
    await channel.start();
    api.failNext("sendMessage", 1, { code: 429, retryAfter: 1 });
    const t0 = Date.now();
    api.push(api.text(anna, "hi"));
    await api.waitFor(() => api.sentTo(anna.id).length === 1, 10_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    expect(api.callsOf("sendMessage")).toHaveLength(2);
    expect(api.sentTo(anna.id)).toHaveLength(1);
  });

  it("a 403 (bot blocked) marks the conversation and is not retried; the bot keeps serving others", async () => {
    service.respond(() => [{ type: "text", text: "one" }, { type: "text", text: "two" }]);
    const channel = makeChannel();
    await channel.start();
    api.failNext("sendMessage", 1, { code: 403 });
    api.push(api.text(anna, "hi"));
    await received(1);
    await channel.idle();
    expect(api.callsOf("sendMessage")).toHaveLength(1);
    const row = await temp.db.conversation.findUnique({ where: { channel_chatId: { channel: "telegram", chatId: "501" } } });
    expect(row?.blockedAt).toBeInstanceOf(Date);
    api.push(api.text(bob, "hello"));
    await api.waitFor(() => api.sentTo(bob.id).length === 2);
    // Unblocking (my_chat_member → member) clears the mark.
    api.push({
      my_chat_member: {
        chat: { id: 501, type: "private", first_name: "A" },
        from: { id: 501, is_bot: false, first_name: "A" },
        date: 1,
        old_chat_member: { status: "kicked", user: { id: 4242, is_bot: true, first_name: "Opora" }, until_date: 0 },
        new_chat_member: { status: "member", user: { id: 4242, is_bot: true, first_name: "Opora" } },
      },
    } as never);
    await api.waitFor(() => api.confirmedUpTo > 0);
    await channel.idle();
    await api.waitFor(() => true);
    const after = await temp.db.conversation.findUnique({ where: { channel_chatId: { channel: "telegram", chatId: "501" } } });
    await expect.poll(async () => (await temp.db.conversation.findUnique({ where: { id: after!.id } }))?.blockedAt ?? null).toBeNull();
  });

  it("a failing update is logged and the bot goes on", async () => {
    service.respond((_ctx, event) => {
      if (event.type === "text" && event.text === "boom") throw new Error("engine exploded");
      return [{ type: "text", text: "fine" }];
    });
    const channel = makeChannel();
    await channel.start();
    api.push(api.text(anna, "boom"));
    api.push(api.text(anna, "next"));
    await api.waitFor(() => api.sentTo(anna.id).length === 1);
    expect(api.sentTo(anna.id)[0]?.text).toBe("fine");
    const failed = captured.lines.find((l) => l.msg === "telegram: update failed");
    expect(failed).toBeDefined();
    expect(JSON.stringify(failed)).not.toContain("boom");
  });

  it("chats run concurrently while one chat keeps strict order", async () => {
    const order: string[] = [];
    service.respond(async (ctx, event) => {
      const label = `${ctx.chatId}:${event.type === "text" ? event.text : event.type}`;
      if (label === "501:1") await new Promise((r) => setTimeout(r, 300));
      order.push(label);
      return [{ type: "text", text: label }];
    });
    const channel = makeChannel();
    await channel.start();
    api.push(api.text(anna, "1"));
    api.push(api.text(anna, "2"));
    api.push(api.text(bob, "1"));
    await api.waitFor(() => api.sent.length === 3);
    expect(order).toEqual(["502:1", "501:1", "501:2"]);
    expect(api.sentTo(anna.id).map((m) => m.text)).toEqual(["501:1", "501:2"]);
  });

  it("a duplicated update is applied once; a duplicated press is answered once (Telegram refuses a second answer)", async () => {
    // The press leads to another question (the same one again would be edited in place).
    service.respond((_, e) => [{ type: "text", text: e.type === "option" ? "q2" : "q", options: [[{ label: "A", token: "s1:a" }]] }]);
    const channel = makeChannel();
    await channel.start();
    const u = api.push(api.text(anna, "hello"));
    await api.waitFor(() => api.sentTo(anna.id).length === 1);
    await channel.handleUpdate(u); // re-delivered (e.g. via webhook after a timeout)
    const press = api.push(api.press(anna, api.sentTo(anna.id)[0]!.message_id, "s1:a"));
    await api.waitFor(() => api.sentTo(anna.id).length === 2);
    await channel.handleUpdate(press);
    expect(service.calls).toHaveLength(2);
    expect(api.sentTo(anna.id)).toHaveLength(2);
    expect(api.callsOf("answerCallbackQuery")).toHaveLength(1);
    expect(api.rejected).toEqual([]);
  });

  it("a press re-delivered after a restart is not answered again (its step was applied and answered)", async () => {
    service.respond(() => [{ type: "text", text: "q2", options: [[{ label: "B", token: "s2:b" }]] }]);
    api.addChat(anna.id);
    const first = makeChannel();
    await first.start();
    const press = api.push(api.press(anna, 1, "s1:a"));
    await api.waitFor(() => api.sentTo(anna.id).length === 1);
    await first.stop();
    // A kill -9 before the offset was confirmed: Telegram delivers the press to the next process.
    const second = makeChannel();
    await second.start();
    await second.handleUpdate(press);
    expect(service.calls).toHaveLength(1);
    expect(api.callsOf("answerCallbackQuery")).toHaveLength(1);
    expect(api.rejected).toEqual([]);
  });

  it("a press whose step failed is answered at once and not again when the step is retried", async () => {
    service.respond(() => [{ type: "text", text: "q2", options: [[{ label: "B", token: "s2:b" }]] }]);
    let failures = 1;
    const failingOnce = {
      handle: (ctx: Parameters<typeof service.handle>[0], event: Parameters<typeof service.handle>[1]) => {
        if (failures-- > 0) return Promise.reject(new Error("database is locked"));
        return service.handle(ctx, event);
      },
    };
    api.addChat(anna.id);
    const channel = makeChannel({ type: "polling", timeoutSeconds: 1 }, { service: failingOnce });
    await channel.start();
    const press = api.push(api.press(anna, 1, "s1:a"));
    await api.waitFor(() => api.callsOf("answerCallbackQuery").length === 1);
    await channel.idle();
    expect(service.calls).toHaveLength(0);
    await channel.handleUpdate(press); // the journal's retry pass applies it again
    expect(service.calls).toHaveLength(1);
    expect(api.sentTo(anna.id).map((m) => m.text)).toEqual(["q2"]);
    expect(api.callsOf("answerCallbackQuery")).toHaveLength(1);
    expect(api.rejected).toEqual([]);
  });

  it("a reply with an empty text is never sent (Telegram refuses it); the rest of the step goes out and the bug is logged", async () => {
    service.respond(() => [
      { type: "text", text: "" },
      { type: "text", text: " \n " },
      { type: "text", text: "q", options: [[{ label: "A", token: "s1:a" }]] },
    ]);
    const channel = makeChannel();
    await channel.start();
    api.push(api.text(anna, "hi"));
    await api.waitFor(() => api.sentTo(anna.id).length === 1);
    await channel.idle();
    expect(api.sentTo(anna.id).map((m) => m.text)).toEqual(["q"]);
    expect(api.rejected).toEqual([]);
    expect(captured.lines.some((l) => l.level === 50 && l.msg === "telegram: reply with an empty text not sent")).toBe(true);
  });

  it("a failing setMyCommands is a warning, never a crash", async () => {
    api.failNext("setMyCommands", 3, { code: 400, description: "Bad Request: commands are broken" });
    const channel = makeChannel();
    await channel.start();
    expect(captured.lines.some((l) => l.level === 40 && l.msg === "telegram: cannot set the command menu")).toBe(true);
    api.push(api.text(anna, "hi"));
    await api.waitFor(() => api.sentTo(anna.id).length === 1);
  });

  it("stop waits for in-flight updates and confirms the offset; a new channel picks up the live keyboard from the DB", async () => {
    service.respond(async () => {
      await new Promise((r) => setTimeout(r, 200));
      return [{ type: "text", text: "q", options: [[{ label: "A", token: "s1:a" }]] }];
    });
    const first = makeChannel();
    await first.start();
    const u = api.push(api.text(anna, "hi"));
    await received(1);
    await first.stop();
    expect(api.sentTo(anna.id)).toHaveLength(1); // the in-flight update finished before stop returned
    expect(api.confirmedUpTo).toBeGreaterThanOrEqual(u.update_id);
    const keyboardMessage = api.sentTo(anna.id)[0]!.message_id;

    const second = makeChannel();
    await second.start();
    api.push(api.text(anna, "typed instead of pressing"));
    await api.waitFor(() => api.sentTo(anna.id).length === 2 && api.callsOf("editMessageReplyMarkup").length > 0);
    expect(api.callsOf("editMessageReplyMarkup").map((c) => c.payload.message_id)).toContain(keyboardMessage);
    expect(service.calls).toHaveLength(2);
  });

  it("getUpdates failures (500) are retried without losing updates", async () => {
    const channel = makeChannel({ type: "polling", timeoutSeconds: 1 }, { retry: { maxRetryAttempts: 0 } });
    api.failNext("getUpdates", 1, { code: 500 });
    await channel.start();
    api.push(api.text(anna, "hi"));
    await api.waitFor(() => api.sentTo(anna.id).length === 1, 15_000);
  });
});

describe("telegram channel (webhook, scripted service)", () => {
  async function webhookApp(channel: TelegramChannel) {
    const app = Fastify();
    await app.register(telegramWebhookPlugin(channel, { secret: "s3cr3t-token" }));
    return app;
  }

  it("wrong or missing secret → 401 and nothing processed; right secret → 200 and processed", async () => {
    const channel = makeChannel({ type: "webhook", secret: "s3cr3t-token", url: "https://opora.example/webhooks/telegram" });
    await channel.start();
    expect(api.callsOf("setWebhook")[0]?.payload).toMatchObject({ url: "https://opora.example/webhooks/telegram", secret_token: "s3cr3t-token" });
    const app = await webhookApp(channel);
    const update = api.stamp(api.text(anna, "hello"));
    const wrong = await app.inject({ method: "POST", url: "/webhooks/telegram", headers: { "x-telegram-bot-api-secret-token": "nope" }, payload: update });
    const missing = await app.inject({ method: "POST", url: "/webhooks/telegram", payload: update });
    expect(wrong.statusCode).toBe(401);
    expect(missing.statusCode).toBe(401);
    await channel.idle();
    expect(service.calls).toHaveLength(0);

    const bad = await app.inject({ method: "POST", url: "/webhooks/telegram", headers: { "x-telegram-bot-api-secret-token": "s3cr3t-token" }, payload: { nope: 1 } });
    expect(bad.statusCode).toBe(200); // not an update: acknowledged and ignored, never re-sent
    const good = await app.inject({ method: "POST", url: "/webhooks/telegram", headers: { "x-telegram-bot-api-secret-token": "s3cr3t-token" }, payload: update });
    expect(good.statusCode).toBe(200);
    await channel.idle();
    expect(service.calls).toHaveLength(1);
    expect(api.callsOf("getUpdates")).toHaveLength(0);

    await channel.stop();
    const late = await app.inject({ method: "POST", url: "/webhooks/telegram", headers: { "x-telegram-bot-api-secret-token": "s3cr3t-token" }, payload: api.stamp(api.text(anna, "late")) });
    expect(late.statusCode).toBe(503);
    await app.close();
  });
});
