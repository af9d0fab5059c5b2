import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.ts";
import { createOutboxWorker, enqueueDelivery, type SendResult, type Sender } from "../../src/outbox/outbox.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

const log = createLogger({ level: "silent" });
let t: TempDb | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

function fakeClock(start = "2026-11-25T10:00:00Z") {
  let now = new Date(start).getTime();
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

function scriptedSender(results: SendResult[]) {
  const calls: { target: string; payload: unknown }[] = [];
  const send: Sender = async ({ target, payload }) => {
    calls.push({ target, payload });
    return results.shift() ?? { type: "sent" };
  };
  return { send, calls };
}

describe("outbox", () => {
  it("enqueues once per idempotency key, in the caller's transaction", async () => {
    t = await createTempDb();
    const clock = fakeClock();
    const item = { idempotencyKey: "notify:1", kind: "notify_center", channel: "telegram" as const, target: "-100", payload: { n: 1 } };
    await t.db.$transaction(async (tx) => {
      await enqueueDelivery(tx, item, clock.now());
      await enqueueDelivery(tx, item, clock.now());
    });
    expect(await t.db.outbox.count()).toBe(1);
    // A transaction that fails leaves no delivery behind.
    await expect(
      t.db.$transaction(async (tx) => {
        await enqueueDelivery(tx, { ...item, idempotencyKey: "notify:2" }, clock.now());
        throw new Error("change failed");
      }),
    ).rejects.toThrow("change failed");
    expect(await t.db.outbox.count()).toBe(1);
  });

  it("retries an API failing five times with backoff, then delivers exactly once", async () => {
    t = await createTempDb();
    const clock = fakeClock();
    const retry: SendResult = { type: "retry", code: "HTTP_500" };
    const sender = scriptedSender([retry, retry, retry, retry, { type: "retry", code: "HTTP_429", retryAfterMs: 20 * 60_000 }]);
    await enqueueDelivery(t.db, { idempotencyKey: "k", kind: "notify_center", channel: "telegram", target: "-100", payload: { x: 1 } }, clock.now());
    const worker = createOutboxWorker({ db: t.db, log, senders: { telegram: sender.send }, clock: clock.now });
    for (let i = 0; i < 5; i++) {
      expect(await worker.runOnce()).toBe(1);
      // Nothing is due again until the backoff has passed.
      expect(await worker.runOnce()).toBe(0);
      clock.advance(i === 4 ? 19 * 60_000 : 16 * 60_000);
    }
    expect(await worker.runOnce()).toBe(0); // the 429's retry_after (20 min, longer than the backoff) is respected
    clock.advance(2 * 60_000);
    expect(await worker.runOnce()).toBe(1);
    const row = await t.db.outbox.findFirstOrThrow();
    expect(row).toMatchObject({ status: "sent", attempts: 6 });
    expect(sender.calls).toHaveLength(6);
    clock.advance(60 * 60_000);
    expect(await worker.runOnce()).toBe(0);
    expect(sender.calls).toHaveLength(6);
  });

  it("a worker that dies after claiming leaves the delivery to the next worker, delivered once", async () => {
    t = await createTempDb();
    const clock = fakeClock();
    await enqueueDelivery(t.db, { idempotencyKey: "k", kind: "relay", channel: "max", target: "77", payload: {} }, clock.now());
    // The first worker's sender never returns: it "crashes" mid-delivery.
    const dying = createOutboxWorker({ db: t.db, log, senders: { max: () => new Promise<SendResult>(() => {}) }, clock: clock.now, leaseMs: 60_000 });
    void dying.runOnce();
    await new Promise((r) => setTimeout(r, 50));
    expect((await t.db.outbox.findFirstOrThrow()).status).toBe("sending");

    const sender = scriptedSender([]);
    const restarted = createOutboxWorker({ db: t.db, log, senders: { max: sender.send }, clock: clock.now, leaseMs: 60_000 });
    expect(await restarted.runOnce()).toBe(0); // lease still held
    clock.advance(61_000);
    await restarted.runOnce();
    await restarted.runOnce();
    expect(sender.calls).toHaveLength(1);
    expect((await t.db.outbox.findFirstOrThrow()).status).toBe("sent");
  });

  it("gives up on a blocked chat at once and marks a delivery dead after too many failures", async () => {
    t = await createTempDb();
    const clock = fakeClock();
    await enqueueDelivery(t.db, { idempotencyKey: "a", kind: "relay", channel: "telegram", target: "1", payload: {} }, clock.now());
    await enqueueDelivery(t.db, { idempotencyKey: "b", kind: "relay", channel: "max", target: "2", payload: {} }, clock.now());
    const worker = createOutboxWorker({
      db: t.db,
      log,
      senders: { telegram: async () => ({ type: "blocked", code: "HTTP_403" }), max: async () => ({ type: "retry", code: "HTTP_502" }) },
      clock: clock.now,
      maxAttempts: 3,
    });
    for (let i = 0; i < 5; i++) {
      await worker.runOnce();
      clock.advance(16 * 60_000);
    }
    const rows = await t.db.outbox.findMany({ orderBy: { id: "asc" } });
    expect(rows.map((r) => [r.status, r.attempts, r.lastError])).toEqual([
      ["dead", 1, "HTTP_403"],
      ["dead", 3, "HTTP_502"],
    ]);
  });
});
