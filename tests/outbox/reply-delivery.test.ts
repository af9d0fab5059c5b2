// A dialog step's replies are committed with the step (outbox) and sent right after it; when the Bot
// API fails for longer than the in-call retries, the outbox worker sends them later — once, in order.
// The worker shares out its passes fairly: one place per chat, urgent replies first.
import { describe, expect, it } from "vitest";
import { createOutboxWorker, enqueueReply, type Sender, type SendResult } from "../../src/outbox/outbox.ts";
import { routeSenders } from "../../src/outbox/reply-delivery.ts";
import { FAKE_BOT } from "../fakes/fake-telegram-api.ts";
import { log, telegramWorld } from "../telegram/telegram-world.ts";

const world = telegramWorld();

function fakeClock(start = "2026-12-01T10:00:00Z") {
  let now = new Date(start).getTime();
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

async function setup() {
  const clock = fakeClock();
  const { api, channel } = await world.start({
    clock: clock.now,
    // No in-call retries: a failing send goes to the outbox at once (the outage outlasts them anyway).
    channel: { throttle: false, retry: { maxRetryAttempts: 0 }, botInfo: { ...FAKE_BOT } as never },
  });
  const sender = routeSenders(channel.replySender, undefined);
  const worker = createOutboxWorker({ db: world.db, log, senders: { telegram: sender! }, clock: clock.now });
  return { db: world.db, api, channel, clock, worker };
}

describe("dialog replies through the outbox", () => {
  it("a Bot API answering 500 for minutes: the family gets each answer once, in order, afterwards", async () => {
    const { db, api, channel, clock, worker } = await setup();
    const calm = { id: 601, first_name: "Calm", language_code: "ru" };
    const hit = { id: 602, first_name: "Hit", language_code: "ru" };

    // A family that meets no outage: what the two updates below are answered with.
    api.push(api.text(calm, "/start"));
    await api.waitFor(() => api.sentTo(calm.id).length > 0, 10_000, "the calm family's greeting");
    await channel.idle();
    const greeting = api.sentTo(calm.id).map((m) => m.text);
    api.push(api.text(calm, "привет"));
    await api.waitFor(() => api.sentTo(calm.id).length > greeting.length, 10_000, "the calm family's second answer");
    await channel.idle();
    const expected = api.sentTo(calm.id).map((m) => m.text);

    // The outage begins: every sendMessage fails (500) until 8 have failed.
    api.failNext("sendMessage", 8, { code: 500 });
    api.push(api.text(hit, "/start"));
    await expect.poll(() => db.outbox.count({ where: { target: String(hit.id), status: "pending" } }), { timeout: 10_000 }).toBe(1);
    // The family writes again meanwhile: that step's answer waits behind the first one.
    api.push(api.text(hit, "привет"));
    await expect.poll(() => db.outbox.count({ where: { target: String(hit.id) } }), { timeout: 10_000 }).toBe(2);
    await channel.idle();
    expect(api.sentTo(hit.id)).toHaveLength(0);

    // The worker retries with backoff for as long as the outage lasts (minutes, on the fake clock).
    for (let minute = 0; minute < 30 && api.sentTo(hit.id).length < expected.length; minute++) {
      clock.advance(60_000);
      while ((await worker.runOnce()) > 0) {
        /* pass after pass while anything is due */
      }
    }
    expect(api.sentTo(hit.id).map((m) => m.text)).toEqual(expected);
    expect(await db.outbox.count({ where: { target: String(hit.id) } })).toBe(0); // delivered rows keep no text

    // Nothing goes out a second time later.
    clock.advance(60 * 60_000);
    expect(await worker.runOnce()).toBe(0);
    await channel.idle();
    expect(api.sentTo(hit.id)).toHaveLength(expected.length);
  }, 60_000);
});

describe("the outbox worker's order", () => {
  function recorder(results: Record<string, SendResult[]> = {}) {
    const calls: string[] = [];
    const send: Sender = async ({ target, payload }) => {
      calls.push(`${target}:${(payload as { n: number }).n}`);
      return results[target]?.shift() ?? { type: "sent" };
    };
    return { calls, send };
  }

  it("one family's burst of hundreds takes one place per pass: another family's and an urgent reply go in the first pass, urgent first", async () => {
    const clock = fakeClock();
    await world.db.$transaction(async (tx) => {
      for (let n = 1; n <= 300; n++) {
        await enqueueReply(tx, { channel: "telegram", chatId: "burst", updateKey: `b${n}`, payload: { n }, urgent: false }, clock.now());
      }
      await enqueueReply(tx, { channel: "telegram", chatId: "calm", updateKey: "c1", payload: { n: 1 }, urgent: false }, clock.now());
      await enqueueReply(tx, { channel: "telegram", chatId: "p0", updateKey: "u1", payload: { n: 1 }, urgent: true }, clock.now());
    });
    const r = recorder();
    const worker = createOutboxWorker({ db: world.db, log, senders: { telegram: r.send }, clock: clock.now, batchSize: 20 });
    expect(await worker.runOnce()).toBe(3);
    // The urgent reply starts first; the two other chats go side by side in the same pass.
    expect(r.calls[0]).toBe("p0:1");
    expect([...r.calls].sort()).toEqual(["burst:1", "calm:1", "p0:1"]);
    while ((await worker.runOnce()) > 0) {
      /* drain */
    }
    // The burst keeps its own order.
    const burst = r.calls.filter((c) => c.startsWith("burst:")).map((c) => Number(c.slice(6)));
    expect(burst).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    expect(await world.db.outbox.count()).toBe(0);
  }, 60_000);

  it("a chat's later reply never overtakes an earlier one that is waiting out a failure", async () => {
    const clock = fakeClock();
    await world.db.$transaction(async (tx) => {
      for (let n = 1; n <= 3; n++) await enqueueReply(tx, { channel: "telegram", chatId: "a", updateKey: `a${n}`, payload: { n }, urgent: false }, clock.now());
    });
    const r = recorder({ a: [{ type: "retry", code: "HTTP_500" }] });
    const worker = createOutboxWorker({ db: world.db, log, senders: { telegram: r.send }, clock: clock.now });
    expect(await worker.runOnce()).toBe(1); // a:1 fails
    expect(await worker.runOnce()).toBe(0); // a:2 waits behind it
    clock.advance(6_000);
    while ((await worker.runOnce()) > 0) {
      /* drain */
    }
    expect(r.calls).toEqual(["a:1", "a:1", "a:2", "a:3"]);
  });
});
