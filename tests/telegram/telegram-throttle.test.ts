// The outbound throttle: bursts go out at once, then the per-chat, per-group and overall rates hold.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTelegramThrottle } from "../../src/channels/telegram/telegram-throttle.ts";

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

  it("does not limit calls that are not to a chat (getUpdates, answerCallbackQuery)", async () => {
    const h = harness({ globalPerSecond: 1, perChatPerSecond: 1, perChatBurst: 1 });
    void h.call("sendMessage", { chat_id: 5 });
    for (let i = 0; i < 5; i++) void h.call("getUpdates", { offset: i });
    void h.call("answerCallbackQuery", { callback_query_id: "x" });
    await h.settle();
    expect(h.sent).toHaveLength(7);
  });
});
