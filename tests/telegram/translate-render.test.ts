// Pure parts of the Telegram channel: update translation, reply rendering, text splitting,
// the per-chat queue and the stored chat state.
import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { createChatQueue } from "../../src/channels/chat-queue.ts";
import { parseChatState } from "../../src/channels/telegram/chat-state.ts";
import { renderReplies, splitText } from "../../src/channels/telegram/render-reply.ts";
import { chatKeyOf, matchReplyOption, parseCommand, translateUpdate } from "../../src/channels/telegram/translate-update.ts";

const from = { id: 7, is_bot: false, first_name: "A", language_code: "en-US" };
const privateChat = { id: 7, type: "private", first_name: "A" };
const msg = (fields: Record<string, unknown>, chat: Record<string, unknown> = privateChat) =>
  ({ update_id: 11, message: { message_id: 3, date: 1, chat, from, ...fields } }) as unknown as Update;

describe("translateUpdate", () => {
  it("commands: /start with and without a deep-link payload, menu commands, unknown ones, other bots", () => {
    expect(parseCommand("/start")).toEqual({ type: "start" });
    expect(parseCommand("/start c-smolensk_vyhod")).toEqual({ type: "start", payload: "c-smolensk_vyhod" });
    expect(parseCommand("/start bad payload!")).toEqual({ type: "start" });
    expect(parseCommand(`/start ${"a".repeat(65)}`)).toEqual({ type: "start" });
    expect(parseCommand("/revoke")).toEqual({ type: "command", name: "revoke" });
    expect(parseCommand("/lang en")).toEqual({ type: "command", name: "lang", arg: "en" });
    expect(parseCommand("/HELP@opora_test_bot", "opora_test_bot")).toEqual({ type: "command", name: "help" });
    expect(parseCommand("/help@other_bot", "opora_test_bot")).toBeNull();
    expect(parseCommand("/whatever")).toEqual({ type: "command", name: "help" });
    expect(parseCommand("not a command")).toBeUndefined();
    expect(parseCommand("/ слэш и текст")).toBeUndefined();
  });

  it("private text carries chat, user, update key, the language hint and the message id and date (for /hide)", () => {
    expect(translateUpdate(msg({ text: "hello" }))).toEqual({
      type: "event",
      source: { chatId: "7", userId: "7", updateKey: "11", locale: "en-US", messageId: 3, date: 1 },
      event: { type: "text", text: "hello" },
    });
  });

  it("/hide and the prompt's buttons are the channel's quick exit, never dialog events", () => {
    expect(translateUpdate(msg({ text: "/hide" }))).toMatchObject({ type: "hide", stage: "ask", source: { chatId: "7", messageId: 3 } });
    expect(translateUpdate(msg({ text: "/hide@opora_bot" }), { botUsername: "opora_bot" })).toMatchObject({ type: "hide", stage: "ask" });
    expect(translateUpdate(msg({ text: "/hide@other_bot" }), { botUsername: "opora_bot" })).toMatchObject({ type: "ignore" });
    const press = (data: string) =>
      ({ update_id: 12, callback_query: { id: "cq", from, chat_instance: "c", data, message: { message_id: 9, date: 1, chat: privateChat } } }) as unknown as Update;
    expect(translateUpdate(press("hide:go"))).toMatchObject({ type: "hide", stage: "confirm", callback: { id: "cq", messageId: 9 } });
    expect(translateUpdate(press("hide:no"))).toMatchObject({ type: "hide", stage: "cancel" });
  });

  it("group and supergroup messages go to the group branch; bot senders are ignored", () => {
    expect(translateUpdate(msg({ text: "hi" }, { id: -5, type: "supergroup", title: "g" }))).toMatchObject({ type: "group", chatId: "-5" });
    const fromBot = { update_id: 1, message: { message_id: 1, date: 1, chat: privateChat, from: { ...from, is_bot: true }, text: "x" } } as unknown as Update;
    expect(translateUpdate(fromBot)).toMatchObject({ type: "ignore" });
  });

  it("callback without message, with a non-string data, or from a group", () => {
    const cq = (extra: Record<string, unknown>) => ({ update_id: 2, callback_query: { id: "c", from, chat_instance: "i", ...extra } }) as unknown as Update;
    expect(translateUpdate(cq({ data: "s1:a" }))).toMatchObject({ type: "rejectCallback", reason: "no_message" });
    expect(translateUpdate(cq({ message: { message_id: 1, date: 1, chat: privateChat } }))).toMatchObject({ type: "rejectCallback", reason: "invalid_data" });
    expect(translateUpdate(cq({ data: "s1:a", message: { message_id: 1, date: 1, chat: { id: -9, type: "group", title: "g" } } }))).toMatchObject({
      type: "group",
      callbackId: "c",
    });
    expect(chatKeyOf(cq({ data: "s1:a" }))).toBe("7");
  });

  it("reply-keyboard labels map back to their tokens", () => {
    const options = [{ label: "Написать номер", token: "s5:type" }];
    expect(matchReplyOption(" Написать номер ", options)?.token).toBe("s5:type");
    expect(matchReplyOption("другое", options)).toBeUndefined();
    expect(matchReplyOption("x", undefined)).toBeUndefined();
  });
});

