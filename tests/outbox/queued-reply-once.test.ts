// A step's replies queued behind the chat's undelivered ones (the chat is "backlogged") are sent by
// the outbox worker only. The channel used to send them at once as well, so after a failed send (or
// a restart, which backlogs every chat left with undelivered replies) the family got that answer
// twice, the first time ahead of the earlier answer. Found by the chaos test (tests/cluster/).
import { describe, expect, it } from "vitest";
import { createOutboxWorker } from "../../src/outbox/outbox.ts";
import { routeSenders } from "../../src/outbox/reply-delivery.ts";
import { FAKE_BOT } from "../fakes/fake-telegram-api.ts";
import { log, telegramWorld } from "../telegram/telegram-world.ts";

const world = telegramWorld();

describe("a reply queued behind undelivered ones", () => {
  it("is sent once, after the earlier reply", async () => {
    let now = new Date("2026-12-01T10:00:00Z").getTime();
    const clock = () => new Date(now);
    const { api, channel } = await world.start({ clock, channel: { throttle: false, retry: { maxRetryAttempts: 0 }, botInfo: { ...FAKE_BOT } as never } });
    const worker = createOutboxWorker({ db: world.db, log, senders: { telegram: routeSenders(channel.replySender, undefined)! }, clock });
    const family = { id: 611, first_name: "Parent", language_code: "ru" };
    const calm = { id: 612, first_name: "Calm", language_code: "ru" };

    // A family that meets no failure: what the two updates below are answered with.
    api.push(api.text(calm, "/start"));
    await api.waitFor(() => api.sentTo(calm.id).length === 2, 10_000, "the calm family's greeting and question");
    await channel.idle();
    api.push(api.text(calm, "привет"));
    await api.waitFor(() => api.sentTo(calm.id).length > 2, 10_000, "the calm family's second answer");
    await channel.idle();
    const expected = api.sentTo(calm.id).map((m) => m.text);

    // The greeting's send fails once: its row waits for the worker and the chat is backlogged.
    api.failNext("sendMessage", 1, { code: 500 });
    api.push(api.text(family, "/start"));
    await expect.poll(() => world.db.outbox.count({ where: { target: String(family.id), status: "pending" } }), { timeout: 10_000 }).toBe(1);
    await channel.idle();
    // The family writes again; the API is fine now, but this answer must wait behind the greeting.
    api.push(api.text(family, "привет"));
    await expect.poll(() => world.db.outbox.count({ where: { target: String(family.id) } }), { timeout: 10_000 }).toBe(2);
    await channel.idle();
    expect(api.sentTo(family.id).filter((m) => m.text.startsWith("Здравствуйте"))).toHaveLength(0);

    for (let i = 0; i < 20 && ((await world.db.outbox.count({ where: { target: String(family.id) } })) > 0 || i < 2); i++) {
      now += 60_000;
      while ((await worker.runOnce()) > 0) {
        /* pass after pass while anything is due */
      }
    }
    await channel.idle();
    const texts = api.sentTo(family.id).map((m) => m.text);
    // Each message once, the greeting first: as the family that met no failure got them.
    expect(texts).toEqual(expected);
    expect(await world.db.outbox.count({ where: { target: String(family.id) } })).toBe(0);
  }, 60_000);
});
