// The MAX channel against the fake MAX API with a scripted dialog service: translation of every
// update kind, rendering, keyboard removal, callbacks, retries, blocking, order and dedupe.
import { describe, expect, it } from "vitest";
import type {
  DialogService,
  HandleResult,
  InboundContext,
  InboundEvent,
} from "../../src/dialog/service-types.ts";
import type { FakeUser } from "../fakes/fake-max-api.ts";
import { type Harness, SECRET, startHarness, waitFor } from "./harness.ts";
import { maxWorld } from "./max-world.ts";

/** A tiny dialog: each step asks a question with two buttons whose tokens carry the step number. */
function scriptedService(opts: { delayMs?: (ctx: InboundContext) => number } = {}) {
  const seen = new Set<string>();
  const calls: { ctx: InboundContext; event: InboundEvent }[] = [];
  const step = new Map<string, number>();
  let active = 0;
  let maxActive = 0;
  const service: DialogService = {
    async handle(ctx, event): Promise<HandleResult> {
      active += 1;
      maxActive = Math.max(maxActive, active);
      try {
        const delay = opts.delayMs?.(ctx) ?? 0;
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        if (seen.has(ctx.updateKey)) return { type: "duplicate" };
        seen.add(ctx.updateKey);
        calls.push({ ctx, event });
        const n = (step.get(ctx.chatId) ?? 0) + 1;
        if (event.type === "option" && !event.token.startsWith(`s${n - 1}:`)) {
          return { type: "handled", replies: [{ type: "text", text: "Эта кнопка устарела." }] };
        }
        step.set(ctx.chatId, n);
        if (event.type === "command" && event.name === "help") {
          return { type: "handled", replies: [{ type: "text", text: "Помощь: 112" }] };
        }
        if (n === 3) {
          return {
            type: "handled",
            replies: [{ type: "requestContact", text: "Телефон?", shareLabel: "Поделиться номером" }],
          };
        }
        return {
          type: "handled",
          replies: [
            {
              type: "text",
              text: `Шаг ${n}`,
              options: [
                [
                  { label: "Да", token: `s${n}:yes` },
                  { label: "Нет", token: `s${n}:no` },
                ],
              ],
            },
          ],
        };
      } finally {
        active -= 1;
      }
    },
  };
  return { service, calls, maxActive: () => maxActive };
}

const ANNA: FakeUser = { userId: 501, chatId: 9001, locale: "ru" };
const BORIS: FakeUser = { userId: 502, chatId: 9002, locale: "en-US" };

const world = maxWorld({ demoRouting: false });
let h: Harness | undefined;

