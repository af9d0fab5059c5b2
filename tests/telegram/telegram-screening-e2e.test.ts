// Issue 11: every piece of free text is screened in Telegram too — captions of photos, edited
// messages, the family's messages after the request exists — end to end through the real channel,
// the real dialog service and a temp database, against the fake Bot API (polling and webhook).
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
import type { Update } from "grammy/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type TelegramChannel, type TelegramMode, telegramWebhookPlugin } from "../../src/channels/telegram/telegram-channel.ts";
import { parseUrgencyReasons } from "../../src/dialog/urgency-reasons.ts";
import type { FakeTelegramApi, FakeUser, SentMessage } from "../fakes/fake-telegram-api.ts";
import { type CapturedLog, captureLog } from "./helpers.ts";
import { telegramWorld } from "./telegram-world.ts";

const world = telegramWorld();
const SECRET = "wh-secret_123";
const SERIOUS = "звучит очень серьёзно";

let api: FakeTelegramApi;
let captured: CapturedLog;
let channel: TelegramChannel;
let app: FastifyInstance | undefined;

beforeEach(() => {
  captured = captureLog();
});
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A parent in a private chat: sends updates through polling or the webhook and waits for the bot. */
class Parent {
  constructor(
    readonly user: FakeUser,
    readonly deliver: (u: Update) => Promise<void>,
  ) {}
  sent(): SentMessage[] {
    return api.sentTo(this.user.id);
  }
  async send(update: Update): Promise<Update> {
    const before = this.sent().length;
    const edits = () => api.calls.filter((c) => c.method.startsWith("editMessage")).length;
    const editsBefore = edits();
    await this.deliver(update);
    // A new message, or the pressed question edited in place (a topic ticked).
    await api.waitFor(() => this.sent().length > before || edits() > editsBefore, 10_000, "a reply");
    await channel.idle();
    return update;
  }
  /** Texts the bot sent since `from` (an index into sent()). */
  since(from: number): string {
    return this.sent().slice(from).map((m) => m.text).join("\n---\n");
  }
  text(t: string) {
    return this.send(api.text(this.user, t));
  }
  press(id: string) {
    for (const m of [...this.sent()].reverse()) {
      const rows = (m.reply_markup?.inline_keyboard ?? []) as { callback_data?: string }[][];
      const button = rows.flat().find((b) => new RegExp(`^\\d+\\.${id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`).test(b.callback_data ?? ""));
      if (button?.callback_data) return this.send(api.press(this.user, m.message_id, button.callback_data));
    }
    throw new Error(`no button ${id}`);
  }
}

