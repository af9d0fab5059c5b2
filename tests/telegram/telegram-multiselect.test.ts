// Telegram multi-select (issue 12): ticking topics and paging between them edits the pressed
// question in place (editMessageReplyMarkup, or editMessageText when the page note changes) instead
// of removing its buttons and sending a new copy. Real dialog service, fake Bot API.
import { beforeEach, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import type { FakeTelegramApi, SentMessage } from "../fakes/fake-telegram-api.ts";
import { captureLog } from "./helpers.ts";
import { createOutboxWorker, enqueueReply } from "../../src/outbox/outbox.ts";
import { FAST_THROTTLE, i18n, telegramWorld } from "./telegram-world.ts";

const parent = { id: 641, language_code: "ru" };
const world = telegramWorld({ log: captureLog("warn").log });
let api: FakeTelegramApi;
let channel: TelegramChannel;
beforeEach(async () => {
  ({ api, channel } = await world.start({ channel: { throttle: false } }));
});

type Button = { text: string; callback_data: string };
const buttons = (m: SentMessage | undefined) => ((m?.reply_markup?.inline_keyboard ?? []) as Button[][]).flat();

async function press(m: SentMessage, id: string): Promise<void> {
  const b = buttons(m).find((x) => x.callback_data.replace(/^\d+\./, "") === id);
  if (!b) throw new Error(`no button ${id}`);
  const before = api.calls.length;
  api.push(api.press(parent, m.message_id, b.callback_data));
  await api.waitFor(() => api.calls.slice(before).some((c) => c.method !== "getUpdates" && c.method !== "answerCallbackQuery"), 10_000, `the press ${id}`);
  await channel.idle();
}

/** /start up to the topics question; the message. */
async function topicsQuestion(): Promise<SentMessage> {
  api.push(api.text(parent, "/start 63"));
  await api.waitFor(() => api.sentTo(parent.id).some((m) => buttons(m).some((b) => b.callback_data.endsWith(".more"))));
  await channel.idle();
  return api.sentTo(parent.id).find((m) => buttons(m).some((b) => b.callback_data.endsWith(".more")))!;
}

/** The channel stops (an instance gone), `meanwhile` changes the database, another one starts on it. */
async function restarted(meanwhile: () => Promise<unknown>): Promise<void> {
  await channel.stop();
  await meanwhile();
  channel = createTelegramChannel({
    token: api.token,
    apiRoot: api.apiRoot,
    service: world.service(),
    db: world.db,
    log: captureLog("warn").log,
    i18n,
    mode: { type: "polling", timeoutSeconds: 1 },
    throttle: FAST_THROTTLE,
  });
  await channel.start();
}

describe("telegram topics question", () => {
  it("one journey through the topics leaves one topics message, edited in place", async () => {
    const question = await topicsQuestion();
    const sentBefore = api.callsOf("sendMessage").length;
    // «Несколько тем»: the same message turns into ticks and «Готово».
    await press(question, "multi");
    await press(question, "more");
    await press(question, "c:family_conflict");
    await press(question, "c:parental_burnout");
    await press(question, "c:parental_burnout");
    await press(question, "less");
    await press(question, "c:housing");
    expect(api.callsOf("sendMessage").length).toBe(sentBefore); // no new copies
    const labels = buttons(question).map((b) => b.text);
    expect(labels.filter((l) => l.startsWith("✓"))).toHaveLength(1);
    expect(labels.some((l) => /2/.test(l))).toBe(true); // "Готово (выбрано: 2)"
    await press(question, "done");
    // Answered: its buttons go and the next question is a new message.
    expect(buttons(question)).toEqual([]);
    expect(api.callsOf("sendMessage").length).toBeGreaterThan(sentBefore);
    const state = (await world.db.conversation.findFirstOrThrow({ where: { channel: "telegram" } })).state;
    expect(state).toContain("family_conflict");
    expect(state).toContain("housing");
    expect(state).not.toContain("parental_burnout");
  });

  it("the instance that sent the question died before writing the chat's keyboard: the next one still edits in place", async () => {
    const question = await topicsQuestion();
    // Killed right after the send: the batched chat-state write (which message holds the keyboard)
    // never reached the database. Another instance takes the chat over with nothing in memory.
    await restarted(() => world.db.conversation.updateMany({ where: { channel: "telegram" }, data: { channelData: "{}" } }));
    const sentBefore = api.callsOf("sendMessage").length;
    await press(question, "more");
    // The pressed message turned to the next page of topics; no second copy with live buttons beside it.
    expect(api.callsOf("sendMessage").length).toBe(sentBefore);
    expect(buttons(question).some((b) => b.callback_data.endsWith(".less"))).toBe(true);
    // Answered from that page: its buttons go and the next question is the one new message.
    await press(question, "c:family_conflict");
    expect(buttons(question)).toEqual([]);
    expect(api.callsOf("sendMessage").length).toBe(sentBefore + 1);
    await channel.stop();
  });

  it("a topics press answered later by the outbox worker (the chat backlogged after a crash) edits in place too", async () => {
    const question = await topicsQuestion();
    // The instance died with a reply of this chat undelivered; the one started next finds it and
    // queues the chat's new replies behind it, for the outbox worker.
    await restarted(() =>
      world.db.$transaction((tx) =>
        enqueueReply(tx, { channel: "telegram", chatId: String(parent.id), updateKey: "left", payload: { replies: [{ type: "text", text: "Ответ, оставшийся после сбоя" }] }, urgent: false }, new Date()),
      ),
    );
    const sentBefore = api.callsOf("sendMessage").length;
    const b = buttons(question).find((x) => x.callback_data.endsWith(".more"))!;
    api.push(api.press(parent, question.message_id, b.callback_data));
    await expect.poll(() => world.db.outbox.count({ where: { target: String(parent.id) } }), { timeout: 10_000 }).toBe(2);
    await channel.idle();
    const worker = createOutboxWorker({ db: world.db, log: captureLog("warn").log, senders: { telegram: channel.replySender }, clock: () => new Date() });
    while ((await worker.runOnce()) > 0) {
      /* both rows, in order */
    }
    // The left-over reply is the one new message; the press's answer turned the pressed question.
    expect(api.callsOf("sendMessage").length).toBe(sentBefore + 1);
    expect(buttons(question).some((x) => x.callback_data.endsWith(".less"))).toBe(true);
    await channel.stop();
  });
});
