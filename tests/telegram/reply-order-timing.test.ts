// The family's budget goes to the family first (issue 15.7), on a fake clock: the next question
// leaves before the old keyboard is cleaned up (both count against the chat's ~1 message/s), and
// when the bot is over its overall limit an urgent family's reply overtakes the others waiting.
import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import type { DialogService, HandleResult, Reply } from "../../src/dialog/service-types.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

const log = createLogger({ level: "silent" });
let temp: TempDb;

interface LoggedCall {
  method: string;
  chatId?: string;
  messageId?: number;
  text?: string;
  at: number;
}

/** A Bot API that logs every call at the fake clock's time and answers at once. */
function recordingApi() {
  const calls: LoggedCall[] = [];
  apiLog = calls;
  let nextId = 100;
  const fetch = (async (input: string | URL, init?: RequestInit) => {
    const method = new URL(String(input)).pathname.split("/").pop() ?? "";
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : {};
    const id = nextId++;
    calls.push({
      method,
      ...(body.chat_id !== undefined ? { chatId: String(body.chat_id) } : {}),
      ...(method === "sendMessage" ? { messageId: id, text: String(body.text) } : body.message_id !== undefined ? { messageId: Number(body.message_id) } : {}),
      at: Date.now(),
    });
    const result = method === "sendMessage" ? { message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: Number(body.chat_id), type: "private" }, text: body.text } : true;
    return new Response(JSON.stringify({ ok: true, result }), { status: 200, headers: { "content-type": "application/json" } });
  }) as typeof globalThis.fetch;
  return { calls, fetch };
}

const question = (text: string, token: string): Reply => ({ type: "text", text, options: [[{ label: "Да", token }]] });
const from = (id: number) => ({ id, is_bot: false, first_name: "P", language_code: "ru" });
let updateId = 1;
const textUpdate = (chatId: number, text: string) =>
  ({ update_id: updateId++, message: { message_id: updateId + 5000, date: 1, chat: { id: chatId, type: "private", first_name: "P" }, from: from(chatId), text } }) as unknown as Update;
const pressUpdate = (chatId: number, messageId: number, data: string) =>
  ({
    update_id: updateId++,
    callback_query: { id: `cq${updateId}`, from: from(chatId), chat_instance: "c", data, message: { message_id: messageId, date: 1, chat: { id: chatId, type: "private", first_name: "P" }, text: "Q1" } },
  }) as unknown as Update;

function channelWith(service: DialogService, fetch: typeof globalThis.fetch) {
  return createTelegramChannel({
    token: `9:timing-${updateId}`,
    apiRoot: "http://telegram.invalid",
    fetch,
    service,
    db: temp.db,
    log,
    i18n: createI18n(),
    mode: { type: "polling" },
    botInfo: { id: 9, is_bot: true, first_name: "b", username: "b_bot" } as never,
  });
}

/**
 * Lets real work (database reads and writes of the channel) run for up to `ms` of real time without
 * moving the fake clock, until `done` holds — on a loaded machine that work may take longer than the
 * fake steps below, which would otherwise let the fake clock run ahead of it.
 */
async function letRealWorkRun(done: () => boolean, ms = 3000) {
  const until = process.hrtime.bigint() + BigInt(ms) * 1_000_000n;
  while (!done() && process.hrtime.bigint() < until) await new Promise((r) => setImmediate(r));
}

/**
 * Advances the fake clock in small steps until `done` holds. Before each step the real work (the
 * database, slower on PostgreSQL or a loaded machine) runs until the API log has been quiet for
 * 100 ms of real time, so the fake clock never runs ahead of it.
 */
async function runUntil(done: () => boolean, limitMs = 10_000) {
  for (let t = 0; t < limitMs && !done(); t += 50) {
    await quiet(done);
    if (!done()) await vi.advanceTimersByTimeAsync(50);
  }
  expect(done()).toBe(true);
}

