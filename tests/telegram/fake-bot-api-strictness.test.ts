// The fake Bot API refuses what the real one refuses, in its error format ({ ok: false, error_code,
// description }), so a test passing against it says something about production: one case per rule.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CALLBACK_ANSWER_WINDOW_SECONDS, type FakeTelegramApi, startFakeTelegramApi, TELEGRAM_LIMITS } from "../fakes/fake-telegram-api.ts";

let api: FakeTelegramApi;
const parent = { id: 3301, language_code: "ru" };

beforeEach(async () => {
  api = await startFakeTelegramApi({ limits: TELEGRAM_LIMITS });
  api.push(api.text(parent, "/start")); // the person wrote first: the chat exists
});
afterEach(async () => {
  await api.close();
});

async function call(method: string, payload: Record<string, unknown>) {
  const res = await fetch(`${api.apiRoot}/bot${api.token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(payload),
  });
  return { status: res.status, body: (await res.json()) as { ok: boolean; error_code?: number; description?: string; result?: unknown; parameters?: { retry_after?: number } } };
}

async function refused(method: string, payload: Record<string, unknown>, description: string | RegExp, code = 400) {
  const { status, body } = await call(method, payload);
  expect(status).toBe(code);
  expect(body.ok).toBe(false);
  expect(body.error_code).toBe(code);
  if (typeof description === "string") expect(body.description).toBe(description);
  else expect(body.description).toMatch(description);
  return body;
}

const sendOk = async (payload: Record<string, unknown> = {}) => {
  const { body } = await call("sendMessage", { chat_id: parent.id, text: "q", ...payload });
  expect(body.ok).toBe(true);
  return (body.result as { message_id: number }).message_id;
};

describe("fake Bot API: sendMessage", () => {
  it("refuses a chat that never wrote to the bot, and a missing chat_id", async () => {
    await refused("sendMessage", { chat_id: 999_999, text: "hi" }, "Bad Request: chat not found");
    await refused("sendMessage", { text: "hi" }, "Bad Request: chat_id is empty");
    api.addChat(999_999);
    expect((await call("sendMessage", { chat_id: 999_999, text: "hi" })).body.ok).toBe(true);
  });

  it("refuses an empty or blank text, a text over 4096 characters and an unknown parse_mode", async () => {
    await refused("sendMessage", { chat_id: parent.id, text: "" }, "Bad Request: message text is empty");
    await refused("sendMessage", { chat_id: parent.id, text: "  " }, "Bad Request: message text is empty");
    await refused("sendMessage", { chat_id: parent.id, text: "я".repeat(4097) }, "Bad Request: message is too long");
    expect((await call("sendMessage", { chat_id: parent.id, text: "я".repeat(4096) })).body.ok).toBe(true);
    await refused("sendMessage", { chat_id: parent.id, text: "x", parse_mode: "html" }, /unsupported parse_mode/);
    expect((await call("sendMessage", { chat_id: parent.id, text: "<b>x</b>", parse_mode: "HTML" })).body.ok).toBe(true);
  });

  it("refuses malformed keyboards: not rows of buttons, a button without an action, callback data over 64 bytes, a bad URL, two kinds at once", async () => {
    const send = (reply_markup: unknown) => call("sendMessage", { chat_id: parent.id, text: "q", reply_markup });
    const badRequest = async (reply_markup: unknown, description: string | RegExp) => {
      const { status, body } = await send(reply_markup);
      expect(status).toBe(400);
      if (typeof description === "string") expect(body.description).toBe(`Bad Request: ${description}`);
      else expect(body.description).toMatch(description);
    };
    await badRequest({ inline_keyboard: [{ text: "a", callback_data: "a" }] }, /must be an Array of Arrays/);
    await badRequest({ inline_keyboard: [[{ text: "a" }]] }, /Text buttons are unallowed in the inline keyboard/);
    await badRequest({ inline_keyboard: [[{ text: "", callback_data: "a" }]] }, /Text must be non-empty/);
    await badRequest({ inline_keyboard: [[{ text: "a", callback_data: "x".repeat(65) }]] }, "BUTTON_DATA_INVALID");
    await badRequest({ inline_keyboard: [[{ text: "a", callback_data: "я".repeat(33) }]] }, "BUTTON_DATA_INVALID"); // 66 bytes
    await badRequest({ inline_keyboard: [[{ text: "a", url: "not a url" }]] }, "BUTTON_URL_INVALID");
    await badRequest({ inline_keyboard: [[{ text: "a", callback_data: "a" }]], remove_keyboard: true }, /can't parse reply keyboard markup/);
    await badRequest({ remove_keyboard: false }, /can't parse reply keyboard markup/);
    await badRequest({ keyboard: [] }, /keyboard must be non-empty/);
    expect((await send({ inline_keyboard: [[{ text: "a", callback_data: "x".repeat(64) }, { text: "b", url: "https://example.org" }]] })).body.ok).toBe(true);
    expect((await send({ keyboard: [[{ text: "📱", request_contact: true }], [{ text: "no" }]], one_time_keyboard: true })).body.ok).toBe(true);
    expect((await send({ remove_keyboard: true })).body.ok).toBe(true);
  });
});

describe("fake Bot API: edits", () => {
  it("refuses an edit of a message that does not exist, of the person's own message, and an edit that changes nothing", async () => {
    const id = await sendOk({ reply_markup: { inline_keyboard: [[{ text: "a", callback_data: "a" }]] } });
    const clear = { reply_markup: { inline_keyboard: [] } };
    await refused("editMessageReplyMarkup", { chat_id: parent.id, message_id: 9999, ...clear }, "Bad Request: message to edit not found");
    const own = api.push(api.text(parent, "mine")).message?.message_id;
    await refused("editMessageText", { chat_id: parent.id, message_id: own, text: "changed" }, "Bad Request: message can't be edited");
    expect((await call("editMessageReplyMarkup", { chat_id: parent.id, message_id: id, ...clear })).body.ok).toBe(true);
    await refused("editMessageReplyMarkup", { chat_id: parent.id, message_id: id, ...clear }, /^Bad Request: message is not modified/);
    await refused("editMessageText", { chat_id: parent.id, message_id: id, text: "q" }, /^Bad Request: message is not modified/);
    await refused("editMessageText", { chat_id: parent.id, message_id: id, text: "" }, "Bad Request: message text is empty");
    await refused("editMessageReplyMarkup", { chat_id: parent.id, message_id: id, reply_markup: { remove_keyboard: true } }, "Bad Request: inline keyboard expected");
    expect((await call("editMessageText", { chat_id: parent.id, message_id: id, text: "q2" })).body.ok).toBe(true);
  });
});

describe("fake Bot API: callback answers", () => {
  it("answers a press once; an unknown id, a second answer and a press older than allowed are refused", async () => {
    const id = await sendOk({ reply_markup: { inline_keyboard: [[{ text: "a", callback_data: "a" }]] } });
    const press = api.push(api.press(parent, id, "a")).callback_query?.id;
    const tooOld = "Bad Request: query is too old and response timeout expired or query ID is invalid";
    await refused("answerCallbackQuery", { callback_query_id: "made-up" }, tooOld);
    await refused("answerCallbackQuery", { callback_query_id: press, text: "x".repeat(201) }, "Bad Request: MESSAGE_TOO_LONG");
    expect((await call("answerCallbackQuery", { callback_query_id: press })).body.ok).toBe(true);
    await refused("answerCallbackQuery", { callback_query_id: press }, tooOld);
    const late = api.push(api.press(parent, id, "a")).callback_query?.id;
    api.advanceClock(CALLBACK_ANSWER_WINDOW_SECONDS + 1);
    await refused("answerCallbackQuery", { callback_query_id: late }, tooOld);
  });
});

describe("fake Bot API: webhook, polling and commands", () => {
  it("refuses a webhook without HTTPS or with a bad secret; getUpdates is refused while a webhook is set", async () => {
    await refused("setWebhook", { url: "http://opora.example/webhooks/telegram" }, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
    await refused("setWebhook", { url: "https://opora.example:3000/hook" }, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
    await refused("setWebhook", { url: "https://opora.example/hook", secret_token: "with space" }, "Bad Request: secret token contains unallowed characters");
    expect((await call("setWebhook", { url: "https://opora.example/hook", secret_token: "ok_secret-1" })).body.ok).toBe(true);
    await refused("getUpdates", { timeout: 0 }, /^Conflict: can't use getUpdates method while webhook is active/, 409);
    expect((await call("deleteWebhook", {})).body.ok).toBe(true);
    expect((await call("getUpdates", { timeout: 0 })).body.ok).toBe(true);
  });

  it("a second getUpdates ends the first with 409, as when two instances poll", async () => {
    await call("getUpdates", { offset: 1_000_000, timeout: 0 }); // confirm what is queued
    const first = call("getUpdates", { offset: 1_000_000, timeout: 5 });
    await new Promise((r) => setTimeout(r, 50));
    const second = call("getUpdates", { offset: 1_000_000, timeout: 0 });
    const [a, b] = await Promise.all([first, second]);
    expect(a.status).toBe(409);
    expect(a.body.description).toMatch(/^Conflict: terminated by other getUpdates request/);
    expect(b.body.ok).toBe(true);
  });

  it("delivers only the update types the bot asked for (allowed_updates is remembered)", async () => {
    const first = await call("getUpdates", { timeout: 0, allowed_updates: ["message"] });
    expect((first.body.result as unknown[]).length).toBe(1);
    const last = (first.body.result as Array<{ update_id: number }>)[0]?.update_id ?? 0;
    api.push(api.edited(api.text(parent, "a"), "b"));
    api.push(api.text(parent, "c"));
    const next = await call("getUpdates", { offset: last + 1, timeout: 0 });
    expect((next.body.result as Array<Record<string, unknown>>).map((u) => Object.keys(u).filter((k) => k !== "update_id"))).toEqual([["message"]]);
  });

  it("refuses invalid bot commands", async () => {
    await refused("setMyCommands", { commands: [{ command: "Start", description: "x" }] }, "Bad Request: BOT_COMMAND_INVALID");
    await refused("setMyCommands", { commands: [{ command: "start", description: "" }] }, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID");
    expect((await call("setMyCommands", { commands: [{ command: "start", description: "Начать" }] })).body.ok).toBe(true);
  });

  it("answers an unknown method with 404 and a wrong token with 401", async () => {
    await refused("getTelepathy", {}, /^Not Found/, 404);
    const res = await fetch(`${api.apiRoot}/botWRONG/getMe`, { method: "POST" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ ok: false, error_code: 401, description: "Unauthorized" });
  });
});

describe("fake Bot API: rate limits", () => {
  it("429 with retry_after past a chat's burst, past a group's minute, past the bot's second (slow limits: no race with the clock)", async () => {
    const slow = await startFakeTelegramApi({ limits: { globalPerSecond: 6, perChatPerSecond: 0.1, perChatBurst: 2, groupPerMinute: 3 } });
    try {
      const send = (chat_id: number) => fetch(`${slow.apiRoot}/bot${slow.token}/sendMessage`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ chat_id, text: "x" }) });
      const answer = async (chat_id: number) => {
        const res = await send(chat_id);
        return { status: res.status, body: (await res.json()) as { ok: boolean; error_code?: number; description?: string; parameters?: { retry_after?: number } } };
      };
      for (const id of [1, 2, 3, -100]) slow.addChat(id);
      expect((await answer(1)).status).toBe(200);
      expect((await answer(1)).status).toBe(200);
      const chat = await answer(1);
      expect(chat).toEqual({ status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 10", parameters: { retry_after: 10 } } });
      for (let i = 0; i < 3; i++) expect((await answer(-100)).status).toBe(200);
      const group = await answer(-100);
      expect(group.status).toBe(429);
      expect(group.body.parameters?.retry_after).toBeGreaterThan(50);
      // 5 sent this second; the sixth goes, the seventh is over the bot's limit.
      expect((await answer(2)).status).toBe(200);
      const bot = await answer(3);
      expect(bot.status).toBe(429);
      expect(bot.body.description).toBe("Too Many Requests: retry after 1");
      expect(slow.rejected.map((r) => r.error_code)).toEqual([429, 429, 429]);
    } finally {
      await slow.close();
    }
  });
});
