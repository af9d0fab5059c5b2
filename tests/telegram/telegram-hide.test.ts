// Quick exit for a shared phone (issue 12), Telegram: `/hide` says what cannot be deleted and asks
// once; «Скрыть сейчас» leaves one neutral line and deletes what the Bot API lets a bot delete in a
// private chat — the person's and the bot's messages younger than 48 hours — through the fake,
// which enforces those rules. The request and the dialog state stay as they were.
import { beforeEach, describe, expect, it } from "vitest";
import type { TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import type { FakeTelegramApi, FakeUser, SentMessage } from "../fakes/fake-telegram-api.ts";
import { createInbox, DEFAULT_SCRIPT, runFamily } from "./family-driver.ts";
import { captureLog } from "./helpers.ts";
import { i18n, telegramWorld } from "./telegram-world.ts";

const HOUR = 3600;
const parent: FakeUser = { id: 9101, language_code: "ru" };

/** Seconds the fake API's and the service's clocks are moved forward by. */
let offsetSeconds = 0;
const clock = () => new Date(Date.now() + offsetSeconds * 1000);
const advance = (seconds: number) => {
  offsetSeconds += seconds;
  api.advanceClock(seconds);
};

const world = telegramWorld({ log: captureLog("warn").log, clock });
let api: FakeTelegramApi;
let channel: TelegramChannel;
beforeEach(async () => {
  offsetSeconds = 0;
  ({ api, channel } = await world.start());
});

const sentCount = () => api.sentTo(parent.id).length;
async function say(text: string): Promise<void> {
  const before = sentCount();
  api.push(api.text(parent, text));
  await api.waitFor(() => sentCount() > before, 10_000, `an answer to ${text}`);
  await channel.idle();
}
const promptOf = () => [...api.sentTo(parent.id)].reverse().find((m) => JSON.stringify(m.reply_markup ?? {}).includes("hide:go")) as SentMessage;
/** An operator's reply sent by the outbox, not through the dialog (straight to the Bot API). */
async function relayOperatorReply(): Promise<{ result: { message_id: number } }> {
  const response = await fetch(`${api.apiRoot}/bot${api.token}/sendMessage`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ chat_id: parent.id, text: "Специалист — Анна: перезвоню вечером" }),
  });
  return (await response.json()) as { result: { message_id: number } };
}

describe("telegram quick exit (/hide)", () => {
  it("is in the command menu in both languages", () => {
    for (const call of api.callsOf("setMyCommands")) {
      const commands = call.payload.commands as Array<{ command: string; description: string }>;
      expect(commands.find((c) => c.command === "hide")?.description).toMatch(/Скрыть переписку|Hide this chat/);
    }
  });

  it("deletes the last 48 hours of the chat (both sides), leaves one neutral line, keeps the request and the dialog", async () => {
    // Two days ago: the parent wrote once; those messages are past what a bot may delete.
    await say("здравствуйте");
    const old = api.visible(parent.id).map((m) => m.message_id);
    expect(old.length).toBeGreaterThanOrEqual(2);
    advance(49 * HOUR);

    const inbox = createInbox(api);
    const result = await runFamily({ api, inbox, user: parent, deliver: (u) => void api.push(u), script: { ...DEFAULT_SCRIPT, startPayload: "63" } });
    expect(result.outcome, JSON.stringify(result.trail)).toBe("done");
    await channel.idle();
    const requestBefore = await world.db.request.findMany();
    expect(requestBefore).toHaveLength(1);
    const conversationBefore = await world.db.conversation.findFirstOrThrow({ where: { channel: "telegram" } });
    const recentIds = api.visible(parent.id).filter((m) => !old.includes(m.message_id));
    expect(recentIds.some((m) => m.outgoing) && recentIds.some((m) => !m.outgoing)).toBe(true);

    // An operator's reply sent by the outbox, not through the dialog: the quick exit deletes it too.
    const relayed = await relayOperatorReply();

    await say("/hide");
    const prompt = promptOf();
    expect(prompt.text).toContain("48");
    expect(api.deleted).toHaveLength(0); // asking deletes nothing
    const before = sentCount();
    api.push(api.press(parent, prompt.message_id, "hide:go"));
    await api.waitFor(() => sentCount() > before && api.deleted.length > 0, 10_000, "the quick exit");
    await channel.idle();

    const visible = api.visible(parent.id);
    const neutral = visible.at(-1)!;
    expect(neutral.outgoing).toBe(true);
    expect(neutral.text).toBe(i18n.t("ru", "telegram-hide-neutral"));
    // Everything of the last 48 hours is gone; what is older stays (Telegram would refuse it).
    expect(visible.map((m) => m.message_id)).toEqual([...old, neutral.message_id]);
    expect(api.deleted.map((d) => d.message_id)).toEqual(expect.arrayContaining([...recentIds.map((m) => m.message_id), relayed.result.message_id, prompt.message_id]));
    // The neutral line takes away a reply keyboard that might still show "share my number".
    expect(api.sentTo(parent.id).at(-1)?.reply_markup).toEqual({ remove_keyboard: true });
    // Nothing else changed: the request and the conversation's dialog state are as they were.
    expect(await world.db.request.findMany()).toEqual(requestBefore);
    const conversationAfter = await world.db.conversation.findFirstOrThrow({ where: { channel: "telegram" } });
    expect(conversationAfter.state).toBe(conversationBefore.state);
    expect(conversationAfter.stateVersion).toBe(conversationBefore.stateVersion);
    expect(JSON.stringify(conversationAfter.channelData)).not.toMatch(/здравствуйте|Анна|7999/);
  });

  it("«not now» removes only the prompt; the dialog goes on where it was", async () => {
    await say("/start 63");
    const question = api.sentTo(parent.id).at(-1)!;
    // An operator's reply sent by the outbox, not through the dialog: «not now» leaves it too.
    await relayOperatorReply();

    await say("/hide");
    const prompt = promptOf();
    api.push(api.press(parent, prompt.message_id, "hide:no"));
    await api.waitFor(() => api.deleted.length === 1, 10_000, "the prompt deleted");
    await channel.idle();
    expect(api.deleted.map((d) => d.message_id)).toEqual([prompt.message_id]);
    expect(api.visible(parent.id).map((m) => m.message_id)).toContain(question.message_id);
  });

  it("the fake refuses what Telegram refuses: a message older than 48 hours, another chat's message, more than 100 ids", async () => {
    await say("здравствуйте");
    const [mine] = api.visible(parent.id);
    const call = (method: string, body: Record<string, unknown>) =>
      fetch(`${api.apiRoot}/bot${api.token}/${method}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }).then(
        async (r) => ({ status: r.status, body: (await r.json()) as { description?: string } }),
      );
    expect((await call("deleteMessage", { chat_id: 777, message_id: mine!.message_id })).status).toBe(400);
    expect((await call("deleteMessages", { chat_id: parent.id, message_ids: Array.from({ length: 101 }, (_, i) => i + 1) })).status).toBe(400);
    advance(48 * HOUR);
    const old = await call("deleteMessage", { chat_id: parent.id, message_id: mine!.message_id });
    expect(old.status).toBe(400);
    expect(old.body.description).toMatch(/can't be deleted/);
    expect((await call("deleteMessages", { chat_id: parent.id, message_ids: [mine!.message_id] })).status).toBe(400);
    expect(api.visible(parent.id).map((m) => m.message_id)).toContain(mine!.message_id);
  });
});
