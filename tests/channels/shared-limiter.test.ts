// One outbound limiter per bot: the channel's replies and the outbox worker's notices, sent at the
// same time, stay together within the messenger's limits in the API's log (a fake clock; the API is
// a recording fetch, so the log's times are the fake clock's).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createOutbound, maxBotLimiter } from "../../src/channels/max/max-outbound.ts";
import { createOutboundLimiter } from "../../src/channels/outbound-limiter.ts";
import { createTelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import { TELEGRAM_THROTTLE } from "../../src/channels/telegram/telegram-throttle.ts";
import { createMaxOutboxSender, createTelegramOutboxSender } from "../../src/handoff/outbox-senders.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";

const log = createLogger({ level: "silent" });

interface LoggedCall {
  method: string;
  chatId?: string;
  at: number;
}

/** A recording API: every call logged at the fake clock's time, answered at once. */
function recordingFetch(calls: LoggedCall[], answer: (method: string, body: Record<string, unknown>) => unknown) {
  let nextId = 1;
  return (async (input: string | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const body = init?.body ? (JSON.parse(String(init.body)) as Record<string, unknown>) : {};
    const method = url.pathname.split("/").pop() ?? "";
    const chatId = body.chat_id ?? url.searchParams.get("chat_id") ?? url.searchParams.get("user_id") ?? undefined;
    calls.push({ method, ...(chatId !== undefined && chatId !== null ? { chatId: String(chatId) } : {}), at: Date.now() });
    return new Response(JSON.stringify(answer(method, { ...body, message_id: nextId++ })), { status: 200, headers: { "content-type": "application/json" } });
  }) as typeof fetch;
}

/** The most calls started in any window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/** Token-bucket rule for one chat: any run of k messages spans at least (k − burst) seconds. */
function breaksChatBudget(times: number[], burst: number, perSecond: number): boolean {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + burst; j < sorted.length; j++) {
      const needed = ((j - i + 1 - burst) * 1000) / perSecond;
      if ((sorted[j] as number) - (sorted[i] as number) < needed - 1) return true;
    }
  }
  return false;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("one outbound limiter per bot, shared by every sender", () => {
  it("Telegram: the channel's replies and the outbox's notices together keep 30/s per bot and the per-chat budget", async () => {
    const calls: LoggedCall[] = [];
    const fetch = recordingFetch(calls, (method, body) =>
      method === "sendMessage" ? { ok: true, result: { message_id: body.message_id, date: 1, chat: { id: Number(body.chat_id), type: "private" }, text: "x" } } : { ok: true, result: true },
    );
    const token = "777:shared-limiter";
    const apiRoot = "http://telegram.invalid";
    const channel = createTelegramChannel({
      token,
      apiRoot,
      fetch,
      service: { handle: async () => ({ type: "duplicate" }) },
      db: {} as never,
      log,
      i18n: createI18n(),
      mode: { type: "polling" },
      botInfo: { id: 777, is_bot: true, first_name: "b", username: "b_bot" } as never,
    });
    const outbox = createTelegramOutboxSender({ token, apiRoot, fetch });

    const work: Promise<unknown>[] = [];
    // 40 families get 3 messages each from the dialog, one of them 6 in a row (a burst), while the
    // outbox sends 40 notices to an operators' group and 20 to the same families' chats.
    for (let f = 0; f < 40; f++) {
      const chatId = 1000 + f;
      for (let m = 0; m < (f === 0 ? 6 : 3); m++) work.push(channel.bot.api.sendMessage(chatId, `q${m}`));
      work.push(channel.bot.api.editMessageReplyMarkup(chatId, 1, { reply_markup: { inline_keyboard: [] } }));
      if (f < 20) work.push(outbox({ target: String(chatId), payload: { text: "notice" } } as never));
    }
    for (let n = 0; n < 40; n++) work.push(outbox({ target: "-100500", payload: { text: `P${n}` } } as never));
    // Callback answers are not messages: they go at once whatever the budget.
    work.push(channel.bot.api.answerCallbackQuery("cb-1"));
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.some((c) => c.method === "answerCallbackQuery")).toBe(true);

    await vi.advanceTimersByTimeAsync(300_000);
    await Promise.all(work);

    const messages = calls.filter((c) => c.method === "sendMessage" || c.method.startsWith("editMessage"));
    expect(messages).toHaveLength(40 * 3 + 3 + 40 + 20 + 40);
    // New messages count against the bot's 30/s; edits only against their chat's budget.
    const sends = messages.filter((c) => c.method === "sendMessage").map((c) => c.at);
    expect(busiestWindow(sends, 1000)).toBeLessThanOrEqual(TELEGRAM_THROTTLE.globalPerSecond);
    // Both senders were busy at the same time: the window is full, not idle.
    expect(busiestWindow(sends, 1000)).toBe(TELEGRAM_THROTTLE.globalPerSecond);
    const byChat = new Map<string, LoggedCall[]>();
    for (const c of messages) byChat.set(c.chatId ?? "", [...(byChat.get(c.chatId ?? "") ?? []), c]);
    for (const [chatId, list] of byChat) {
      const times = list.map((c) => c.at);
      if (chatId.startsWith("-")) expect(busiestWindow(times, 60_000), `group ${chatId}`).toBeLessThanOrEqual(20);
      else expect(breaksChatBudget(times, TELEGRAM_THROTTLE.perChatBurst, TELEGRAM_THROTTLE.perChatPerSecond), `chat ${chatId}`).toBe(false);
    }
  });

  it("MAX: the channel's calls and the outbox's notices together keep 30 requests/s", async () => {
    const calls: LoggedCall[] = [];
    const fetch = recordingFetch(calls, () => ({ message: { body: { mid: "m", seq: 1 }, recipient: { chat_id: 1 }, timestamp: 1 } }));
    const token = "max-shared-limiter";
    const baseUrl = "http://max.invalid/";
    const out = createOutbound(log, {}, maxBotLimiter({ token, baseUrl }));
    const outbox = createMaxOutboxSender({ token, baseUrl, fetch });
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 80; i++) work.push(out.call("send", () => fetch(`${baseUrl}messages?chat_id=${i}`, { method: "POST", body: "{}" })));
    for (let i = 0; i < 70; i++) work.push(outbox({ target: String(-500 - i), payload: { text: "notice" } } as never));
    await vi.advanceTimersByTimeAsync(60_000);
    await Promise.all(work);
    expect(calls).toHaveLength(150);
    expect(busiestWindow(calls.map((c) => c.at), 1000)).toBe(30);
  });

  it("over the overall limit, calls go by priority: urgent, then replies, then notices, then clean-up", async () => {
    const limiter = createOutboundLimiter({ perSecond: 2 });
    const started: string[] = [];
    const go = (name: string) => async () => void started.push(name);
    const work = [
      limiter.run({}, go("first")),
      limiter.run({}, go("second")),
      limiter.run({ priority: "cleanup" }, go("cleanup")),
      limiter.run({}, go("notice")),
      limiter.run({ priority: "reply" }, go("reply")),
      limiter.run({ priority: "urgent" }, go("urgent")),
    ];
    await vi.advanceTimersByTimeAsync(0);
    expect(started).toEqual(["first", "second"]);
    await vi.advanceTimersByTimeAsync(2300); // two more windows (a second and the lag margin each)
    await Promise.all(work);
    expect(started).toEqual(["first", "second", "urgent", "reply", "notice", "cleanup"]);
  });
});
