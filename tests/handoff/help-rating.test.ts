// "Did this help?" (issue 16): closing a request sends the family the closing message and one
// optional question with five buttons, in Telegram and in MAX; a press counts once as an anonymous
// rating (region, center, day, number — nothing leading back to the request or chat); a second
// press, a forged or an expired token changes nothing and gets a kind answer; the statistics page
// and CSV show the answers.
import { afterEach, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import type { Db } from "../../src/db/client.ts";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import { createFamilyMessenger } from "../../src/handoff/family-messages.ts";
import { createMaxOutboxSender, createTelegramOutboxSender } from "../../src/handoff/outbox-senders.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createOutboxWorker } from "../../src/outbox/outbox.ts";
import { type FakeTelegramApi, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { type Harness, startHarness, TOKEN } from "../max/harness.ts";
import { Browser, buildAdminTestApp, makeRequest, NOW, seedWorld } from "../web/helpers.ts";

const i18n = createI18n();
const log = createLogger({ level: "silent" });
const DAY = 86_400_000;
let temp: TempDb | undefined;
let tg: FakeTelegramApi | undefined;
let channel: TelegramChannel | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await channel?.stop();
  await tg?.close();
  await h?.close();
  await temp?.cleanup();
  channel = undefined;
  tg = undefined;
  h = undefined;
  temp = undefined;
});

/** Runs the outbox until nothing is due (a chat's messages may go out one per pass, in order). */
async function drain(worker: { runOnce(): Promise<number> }): Promise<void> {
  for (let pass = 0; pass < 10 && (await worker.runOnce()) > 0; pass += 1);
}