let apiLog: LoggedCall[] = [];
async function quiet(done: () => boolean) {
  let seen = -1;
  while (!done() && apiLog.length !== seen) {
    seen = apiLog.length;
    await letRealWorkRun(() => done() || apiLog.length !== seen, 100);
  }
}

beforeEach(async () => {
  temp = await createTempDb();
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
});
afterEach(async () => {
  vi.useRealTimers();
  await temp.cleanup();
});

describe("the family's budget goes to the family first", () => {
  it("the next question goes out before the old question's buttons are removed, within one token of the press", async () => {
    const { calls, fetch } = recordingApi();
    let step = 0;
    const service: DialogService = {
      async handle(): Promise<HandleResult> {
        step += 1;
        // Step 1 spends the chat's burst (4 messages); step 2 asks the next question.
        return step === 1
          ? { type: "handled", replies: [{ type: "text", text: "a" }, { type: "text", text: "b" }, { type: "text", text: "c" }, question("Q1", "q1.yes")] }
          : { type: "handled", replies: [question("Q2", "q2.yes")] };
      },
    };
    const channel = channelWith(service, fetch);
    const chat = 7001;
    void channel.handleUpdate(textUpdate(chat, "hello"));
    await runUntil(() => calls.filter((c) => c.method === "sendMessage").length === 4);
    const q1 = calls.find((c) => c.text === "Q1");
    const pressedAt = Date.now();
    void channel.handleUpdate(pressUpdate(chat, q1?.messageId as number, "q1.yes"));
    await letRealWorkRun(() => step === 2);
    await letRealWorkRun(() => false, 300);
    await runUntil(() => calls.some((c) => c.method === "editMessageReplyMarkup") && calls.some((c) => c.text === "Q2"));
    await channel.idle();

    const q2 = calls.findIndex((c) => c.text === "Q2");
    const cleanup = calls.findIndex((c) => c.method === "editMessageReplyMarkup" && c.messageId === q1?.messageId);
    expect(q2).toBeGreaterThan(-1);
    expect(cleanup).toBeGreaterThan(q2);
    // The burst was spent: the question takes the next token (≤ 1 s), the clean-up the one after.
    expect((calls[q2] as LoggedCall).at - pressedAt).toBeLessThanOrEqual(1000);
    expect((calls[cleanup] as LoggedCall).at).toBeGreaterThanOrEqual((calls[q2] as LoggedCall).at);
    // The answer to the press itself is not a message: it went at once.
    expect(calls.find((c) => c.method === "answerCallbackQuery")?.at).toBe(pressedAt);
  });

  it("over the bot's 30 messages a second, an urgent family's reply goes before the others waiting", async () => {
    const { calls, fetch } = recordingApi();
    const URGENT_CHAT = 9999;
    let urgentHandled = false;
    const service: DialogService = {
      async handle(ctx): Promise<HandleResult> {
        const urgent = ctx.chatId === String(URGENT_CHAT);
        if (urgent) urgentHandled = true;
        return { type: "handled", replies: [{ type: "text", text: urgent ? "112" : "ok" }], urgent };
      },
    };
    const channel = channelWith(service, fetch);
    for (let i = 0; i < 45; i++) void channel.handleUpdate(textUpdate(8000 + i, "hi"));
    await runUntil(() => calls.filter((c) => c.method === "sendMessage").length === 30);
    void channel.handleUpdate(textUpdate(URGENT_CHAT, "помогите"));
    // The urgent reply must be waiting in the limiter before the window reopens.
    await letRealWorkRun(() => urgentHandled);
    await letRealWorkRun(() => false, 300);
    await runUntil(() => calls.filter((c) => c.method === "sendMessage").length === 46, 5000);
    await channel.idle();

    const sends = calls.filter((c) => c.method === "sendMessage");
    const first = (sends[0] as LoggedCall).at;
    const inFirstSecond = sends.filter((c) => c.at - first < 1000);
    expect(inFirstSecond).toHaveLength(30);
    // The urgent reply is the first to go once the window allows, ahead of 15 families queued before it.
    expect(sends[30]?.chatId).toBe(String(URGENT_CHAT));
  });
});
