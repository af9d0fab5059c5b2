// The same guarantee through MAX (the reply delivery is shared code): the MAX API answering 500 for
// longer than the channel's retries, the family still gets each answer once, in order, afterwards.
import { describe, expect, it } from "vitest";
import { createOutboxWorker } from "../../src/outbox/outbox.ts";
import { routeSenders } from "../../src/outbox/reply-delivery.ts";
import { Family, log } from "../max/harness.ts";
import { maxWorld } from "../max/max-world.ts";

const world = maxWorld();

describe("MAX dialog replies through the outbox", () => {
  it("a MAX API answering 500 for minutes: each answer arrives once, in order, afterwards", async () => {
    let now = new Date("2026-12-01T10:00:00Z").getTime();
    const clock = () => new Date(now);
    const h = await world.start("webhook", {
      service: world.service({ clock }),
      channel: { now: clock, outbound: { minRetryDelayMs: 5, maxRetryDelayMs: 10, ratePerSecond: 1000, maxConcurrent: 20, retries: 1 } },
    });
    const worker = createOutboxWorker({ db: world.db, log, senders: { max: routeSenders(h.channel.replySender, undefined)! }, clock });

    const calm = new Family(h, { userId: 9101, chatId: 9201, firstName: "Calm" });
    await calm.start();
    await calm.say("привет");
    const expected = calm.messages().map((m) => m.text);
    expect(expected.length).toBeGreaterThan(0);

    const hit = new Family(h, { userId: 9102, chatId: 9202, firstName: "Hit" });
    h.api.failNext({ status: 500, times: 12, match: "POST /messages" });
    await hit.start();
    await hit.say("привет");
    expect(hit.messages()).toHaveLength(0);
    expect(await world.db.outbox.count({ where: { target: "9202" } })).toBe(2);

    for (let minute = 0; minute < 30 && hit.messages().length < expected.length; minute++) {
      now += 60_000;
      while ((await worker.runOnce()) > 0) {
        /* pass after pass while anything is due */
      }
    }
    expect(hit.messages().map((m) => m.text)).toEqual(expected);
    expect(await world.db.outbox.count({ where: { target: "9202" } })).toBe(0);
    now += 60 * 60_000;
    expect(await worker.runOnce()).toBe(0);
    expect(hit.messages()).toHaveLength(expected.length);
  }, 60_000);
});