describe("renderReplies", () => {
  const texts = { shareLabel: "📱 default", keyboardClosed: "Принято ✓" };

  it("a removal rides on the next plain message", () => {
    const r = renderReplies([{ type: "removeKeyboard" }, { type: "text", text: "Спасибо" }], { replyOptions: [] }, texts);
    expect(r.messages).toEqual([{ text: "Спасибо", markup: { type: "remove", value: { remove_keyboard: true } } }]);
    expect(r.keyboard).toEqual({});
  });

  it("before a message with inline buttons, a short line carries the removal", () => {
    const r = renderReplies(
      [{ type: "removeKeyboard" }, { type: "text", text: "Как связаться?", options: [[{ label: "Позвонить", token: "14.call" }]] }],
      { replyOptions: [{ label: "Без телефона", token: "12.nophone" }] },
      texts,
    );
    expect(r.messages.map((m) => [m.text, m.markup?.type])).toEqual([
      ["Принято ✓", "remove"],
      ["Как связаться?", "inline"],
    ]);
    expect(r.keyboard).toEqual({});
  });

  it("a removal with nothing after it still goes out", () => {
    const r = renderReplies([{ type: "removeKeyboard" }], {}, texts);
    expect(r.messages).toEqual([{ text: "Принято ✓", markup: { type: "remove", value: { remove_keyboard: true } } }]);
  });

  it("requestContact without a label uses the channel's default and remembers the option buttons", () => {
    const r = renderReplies([{ type: "requestContact", text: "Номер?", shareLabel: "", options: [[{ label: "Без телефона", token: "12.nophone" }]] }], {}, texts);
    expect(r.messages[0]?.markup?.value).toMatchObject({ keyboard: [[{ text: "📱 default", request_contact: true }], [{ text: "Без телефона" }]] });
    expect(r.keyboard).toEqual({ replyOptions: [{ label: "Без телефона", token: "12.nophone" }] });
  });
});

describe("splitText", () => {
  it("keeps short texts whole; an empty or blank text gives no message at all (Telegram refuses one)", () => {
    expect(splitText("abc")).toEqual(["abc"]);
    expect(splitText("")).toEqual([]);
    expect(splitText(" \n\t ")).toEqual([]);
  });
  it("renders no message for a reply with an empty text and counts it; the other replies go", () => {
    const r = renderReplies(
      [
        { type: "text", text: "", options: [[{ label: "A", token: "s1:a" }]] },
        { type: "text", text: "  " },
        { type: "text", text: "Дальше" },
      ],
      {},
      { shareLabel: "📱", keyboardClosed: "✓" },
    );
    expect(r.messages.map((m) => m.text)).toEqual(["Дальше"]);
    expect(r.emptyReplies).toBe(2);
  });
  it("splits without line breaks at spaces, and without spaces hard, never inside a surrogate pair", () => {
    const words = Array.from({ length: 2000 }, () => "слово").join(" ");
    for (const p of splitText(words)) expect(p.length).toBeLessThanOrEqual(4096);
    expect(splitText(words).join(" ")).toBe(words);
    const emoji = "😀".repeat(3000); // 6000 UTF-16 units
    const pieces = splitText(emoji, 4095);
    expect(pieces.join("")).toBe(emoji);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(4095);
  });
});

describe("chat queue", () => {
  it("runs one key in order, other keys concurrently, and forgets drained keys", async () => {
    const q = createChatQueue();
    const log: string[] = [];
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const a1 = q.run("a", async () => {
      await wait(30);
      log.push("a1");
    });
    const a2 = q.run("a", async () => {
      log.push("a2");
      throw new Error("fails");
    });
    const a3 = q.run("a", async () => log.push("a3"));
    const b1 = q.run("b", async () => log.push("b1"));
    await Promise.allSettled([a1, a2, a3, b1]);
    await expect(a2).rejects.toThrow("fails");
    expect(log).toEqual(["b1", "a1", "a2", "a3"]);
    await q.idle();
    expect(q.activeKeys).toBe(0);
    expect(q.pending).toBe(0);
  });
});

describe("chat state", () => {
  it("garbage in channelData reads as empty", () => {
    expect(parseChatState("not json")).toEqual({});
    expect(parseChatState('{"keyboardMessageId":"x"}')).toEqual({});
    expect(parseChatState('{"keyboardMessageId":5}')).toEqual({ keyboardMessageId: 5 });
  });
});
