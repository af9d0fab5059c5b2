// A long text Telegram splits in two (issue 12): the first part exactly 4096 characters, the second
// with the next message id within a second, same chat and sender. The dialog gets one text, in
// polling and webhook mode; anything that is not such a continuation is handled as before, in order.
import Fastify from "fastify";
import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { type TelegramChannel, type TelegramMode, telegramWebhookPlugin } from "../../src/channels/telegram/telegram-channel.ts";
import type { FakeTelegramApi, FakeUser } from "../fakes/fake-telegram-api.ts";
import { captureLog } from "./helpers.ts";
import { createScriptedService, type ScriptedService } from "./scripted-service.ts";
import { telegramWorld } from "./telegram-world.ts";

const SECRET = "split-secret-1";
const world = telegramWorld({ demoRouting: false });
let api: FakeTelegramApi;
let service: ScriptedService;
let channel: TelegramChannel;
const anna: FakeUser = { id: 611, language_code: "ru" };

/** The channel over a scripted service (no limiter), polling unless `mode` says otherwise. */
async function start(mode: TelegramMode = { type: "polling", timeoutSeconds: 1 }) {
  service = createScriptedService(world.db);
  ({ api, channel } = await world.start({ service, channel: { mode, log: captureLog("warn").log, throttle: false } }));
}

/** A story of `length` characters that ends where Telegram would cut it. */
const story = (length: number) => "Муж пьёт, кричит на детей. ".repeat(200).slice(0, length);
const texts = () => service.calls.map((c) => (c.event.type === "text" ? c.event.text : c.event.type));

/** The two updates Telegram delivers for one long message (`gapSeconds` between their dates). */
function splitMessage(first: string, second: string, gapSeconds = 0): [Update, Update] {
  const a = api.text(anna, first);
  const b = api.text(anna, second);
  const date = (a.message as { date: number }).date;
  (b.message as { date: number }).date = date + gapSeconds;
  return [a, b];
}

describe("telegram: a long text split in two reaches the dialog as one", () => {
  it("polling: both parts in one text, one answer, both journal entries cleared", async () => {
    await start();
    const [a, b] = splitMessage(story(4096), "и вот теперь мы не знаем, куда идти.");
    api.push(a);
    api.push(b);
    await api.waitFor(() => service.calls.length >= 1, 10_000, "the joined text");
    await channel.idle();
    expect(texts()).toEqual([`${story(4096)}и вот теперь мы не знаем, куда идти.`]);
    expect(api.sentTo(anna.id)).toHaveLength(1);
    expect(await world.db.inboundUpdate.count()).toBe(0);
  });

  it("webhook: the second part posted a moment later is joined too", async () => {
    await start({ type: "webhook", secret: SECRET });
    const app = Fastify();
    await app.register(telegramWebhookPlugin(channel, { secret: SECRET }));
    const [a, b] = splitMessage(story(4096), " Помогите.", 1);
    const post = (u: Update) => app.inject({ method: "POST", url: "/webhooks/telegram", headers: { "x-telegram-bot-api-secret-token": SECRET }, payload: api.stamp(u) });
    expect((await post(a)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect((await post(b)).statusCode).toBe(200);
    await channel.idle();
    expect(texts()).toEqual([`${story(4096)} Помогите.`]);
    await app.close();
  });

  it("not joined: a part two seconds later, a first part shorter than 4096; a held part goes before the next update", async () => {
    await start();
    // Two seconds apart: two messages.
    const [a, b] = splitMessage(story(4096), "потом", 2);
    api.push(a);
    api.push(b);
    await api.waitFor(() => service.calls.length >= 2, 10_000, "two texts");
    // Shorter than 4096: nothing is held.
    const [c, d] = splitMessage(story(4000), "ещё");
    api.push(c);
    api.push(d);
    await api.waitFor(() => service.calls.length >= 4, 10_000, "four texts");
    // A 4096-character text followed by a button press: the text goes first, then the press.
    const e = api.text(anna, story(4096));
    api.push(e);
    api.push(api.press(anna, 1, "1.next"));
    await api.waitFor(() => service.calls.length >= 6, 10_000, "six calls");
    await channel.idle();
    expect(texts()).toEqual([story(4096), "потом", story(4000), "ещё", story(4096), "option"]);
  });

  it("a 4096-character text without a continuation goes on alone after a short wait", async () => {
    await start();
    const started = Date.now();
    api.push(api.text(anna, story(4096)));
    await api.waitFor(() => service.calls.length >= 1, 10_000, "the text");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(texts()).toEqual([story(4096)]);
  });
});