async function until(probe: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 8000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function service(db: Db, clock: () => Date) {
  return createDialogService({ db, log, i18n, clock, config: { consentVersion: "t1", publicBaseUrl: "https://opora.example", operatorName: "АНО «Опора»" } });
}

/** The Telegram channel on the fake Bot API with the real dialog service, polling. */
async function startTelegram(db: Db, api: FakeTelegramApi, clock: () => Date): Promise<void> {
  api.addChat(9001); // the family's chat: it wrote to the bot before (the fake refuses unknown chats)
  channel = createTelegramChannel({
    token: api.token,
    apiRoot: api.apiRoot,
    service: service(db, clock),
    db,
    log,
    i18n,
    clock,
    mode: { type: "polling", timeoutSeconds: 1 },
    throttle: { globalPerSecond: 1000, perChatPerSecond: 100, perChatBurst: 20 },
  });
  await channel.start();
}

/** A request of region 63 whose family writes from chat 9001 of `channel`; an operator on its page. */
async function world(db: Db, channelName: "telegram" | "max", chatId: string) {
  const w = await seedWorld(db);
  const family = createFamilyMessenger({ i18n });
  const web = await buildAdminTestApp({ db, family });
  const conv = await db.conversation.create({ data: { channel: channelName, chatId, userId: chatId, state: "{}", stateVersion: 1, locale: "ru" } });
  const r = await makeRequest(db, { queueId: w.queues.samara, regionCode: "63" });
  await db.request.update({ where: { id: r.id }, data: { conversationId: conv.id, channel: channelName } });
  const op = new Browser(web);
  await op.login("op63@test.local");
  const close = async (outcome = "helped_phone") => {
    const page = `/requests/${r.number}`;
    expect((await op.postForm(`${page}/close`, { outcome, confirm: "yes" }, page)).statusCode).toBe(303);
  };
  const center = await db.center.findUniqueOrThrow({ where: { key: "samara-deti-v-seme" } });
  return { web, r, close, center };
}

/** What the stats page and CSV say about the answers, as the regional admin sees them. */
async function statsOf(web: Awaited<ReturnType<typeof buildAdminTestApp>>) {
  const admin = new Browser(web);
  await admin.login("admin63@test.local");
  const page = (await admin.get("/admin/63/stats")).body;
  const csv = (await admin.get("/admin/63/stats.csv")).body;
  return { page, csv };
}

describe("did this help? — Telegram", () => {
  it("asks once after closing, counts a press of 4 anonymously, and ignores a second, forged or expired press", async () => {
    temp = await createTempDb();
    const db = temp.db;
    tg = await startFakeTelegramApi();
    const { web, r, close, center } = await world(db, "telegram", "9001");
    let now = NOW;
    await startTelegram(db, tg, () => now);
    const api = tg;
    const PARENT = { id: 9001, language_code: "ru" };

    await close();
    const worker = createOutboxWorker({ db, log, senders: { telegram: createTelegramOutboxSender({ token: api.token, apiRoot: api.apiRoot }) }, clock: () => now });
    await drain(worker);
    const sent = api.sentTo(9001);
    expect(sent.map((m) => m.text.slice(0, 30))).toEqual([expect.stringContaining("Спасибо, что написали"), expect.stringContaining("Помогло ли вам обращение?")]);
    expect(sent[0]!.text).toContain(r.number);
    const question = sent[1]!;
    const buttons = (question.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard;
    expect(buttons).toHaveLength(1);
    expect(buttons[0]!.map((b) => b.text)).toEqual(["1", "2", "3", "4", "5"]);
    // The button data carries no request number or chat id.
    for (const b of buttons[0]!) {
      expect(b.callback_data).not.toContain(r.number);
      expect(b.callback_data).not.toContain("9001");
      expect(Buffer.byteLength(b.callback_data)).toBeLessThanOrEqual(64);
    }

    const replies = () => api.sentTo(9001).length;
    const press = async (data: string) => {
      const before = replies();
      api.push(api.press(PARENT, question.message_id, data));
      await api.waitFor(() => replies() > before, 8000, "answer to the press");
      return api.sentTo(9001).at(-1)!.text;
    };
    expect(await press(buttons[0]![3]!.callback_data)).toMatch(/^Спасибо! Ваш ответ учтён/);
    const rows = await db.helpRating.findMany();
    expect(rows).toHaveLength(1);
    // Only where and when it counts, and the number: no link to the request, chat or person.
    expect(Object.keys(rows[0]!).sort()).toEqual(["centerId", "day", "id", "rating", "regionCode"]);
    expect(rows[0]).toMatchObject({ rating: 4, regionCode: "63", centerId: center.id, day: "2025-03-12" });
    expect(await db.helpRatingToken.count()).toBe(0);
    // The question's buttons are taken away (a clean-up edit after the reply).
    await api.waitFor(() => api.callsOf("editMessageReplyMarkup").some((c) => c.payload.message_id === question.message_id), 8000, "the buttons removed");

    // A second press (a stale keyboard), a forged token: a kind answer, nothing counted.
    expect(await press(buttons[0]![4]!.callback_data)).toMatch(/уже есть/);
    expect(await press("hr:AAAAAAAAAAAAAAAAAAAAAA:5")).toMatch(/уже есть/);
    expect(await press("hr:garbage")).toMatch(/уже есть/);
    expect((await db.helpRating.findMany()).map((x) => x.rating)).toEqual([4]);
    // The dialog itself was not touched by the presses.
    expect((await db.conversation.findFirstOrThrow({ where: { chatId: "9001" } })).state).toBe("{}");

    // A second request, closed; its question goes unanswered for more than 30 days: expired.
    const r2 = await makeRequest(db, { queueId: (await db.queue.findFirstOrThrow({ where: { centerId: center.id } })).id, regionCode: "63" });
    const conv = await db.conversation.findFirstOrThrow({ where: { chatId: "9001" } });
    await db.request.update({ where: { id: r2.id }, data: { conversationId: conv.id, channel: "telegram" } });
    const op = new Browser(web);
    await op.login("op63@test.local");
    expect((await op.postForm(`/requests/${r2.number}/close`, { outcome: "declined", confirm: "yes" }, `/requests/${r2.number}`)).statusCode).toBe(303);
    // The closing message queues behind the last press's answer until the channel has marked that
    // delivered (a batch, moments later): worker passes until the question is there.
    await until(async () => {
      await drain(worker);
      return api.sentTo(9001).at(-1)?.text.includes("Помогло ли") ?? false;
    }, "the second request's rating question");
    const q2 = api.sentTo(9001).at(-1)!;
    expect(q2.text).toContain("Помогло ли");
    const data2 = (q2.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard[0]![0]!.callback_data;
    now = new Date(NOW.getTime() + 31 * DAY);
    expect(await press(data2)).toMatch(/уже есть/);
    expect(await db.helpRating.count()).toBe(1);

    // The statistics show the one answer (the period of the page ends on NOW).
    const { page, csv } = await statsOf(web);
    expect(page).toContain("Ответов: 1, в среднем 4.0");
    expect(page).toMatch(/<th scope="row">4<\/th><td class="num">1<\/td>/);
    expect(csv).toContain('"63","did_this_help","4","","1"');
    expect(csv).toContain('"63","did_this_help","5","","0"');
    await web.close();
  }, 60_000);
});

describe("did this help? — MAX", () => {
  it("sends the question with five callback buttons; a press of 4 is counted once and answered «Спасибо»", async () => {
    temp = await createTempDb();
    const db = temp.db;
    const { web, close } = await world(db, "max", "8001");
    h = await startHarness({ service: service(db, () => NOW), db, mode: "polling" });
    await close("unreachable");
    const worker = createOutboxWorker({ db, log, senders: { max: createMaxOutboxSender({ token: TOKEN, baseUrl: h.api.baseUrl }) }, clock: () => NOW });
    await drain(worker);
    const msgs = h.api.messagesTo(8001);
    expect(msgs.map((m) => m.text.slice(0, 25))).toEqual([expect.stringContaining("Спасибо, что написали"), expect.stringContaining("Помогло ли")]);
    const question = msgs[1]!;
    const buttons = h.api.buttonsOf(question);
    expect(buttons.map((b) => [b.type, b.text])).toEqual([1, 2, 3, 4, 5].map((n) => ["callback", String(n)]));

    const user = { userId: 8001, chatId: 8001, locale: "ru" };
    const press = async (payload: string) => {
      await h!.deliver(h!.api.callback(user, question, payload));
      await h!.settle();
      return h!.api.messagesTo(8001).at(-1)!.text;
    };
    expect(await press(buttons[3]!.payload!)).toMatch(/^Спасибо! Ваш ответ учтён/);
    expect(await press(buttons[3]!.payload!)).toMatch(/уже есть/);
    expect((await db.helpRating.findMany()).map((x) => x.rating)).toEqual([4]);
    const { page } = await statsOf(web);
    expect(page).toContain("Ответов: 1, в среднем 4.0");
    await web.close();
  }, 60_000);

  it("asks nothing for a test request", async () => {
    temp = await createTempDb();
    const db = temp.db;
    const { r, close } = await world(db, "max", "8002");
    await db.request.update({ where: { id: r.id }, data: { isTest: true } });
    await close("declined");
    expect((await db.outbox.findMany()).map((o) => o.kind)).toEqual(["family_closed"]);
    expect(await db.helpRatingToken.count()).toBe(0);
  });
});

// A family that writes again after the closing has an open dialog question; pressing a rating
// button under the older closing message answers the rating only: the open question keeps its
// buttons and can still be answered with them.
describe("did this help? — beside an open dialog question", () => {
  it("Telegram: the rating press leaves the open question's buttons in place", async () => {
    temp = await createTempDb();
    const db = temp.db;
    tg = await startFakeTelegramApi();
    const { close } = await world(db, "telegram", "9001");
    await startTelegram(db, tg, () => NOW);
    const api = tg;
    const PARENT = { id: 9001, language_code: "ru" };
    await close();
    await drain(createOutboxWorker({ db, log, senders: { telegram: createTelegramOutboxSender({ token: api.token, apiRoot: api.apiRoot }) }, clock: () => NOW }));
    const rating = api.sentTo(9001).at(-1)!;
    expect(rating.text).toContain("Помогло ли");
    const ratingData = (rating.reply_markup as { inline_keyboard: { callback_data: string }[][] }).inline_keyboard[0]![4]!.callback_data;

    // The family starts again: a question with buttons is open.
    const count = () => api.sentTo(9001).length;
    let before = count();
    api.push(api.text(PARENT, "/start"));
    await api.waitFor(() => api.sentTo(9001).slice(before).some((m) => m.reply_markup?.inline_keyboard), 8000, "the first question");
    const open = api.sentTo(9001).filter((m) => m.reply_markup?.inline_keyboard).at(-1)!;
    const openButtons = open.reply_markup as { inline_keyboard: { callback_data: string }[][] };

    before = count();
    api.push(api.press(PARENT, rating.message_id, ratingData));
    await api.waitFor(() => count() > before, 8000, "answer to the rating press");
    expect(api.sentTo(9001).at(-1)!.text).toMatch(/^Спасибо! Ваш ответ учтён/);
    expect(await db.helpRating.count()).toBe(1);
    // The rating question loses its buttons (a clean-up edit after the reply); the open dialog question does not.
    await api.waitFor(() => rating.reply_markup === undefined, 8000, "the rating buttons removed");
    await new Promise((r) => setTimeout(r, 300));
    expect(open.reply_markup).toEqual(openButtons);
    expect(api.callsOf("editMessageReplyMarkup").some((c) => c.payload.message_id === open.message_id)).toBe(false);

    // And its buttons still answer it: the dialog moves on.
    // And its buttons still answer it: the dialog moves on.
    const state = async () => (await db.conversation.findFirstOrThrow({ where: { chatId: "9001" } })).state;
    const asked = await state();
    api.push(api.press(PARENT, open.message_id, openButtons.inline_keyboard[0]![0]!.callback_data));
    await until(async () => (await state()) !== asked, "the dialog to take the answer");
  }, 60_000);

  it("MAX: the rating press leaves the open question's buttons in place", async () => {
    temp = await createTempDb();
    const db = temp.db;
    const { close } = await world(db, "max", "8001");
    h = await startHarness({ service: service(db, () => NOW), db, mode: "polling" });
    await close();
    await drain(createOutboxWorker({ db, log, senders: { max: createMaxOutboxSender({ token: TOKEN, baseUrl: h.api.baseUrl }) }, clock: () => NOW }));
    const rating = h.api.messagesTo(8001).at(-1)!;
    expect(rating.text).toContain("Помогло ли");
    const ratingPayload = h.api.buttonsOf(rating)[4]!.payload!;
    const user = { userId: 8001, chatId: 8001, locale: "ru" };

    await h.deliver(h.api.botStarted(user));
    await h.settle();
    const open = h.api.messagesTo(8001).filter((m) => h!.api.buttonsOf(m).some((b) => b.type === "callback")).at(-1)!;
    expect(open.mid).not.toBe(rating.mid);
    const openButtons = h.api.buttonsOf(open);

    await h.deliver(h.api.callback(user, rating, ratingPayload));
    await h.settle();
    expect(h.api.messagesTo(8001).at(-1)!.text).toMatch(/^Спасибо! Ваш ответ учтён/);
    expect(await db.helpRating.count()).toBe(1);
    expect(h.api.buttonsOf(rating)).toEqual([]);
    expect(h.api.buttonsOf(open)).toEqual(openButtons);

    const state = async () => (await db.conversation.findFirstOrThrow({ where: { chatId: "8001" } })).state;
    const asked = await state();
    await h.deliver(h.api.callback(user, open, openButtons.find((b) => b.type === "callback")!.payload!));
    await h.settle();
    expect(await state()).not.toBe(asked);
  }, 60_000);
});