describe("MAX channel (polling, scripted service)", () => {
  it("follows the polling protocol and turns bot_started into a start event with payload and locale", async () => {
    const s = scriptedService();
    h = await world.start("polling", { service: s.service });
    await h.deliver(h.api.botStarted(BORIS, "63"));
    const msg = await waitFor(() => h!.api.lastMessage(BORIS.chatId), 5000, "first reply");
    expect(h.api.callsTo("GET", "/me").length).toBeGreaterThan(0);
    expect(h.api.callsTo("GET", "/subscriptions").length).toBe(1);
    const polls = h.api.callsTo("GET", "/updates");
    expect(polls.length).toBeGreaterThan(0);
    await waitFor(
      () => h!.api.callsTo("GET", "/updates").some((c) => c.query.marker === "1"),
      5000,
      "marker 1",
    );
    expect(s.calls[0]).toMatchObject({
      ctx: { channel: "max", chatId: "9002", userId: "502", locale: "en-US" },
      event: { type: "start", payload: "63" },
    });
    expect(s.calls[0]?.ctx.updateKey).toMatch(/^start:9002:\d+$/);
    expect(msg.text).toBe("Шаг 1");
    const buttons = h.api.buttonsOf(msg);
    expect(buttons.map((b) => b.payload)).toEqual(["s1:yes", "s1:no", "max:menu:help", "max:menu:revoke"]);
    // No conversation yet (the scripted service stores none): menu labels follow user_locale.
    expect(buttons.map((b) => b.text)).toContain("Withdraw consent");
    // The bot's command list is set once for the MAX menu.
    expect(h.api.callsTo("PATCH", "/me/commands").length).toBe(1);
  });

  it("answers every callback, removes the pressed keyboard and the answered question's keyboard", async () => {
    const s = scriptedService();
    h = await world.start("polling", { service: s.service });
    await h.deliver(h.api.botStarted(ANNA));
    const q1 = await waitFor(() => h!.api.lastMessage(ANNA.chatId), 5000, "q1");
    await h.deliver(h.api.callback(ANNA, q1, "s1:yes", "cb-1"));
    const q2 = await waitFor(() => h!.api.messagesTo(ANNA.chatId)[1], 5000, "q2");
    expect(s.calls[1]).toMatchObject({
      ctx: { updateKey: "cb:cb-1" },
      event: { type: "option", token: "s1:yes" },
    });
    expect(h.api.answers).toEqual([
      { callbackId: "cb-1", body: { message: { text: "Шаг 1", attachments: [] } } },
    ]);
    expect(h.api.messages.get(q1.mid)?.attachments).toEqual([]);
    expect(q2.text).toBe("Шаг 2");

    // A text answer: the question's buttons are edited away with PUT /messages.
    await h.deliver(h.api.textMessage(ANNA, "свой ответ"));
    await waitFor(() => h!.api.messagesTo(ANNA.chatId)[2], 5000, "q3");
    const edits = h.api.callsTo("PUT", "/messages");
    expect(edits.map((e) => e.query.message_id)).toEqual([q2.mid]);
    expect(edits[0]?.body).toEqual({ text: "Шаг 2", attachments: [] });
    expect(h.api.messages.get(q2.mid)?.attachments).toEqual([]);
    expect(s.calls[2]?.event).toEqual({ type: "text", text: "свой ответ" });

    // The phone step: a request_contact button in a row of its own.
    const q3 = h.api.messagesTo(ANNA.chatId)[2]!;
    const rows = q3.attachments[0]?.payload?.buttons ?? [];
    expect(rows[0]).toEqual([{ type: "request_contact", text: "Поделиться номером" }]);
    expect(rows.at(-1)?.map((b) => b.payload)).toEqual(["max:menu:help", "max:menu:revoke"]);
    const conv = await world.db.conversation.findUnique({
      where: { channel_chatId: { channel: "max", chatId: "9001" } },
    });
    expect(conv).toBeNull(); // the scripted service stores no conversation; the channel never creates one
  });

  it("a stale button press is answered and passed on; the service decides it is stale", async () => {
    const s = scriptedService();
    h = await world.start("polling", { service: s.service });
    await h.deliver(h.api.botStarted(ANNA));
    const q1 = await waitFor(() => h!.api.lastMessage(ANNA.chatId), 5000, "q1");
    await h.deliver(h.api.callback(ANNA, q1, "s1:yes"));
    await waitFor(() => h!.api.messagesTo(ANNA.chatId)[1], 5000, "q2");
    await h.deliver(h.api.callback(ANNA, q1, "s1:no"));
    const stale = await waitFor(() => h!.api.messagesTo(ANNA.chatId)[2], 5000, "stale reply");
    expect(stale.text).toBe("Эта кнопка устарела.");
    expect(h.api.answers.length).toBe(2);
  });

  it("contacts: own card trusted, another person's card is not; other attachments are unsupported", async () => {
    const s = scriptedService();
    h = await world.start("polling", { service: s.service });
    await h.deliver(h.api.contactMessage(ANNA));
    await h.deliver(h.api.contactMessage(ANNA, { ownerUserId: 777, phone: "+7 (912) 000-11-22" }));
    await h.deliver(
      h.api.contactMessage(ANNA, {
        vcf: "BEGIN:VCARD\nVERSION:3.0\nN:;;;;\nTEL;TYPE=home:84951112233\nTEL;TYPE=CELL:+79161234567\nEND:VCARD",
      }),
    );
    await h.deliver(h.api.imageMessage(ANNA));
    await h.deliver(
      h.api.contactMessage(ANNA, { vcf: "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Без номера\r\nEND:VCARD" }),
    );
    await waitFor(() => s.calls.length === 5, 5000, "five events");
    expect(s.calls.map((c) => c.event)).toEqual([
      { type: "contact", phone: "79991234567", own: true },
      { type: "contact", phone: "+79120001122", own: false },
      { type: "contact", phone: "+79161234567", own: true },
      { type: "unsupported", kind: "image", file: { kind: "photo", ref: "https://i.example/x.jpg" } },
      { type: "unsupported", kind: "contact" },
    ]);
    expect(s.calls[0]?.ctx.updateKey).toMatch(/^mid:mid\.in\.9001\./);
  });

  it("commands, the /menu reply and menu buttons", async () => {
    const s = scriptedService();
    h = await world.start("polling", { service: s.service });
    await h.deliver(h.api.textMessage(ANNA, "/lang en"));
    await h.deliver(h.api.textMessage(ANNA, "/status"));
    await h.deliver(h.api.textMessage(ANNA, "/start 72"));
    await waitFor(() => s.calls.length === 3, 5000, "commands");
    expect(s.calls.map((c) => c.event)).toEqual([
      { type: "command", name: "lang", arg: "en" },
      { type: "command", name: "status" },
      { type: "command", name: "start", arg: "72" },
    ]);
    await waitFor(() => h!.api.messagesTo(ANNA.chatId).length === 3, 5000, "three replies");
    await h.deliver(h.api.textMessage(ANNA, "/menu"));
    const menu = await waitFor(() => h!.api.messagesTo(ANNA.chatId)[3], 5000, "menu");
    expect(h.api.buttonsOf(menu).map((b) => b.text)).toEqual([
      "Помощь",
      "Моя заявка",
      "Язык / Language",
      "Отозвать согласие",
      "Скрыть переписку",
    ]);
    await h.deliver(h.api.callback(ANNA, menu, "max:menu:revoke", "cb-menu"));
    await waitFor(() => s.calls.length === 4, 5000, "revoke");
    expect(s.calls[3]?.event).toEqual({ type: "command", name: "revoke" });
    // The press is answered after the step is applied: wait for it.
    const answer = await waitFor(() => h!.api.answers.find((a) => a.callbackId === "cb-menu"), 5000, "menu answer");
    expect(answer.body).toEqual({ notification: "Принято" });
    expect(s.calls.length).toBe(4); // /menu itself never reaches the dialog
  });

  it("duplicated deliveries (same mid, same callback_id) are applied once; a press is answered once", async () => {
    const s = scriptedService();
    h = await world.start("polling", { service: s.service });
    const start = h.api.botStarted(ANNA);
    await h.deliver(start);
    const q1 = await waitFor(() => h!.api.lastMessage(ANNA.chatId), 5000, "q1");
    const text = h.api.textMessage(ANNA, "ответ");
    await h.deliver(text);
    await h.deliver(text);
    await h.deliver(start);
    const cb = h.api.callback(ANNA, q1, "s2:yes", "cb-dup");
    await h.deliver(cb);
    await h.deliver(cb);
    await waitFor(() => h!.api.answers.length === 1, 5000, "the answer");
    await h.settle();
    await new Promise((r) => setTimeout(r, 100));
    // MAX may deliver a press again: it is answered once (a second answer would be refused).
    expect(h.api.answers.filter((a) => a.callbackId === "cb-dup")).toHaveLength(1);
    expect(h.api.calls.filter((c) => c.path === "/answers" && c.status !== 200)).toEqual([]);
    expect(s.calls.map((c) => c.ctx.updateKey).filter((k) => k === "cb:cb-dup").length).toBe(1);
    expect(s.calls.length).toBe(3);
    expect(h.api.messagesTo(ANNA.chatId).length).toBe(3);
  });

  it("a press MAX delivers again after a restart is not answered again (MAX refuses a second answer)", async () => {
    const s = scriptedService();
    h = await world.start("webhook", { service: s.service });
    await h.deliver(h.api.botStarted(ANNA));
    const q1 = await waitFor(() => h!.api.lastMessage(ANNA.chatId), 5000, "q1");
    const cb = h.api.callback(ANNA, q1, "s1:yes", "cb-restart");
    await h.deliver(cb);
    await waitFor(() => h!.api.answers.length === 1, 5000, "the answer");
    await h.settle();
    await h.channel.stop();
    // The next process (same database) gets the same press again.
    const next = await startHarness({ service: s.service, db: world.db, mode: "webhook", api: h.api });
    try {
      await next.deliver(h.api.callback(ANNA, q1, "s1:yes", "cb-restart"));
      await next.settle();
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      await next.close();
    }
    expect(s.calls.filter((c) => c.ctx.updateKey === "cb:cb-restart")).toHaveLength(1);
    expect(h.api.calls.filter((c) => c.path === "/answers").map((c) => c.status)).toEqual([200]);
  });

  it("a reply with an empty text is never sent (MAX refuses a message with neither text nor attachments); the rest goes out", async () => {
    const service: DialogService = {
      async handle() {
        return { type: "handled", replies: [{ type: "text", text: "" }, { type: "text", text: "  " }, { type: "text", text: "Дальше" }] };
      },
    };
    h = await world.start("webhook", { service, channel: { menuRow: false } });
    await h.deliver(h.api.botStarted(ANNA));
    await waitFor(() => h!.api.lastMessage(ANNA.chatId), 5000, "the reply");
    await h.settle();
    expect(h.api.messagesTo(ANNA.chatId).map((m) => m.text)).toEqual(["Дальше"]);
    expect(h.api.calls.filter((c) => c.status >= 400)).toEqual([]);
  });

  it("retries 429 and 500 with backoff, then delivers", async () => {
    const s = scriptedService();
    h = await world.start("polling", { service: s.service });
    h.api.failNext({ status: 429, times: 2, match: "POST /messages" });
    h.api.failNext({ status: 500, times: 1, match: "POST /messages" });
    await h.deliver(h.api.botStarted(ANNA));
    await waitFor(() => h!.api.lastMessage(ANNA.chatId), 5000, "reply after retries");
    const sends = h.api.callsTo("POST", "/messages").map((c) => c.status);
    expect(sends).toEqual([429, 429, 500, 200]);
  });

  it("a blocked chat (403) and bot_stopped mark the conversation as blocked; no retry", async () => {
    const s = scriptedService();
    await world.db.conversation.create({
      data: {
        channel: "max",
        chatId: String(ANNA.chatId),
        userId: String(ANNA.userId),
        state: "{}",
        stateVersion: 1,
      },
    });
    await world.db.conversation.create({
      data: {
        channel: "max",
        chatId: String(BORIS.chatId),
        userId: String(BORIS.userId),
        state: "{}",
        stateVersion: 1,
      },
    });
    h = await world.start("polling", { service: s.service });
    h.api.blockChat(ANNA.chatId);
    await h.deliver(h.api.textMessage(ANNA, "привет"));
    await h.deliver(h.api.botStopped(BORIS));
    const blocked = async (chatId: number) =>
      (
        await world.db.conversation.findUnique({
          where: { channel_chatId: { channel: "max", chatId: String(chatId) } },
        })
      )?.blockedAt;
    for (let i = 0; i < 200 && (!(await blocked(ANNA.chatId)) || !(await blocked(BORIS.chatId))); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await blocked(ANNA.chatId)).toBeInstanceOf(Date);
    expect(await blocked(BORIS.chatId)).toBeInstanceOf(Date);
    expect(h.api.callsTo("POST", "/messages").map((c) => c.status)).toEqual([403]);
    // Writing again after bot_started clears the mark.
    await h.deliver(h.api.botStarted(BORIS));
    await waitFor(() => h!.api.lastMessage(BORIS.chatId), 5000, "reply after restart");
    for (let i = 0; i < 100 && (await blocked(BORIS.chatId)); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(await blocked(BORIS.chatId)).toBeNull();
  });

  it("keeps strict order within a chat while chats run concurrently", async () => {
    // Slow, uneven handling: without per-chat ordering, later updates would overtake earlier ones.
    let i = 0;
    const s = scriptedService({ delayMs: () => [30, 1, 15, 0, 25][i++ % 5] ?? 0 });
    h = await world.start("polling", { service: s.service });
    const users: FakeUser[] = Array.from({ length: 5 }, (_, k) => ({ userId: 600 + k, chatId: 9100 + k }));
    for (let n = 0; n < 8; n++) for (const u of users) h.api.pushUpdate(h.api.textMessage(u, `msg ${n}`));
    await waitFor(() => s.calls.length === 40, 10000, "40 events");
    for (const u of users) {
      const texts = s.calls
        .filter((c) => c.ctx.chatId === String(u.chatId))
        .map((c) => (c.event as { text: string }).text);
      expect(texts).toEqual(Array.from({ length: 8 }, (_, n) => `msg ${n}`));
    }
    expect(s.maxActive()).toBeGreaterThan(1);
  });

  it("stop waits for in-flight work", async () => {
    const s = scriptedService({ delayMs: () => 150 });
    h = await world.start("polling", { service: s.service });
    h.api.pushUpdate(h.api.textMessage(ANNA, "одно"));
    await waitFor(
      () => h!.api.pendingUpdates === 0 && h!.api.callsTo("GET", "/updates").length > 1,
      5000,
      "fetched",
    );
    const harness = h;
    h = undefined;
    await harness.close();
    expect(s.calls.length).toBe(1);
    expect(harness.api.messagesTo(ANNA.chatId).length).toBe(1);
  });
});

describe("MAX channel (webhook, scripted service)", () => {
  it("rejects a wrong or missing secret with 401 and processes nothing", async () => {
    const s = scriptedService();
    h = await world.start("webhook", { service: s.service });
    const update = h.api.botStarted(ANNA);
    for (const headers of [{ "x-max-bot-api-secret": "wrong" }, {}]) {
      const res = await h.app!.inject({ method: "POST", url: "/webhooks/max", headers, payload: update });
      expect(res.statusCode).toBe(401);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(s.calls.length).toBe(0);
    expect(h.api.callsTo("GET", "/updates").length).toBe(0);
    const ok = await h.app!.inject({
      method: "POST",
      url: "/webhooks/max",
      headers: { "x-max-bot-api-secret": SECRET },
      payload: update,
    });
    expect(ok.statusCode).toBe(200);
    await waitFor(() => s.calls.length === 1, 5000, "processed");
  });

  it("answers 503 while the channel is not accepting (before start, after stop)", async () => {
    const s = scriptedService();
    h = await world.start("webhook", { service: s.service });
    const update = h.api.botStarted(ANNA);
    await h.channel.stop();
    const res = await h.app!.inject({
      method: "POST",
      url: "/webhooks/max",
      headers: { "x-max-bot-api-secret": SECRET },
      payload: update,
    });
    expect(res.statusCode).toBe(503);
    expect(s.calls.length).toBe(0);
  });

  it("keeps order per chat for webhook deliveries too", async () => {
    let i = 0;
    const s = scriptedService({ delayMs: () => [20, 0, 10][i++ % 3] ?? 0 });
    h = await world.start("webhook", { service: s.service });
    for (let n = 0; n < 6; n++) await h.deliver(h.api.textMessage(ANNA, `m${n}`));
    await waitFor(() => s.calls.length === 6, 5000, "six");
    expect(s.calls.map((c) => (c.event as { text: string }).text)).toEqual([
      "m0",
      "m1",
      "m2",
      "m3",
      "m4",
      "m5",
    ]);
  });
});