async function begin(mode: "polling" | "webhook"): Promise<Parent> {
  const tgMode: TelegramMode = mode === "polling" ? { type: "polling", timeoutSeconds: 1 } : { type: "webhook", secret: SECRET, url: "https://opora.example/webhooks/telegram" };
  ({ api, channel } = await world.start({ service: world.service({ log: captured.log }), channel: { log: captured.log, mode: tgMode } }));
  const user = { id: 9100 + Math.floor(Math.random() * 100), language_code: "ru" };
  if (mode === "polling") return new Parent(user, async (u) => void api.push(u));
  app = Fastify();
  await app.register(telegramWebhookPlugin(channel, { secret: SECRET }));
  await app.listen({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/webhooks/telegram`;
  return new Parent(user, async (u) => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET }, body: JSON.stringify(api.stamp(u)) });
    expect(res.status).toBe(200);
  });
}

const conversationOf = async (p: Parent) =>
  JSON.parse((await world.db.conversation.findFirstOrThrow({ where: { channel: "telegram", chatId: String(p.user.id) } })).state) as { step: string; urgent: boolean };

/** Family conflict in Samara, up to and including a sent request. */
async function sendRequest(p: Parent): Promise<void> {
  await p.send(api.text(p.user, "/start 63"));
  await p.press("more");
  await p.press("c:family_conflict");
  await p.press("no");
  for (let i = 0; i < 3 && (await conversationOf(p)).step === "municipality"; i++) await p.press("other");
  await p.press("give");
  await p.text("Постоянные ссоры дома");
  await p.send(api.contact(p.user, "+79991234567", p.user.id));
  await p.press("submit");
}

describe.each(["polling", "webhook"] as const)("telegram: every free text is screened (%s)", (mode) => {
  it("registers for edited messages", async () => {
    await begin(mode);
    if (mode === "polling") {
      await api.waitFor(() => api.callsOf("getUpdates").length > 0);
      expect(api.callsOf("getUpdates")[0]?.payload.allowed_updates).toContain("edited_message");
    } else {
      expect(api.callsOf("setWebhook")[0]?.payload.allowed_updates).toContain("edited_message");
    }
  });

  it("a photo captioned «вот синяки, он опять бьёт ребёнка» is screened: the numbers at once", async () => {
    const p = await begin(mode);
    await p.text("/start");
    const from = p.sent().length;
    await p.send(api.photo(p.user, "вот синяки, он опять бьёт ребёнка"));
    const reply = p.since(from);
    expect(reply).toContain("112");
    expect(reply).toContain(SERIOUS);
    expect((await conversationOf(p)).urgent).toBe(true);
    // The photo itself is not kept, and nothing personal is stored before consent.
    expect(await world.db.transcriptMessage.count()).toBe(0);
  });

  it("an edit into a danger phrase shows the numbers; a harmless edit gets a short note and the question", async () => {
    const p = await begin(mode);
    await p.text("/start");
    await p.press("more");
    await p.press("c:family_conflict");
    const original = await p.text("Нет");
    expect((await conversationOf(p)).step).toBe("region");
    let from = p.sent().length;
    // An edit of the answer just given is the new answer (issue 12.5).
    await p.send(api.edited(original, "нет, всё нормально"));
    expect(p.since(from)).toContain("беру новый ответ");
    expect((await conversationOf(p)).step).toBe("region");
    from = p.sent().length;
    await p.send(api.edited(original, "он сказал что убьёт меня"));
    expect(p.since(from)).toContain("112");
    expect((await conversationOf(p)).urgent).toBe(true);
  });

  it("after the request: a caption and an edit re-raise it to P0 with their reasons", async () => {
    const p = await begin(mode);
    await sendRequest(p);
    const [req] = await world.db.request.findMany({ where: { channel: "telegram" } });
    expect(req?.urgency).toBe("P2");
    let from = p.sent().length;
    await p.send(api.photo(p.user, "вот синяки, он опять бьёт ребёнка"));
    expect(p.since(from)).toContain("112");
    const raised = await world.db.request.findFirstOrThrow({ where: { id: req!.id } });
    expect(raised.urgency).toBe("P0");
    expect(JSON.parse(raised.flags)).toContain("danger_now");
    expect(parseUrgencyReasons(raised.urgencyReasons).some((r) => r.source === "phrase" && r.dangerNow)).toBe(true);
    // The caption is the family's words: in the transcript for the operator, marked as a caption.
    expect((await world.db.transcriptMessage.findMany({ where: { requestId: req!.id } })).map((m) => m.text)).toContain("📎 вот синяки, он опять бьёт ребёнка");

    const note = await p.text("спасибо");
    from = p.sent().length;
    await p.send(api.edited(note, "он сказал что убьёт меня"));
    expect(p.since(from)).toContain("112");
    expect(await world.db.auditLog.count({ where: { action: "request.escalate_red_flag", requestId: req!.id } })).toBe(2);
    expect(captured.problems()).toEqual([]);
  });

  it("«помогите!» on the consent screen: the numbers, and the consent question again", async () => {
    const p = await begin(mode);
    await p.send(api.text(p.user, "/start 63"));
    await p.press("more");
    await p.press("c:family_conflict");
    await p.press("no");
    for (let i = 0; i < 3 && (await conversationOf(p)).step === "municipality"; i++) await p.press("other");
    // The description comes after consent: the consent question follows the place directly.
    expect((await conversationOf(p)).step).toBe("consent");
    const from = p.sent().length;
    await p.text("помогите!");
    const reply = p.since(from);
    expect(reply).toContain("112");
    expect(reply).not.toContain("не поняла");
    expect((await conversationOf(p)).step).toBe("consent");
    // The consent screen itself carries 🆘 now.
    const last = p.sent().at(-1)!;
    const buttons = ((last.reply_markup?.inline_keyboard ?? []) as { callback_data?: string }[][]).flat().filter((b) => b.callback_data);
    expect(buttons.map((b) => b.callback_data?.split(".")[1])).toEqual(["give", "decline", "sos"]);
  });
});
