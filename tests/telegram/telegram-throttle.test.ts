// The outbound throttle: bursts go out at once, then the per-chat, per-group and overall rates hold.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { autoRetry } from "@grammyjs/auto-retry";
import { createOutboundLimiter } from "../../src/channels/outbound-limiter.ts";
import { createRetryAccounting, createTelegramThrottle } from "../../src/channels/telegram/telegram-throttle.ts";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

function harness(options: Parameters<typeof createTelegramThrottle>[0]) {
  const throttle = createTelegramThrottle(options);
  const sent: string[] = [];
  const prev = (method: string, payload: unknown) => {
    sent.push(`${method}:${String((payload as { chat_id?: unknown })?.chat_id ?? "")}`);
    return Promise.resolve({ ok: true as const, result: true });
  };
  const call = (method: string, payload: Record<string, unknown>) => throttle(prev as never, method as never, payload as never, undefined);
  // Lets pending promise chains run without moving the clock.
  const settle = () => vi.advanceTimersByTimeAsync(0);
  return { sent, call, settle };
}

describe("telegram outbound throttle", () => {
  it("sends a chat's burst at once, then one message a second, in order", async () => {
    const h = harness({ globalPerSecond: 30, perChatPerSecond: 1, perChatBurst: 4 });
    const done = [1, 2, 3, 4, 5, 6].map((n) => h.call("sendMessage", { chat_id: 7, text: `m${n}` }));
    await h.settle();
    expect(h.sent).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(990);
    expect(h.sent).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(20);
    expect(h.sent).toHaveLength(5);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.sent).toHaveLength(6);
    await Promise.all(done);
  });

  it("holds the overall rate across chats, and one chat's wait does not hold up another chat", async () => {
    const h = harness({ globalPerSecond: 3, perChatPerSecond: 1, perChatBurst: 1 });
    void h.call("sendMessage", { chat_id: 1 });
    void h.call("sendMessage", { chat_id: 1 }); // waits a second for chat 1's own token
    void h.call("sendMessage", { chat_id: 2 });
    void h.call("sendMessage", { chat_id: 3 });
    void h.call("sendMessage", { chat_id: 4 }); // waits for the overall bucket
    await h.settle();
    expect(h.sent).toEqual(["sendMessage:1", "sendMessage:2", "sendMessage:3"]);
    await vi.advanceTimersByTimeAsync(1100);
    expect(h.sent).toHaveLength(5);
    expect(h.sent.slice(3).sort()).toEqual(["sendMessage:1", "sendMessage:4"]);
  });

  it("keeps a group chat within 20 messages in any minute, after a short burst", async () => {
    const h = harness({ globalPerSecond: 1000, perChatPerSecond: 1, perChatBurst: 4, perGroupPerMinute: 20 });
    const at: number[] = [];
    const start = Date.now();
    for (let i = 0; i < 41; i++) void h.call("sendMessage", { chat_id: -100123 }).then(() => at.push(Date.now() - start));
    await h.settle();
    expect(h.sent).toHaveLength(10);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(at).toHaveLength(41);
    for (let i = 0; i + 20 < at.length; i++) expect((at[i + 20] as number) - (at[i] as number)).toBeGreaterThanOrEqual(60_000);
  });

  it("a send auto-retried after a 429 takes its own place in the bot's window (no retry beyond the overall rate)", async () => {
    // As the channel stacks them: throttle (outermost), auto-retry, retry accounting (innermost).
    const limiter = createOutboundLimiter({ perSecond: 3, perChat: { perSecond: 100, burst: 100 } });
    const throttle = createTelegramThrottle({ globalPerSecond: 3, perChatPerSecond: 100, perChatBurst: 100 }, limiter);
    const retry = autoRetry({ maxRetryAttempts: 3 });
    const accounting = createRetryAccounting(limiter);
    const arrived: Array<{ chat: unknown; at: number }> = [];
    let refuseFirst = true;
    const api = (_method: string, payload: Record<string, unknown>) => {
      arrived.push({ chat: payload.chat_id, at: Date.now() });
      if (refuseFirst) {
        refuseFirst = false;
        return Promise.resolve({ ok: false as const, error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
      }
      return Promise.resolve({ ok: true as const, result: true });
    };
    const call = (payload: Record<string, unknown>) =>
      throttle(((m: never, p: never, sig: never) => retry(((m2: never, p2: never, sig2: never) => accounting(api as never, m2, p2, sig2)) as never, m, p, sig)) as never, "sendMessage" as never, payload as never, undefined);
    const start = Date.now();
    const done = [1, 2, 3, 4, 5, 6].map((chat) => call({ chat_id: chat, text: "x" }));
    await vi.advanceTimersByTimeAsync(5000);
    await Promise.all(done);
    expect(arrived).toHaveLength(7); // six messages, one of them twice
    const times = arrived.map((a) => a.at - start);
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1000).length, times.join(",")).toBeLessThanOrEqual(3);
  });

  it("does not limit calls that are not to a chat (getUpdates, answerCallbackQuery)", async () => {
    const h = harness({ globalPerSecond: 1, perChatPerSecond: 1, perChatBurst: 1 });
    void h.call("sendMessage", { chat_id: 5 });
    for (let i = 0; i < 5; i++) void h.call("getUpdates", { offset: i });
    void h.call("answerCallbackQuery", { callback_query_id: "x" });
    await h.settle();
    expect(h.sent).toHaveLength(7);
  });
});
