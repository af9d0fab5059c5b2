// Rendering within MAX limits, update translation edge cases and the outbound rate limit.
import { describe, expect, it } from "vitest";
import { createOutbound } from "../../src/channels/max/max-outbound.ts";
import { MAX_TEXT_LENGTH, renderReplies, splitText } from "../../src/channels/max/max-render.ts";
import { parseTextInput, translateUpdate } from "../../src/channels/max/max-updates.ts";
import type { ReplyOption } from "../../src/dialog/service-types.ts";
import { log } from "./harness.ts";

const opt = (i: number): ReplyOption => ({ label: `Вариант ${i}`, token: `t${i}` });

describe("renderReplies", () => {
  it("splits long texts at ≤ 4000 characters and puts the keyboard on the last part", () => {
    const para = `${"Слово ".repeat(300)}\n\n`;
    const text = para.repeat(10);
    const { messages } = renderReplies([{ type: "text", text, options: [[opt(1)]] }]);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(m.text.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
    expect(messages.slice(0, -1).every((m) => m.attachments.length === 0)).toBe(true);
    expect(messages.at(-1)?.attachments[0]?.payload.buttons).toEqual([
      [{ type: "callback", text: "Вариант 1", payload: "t1" }],
    ]);
    expect(
      messages
        .map((m) => m.text)
        .join(" ")
        .replace(/\s+/g, " ")
        .trim(),
    ).toBe(text.replace(/\s+/g, " ").trim());
  });

  it("an empty or blank text is never sent: no chunk, no message; the other replies go, with the menu row", () => {
    expect(splitText("")).toEqual([]);
    expect(splitText(" \n ")).toEqual([]);
    const menu = [{ type: "callback" as const, text: "Помощь", payload: "max:menu:help" }];
    const { messages, empty } = renderReplies(
      [
        { type: "text", text: "Дальше" },
        { type: "text", text: "", options: [[opt(1)]] },
      ],
      { menuRow: menu },
    );
    expect(messages.map((m) => m.text)).toEqual(["Дальше"]);
    expect(messages[0]?.attachments[0]?.payload.buttons).toEqual([menu]);
    expect(empty).toBe(1);
  });

  it("splits a text without spaces and never breaks a surrogate pair", () => {
    const text = "😀".repeat(3000); // 6000 UTF-16 units
    const parts = splitText(text);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
      expect(p.startsWith("\udE00")).toBe(false);
    }
    expect(parts.join("")).toBe(text);
  });

  it("keeps ≤ 7 buttons a row, ≤ 30 rows including the menu, drops over-long payloads", () => {
    const wide = Array.from({ length: 10 }, (_, i) => opt(i));
    const many = Array.from({ length: 40 }, (_, i) => [opt(100 + i)]);
    const bad = [{ label: "x", token: "y".repeat(1025) }];
    const menu = [
      { type: "callback" as const, text: "Помощь", payload: "max:menu:help" },
      { type: "callback" as const, text: "Отозвать согласие", payload: "max:menu:revoke" },
    ];
    const { messages, dropped } = renderReplies(
      [{ type: "text", text: "?", options: [wide, bad, ...many] }],
      { menuRow: menu },
    );
    const rows = messages[0]?.attachments[0]?.payload.buttons ?? [];
    expect(rows.length).toBe(30);
    expect(rows[0]?.length).toBe(7);
    expect(rows[1]?.length).toBe(3);
    expect(rows.at(-1)).toEqual(menu);
    expect(rows.every((r) => r.length <= 7)).toBe(true);
    expect(dropped).toBe(1 + (40 - 27));
  });

  it("puts link and request_contact buttons in rows of their own", () => {
    const { messages } = renderReplies([
      {
        type: "text",
        text: "Согласие",
        options: [[opt(1), opt(2)]],
        link: { label: "Полный текст", url: "https://example.org/consent" },
      },
      { type: "requestContact", text: "Телефон", shareLabel: "Отправить номер", options: [[opt(3)]] },
      { type: "removeKeyboard" },
    ]);
    expect(messages.length).toBe(2);
    expect(messages[0]?.attachments[0]?.payload.buttons.at(-1)).toEqual([
      { type: "link", text: "Полный текст", url: "https://example.org/consent" },
    ]);
    expect(messages[1]?.attachments[0]?.payload.buttons).toEqual([
      [{ type: "request_contact", text: "Отправить номер" }],
      [{ type: "callback", text: "Вариант 3", payload: "t3" }],
    ]);
  });
});

describe("translateUpdate", () => {
  it("parses commands with a bot mention and leaves other slashes as text", () => {
    expect(parseTextInput("/help@opora_bot")).toEqual({
      type: "event",
      event: { type: "command", name: "help" },
    });
    expect(parseTextInput("/unknown")).toEqual({ type: "event", event: { type: "text", text: "/unknown" } });
    expect(parseTextInput("1/2 ставки")).toEqual({
      type: "event",
      event: { type: "text", text: "1/2 ставки" },
    });
  });

  it("ignores group chats, bots, unknown updates; a callback without a message is still answerable", () => {
    const base = { update_type: "message_created", timestamp: 1 };
    const msg = (over: object) => ({
      ...base,
      message: {
        sender: { user_id: 1, is_bot: false },
        recipient: { chat_id: 5, chat_type: "chat" },
        body: { mid: "m1", text: "hi" },
        ...over,
      },
    });
    expect(translateUpdate(msg({}))).toMatchObject({ type: "ignored", reason: "not_dialog" });
    expect(
      translateUpdate(
        msg({ sender: { user_id: 1, is_bot: true }, recipient: { chat_id: 5, chat_type: "dialog" } }),
      ),
    ).toMatchObject({ type: "ignored", reason: "from_bot" });
    expect(translateUpdate({ update_type: "message_edited", timestamp: 1 })).toMatchObject({
      type: "ignored",
    });
    expect(translateUpdate("garbage")).toMatchObject({ type: "ignored" });
    expect(
      translateUpdate({
        update_type: "message_callback",
        timestamp: 1,
        callback: { callback_id: "c1", payload: "x", user: { user_id: 1 } },
      }),
    ).toEqual({ type: "ignored", reason: "callback_without_chat", callbackId: "c1" });
  });
});

describe("outbound queue", () => {
  it("stays within the configured requests per second", async () => {
    const out = createOutbound(log, { ratePerSecond: 10, maxConcurrent: 10 });
    const times: number[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 25 }, () => out.call("t", async () => times.push(Date.now() - started))),
    );
    await out.stop();
    // 10 at once, 10 after ~1 s, 5 after ~2 s.
    expect(times.filter((t) => t < 900).length).toBe(10);
    expect(times.filter((t) => t < 1900).length).toBe(20);
    expect(Math.max(...times)).toBeGreaterThanOrEqual(1900);
  });
});
